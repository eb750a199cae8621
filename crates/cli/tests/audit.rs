//! `casebook audit`: the trail of what was done to a book on the command line (enrolment,
//! bundles, documents saved, Excel exports, encryption), newest first, filtered by day and by
//! deputy, holding no visitor's personal data; and the station's trail reaching the town.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;
use casebook::time::test_clock;
use serde_json::{Value, json};

fn casebook(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("casebook").unwrap();
    cmd.env_remove("CASEBOOK_DB")
        .env_remove("CASEBOOK_PASSPHRASE")
        .env(test_clock::SHIFT_VAR, test_clock::pin_to_noon().to_string())
        .arg("--db")
        .arg(db)
        .arg("--json");
    cmd
}

fn ok(db: &Path, args: &[&str]) -> Value {
    let output = casebook(db).args(args).assert().success();
    serde_json::from_slice(&output.get_output().stdout).unwrap()
}

fn init(db: &Path, code: &str, name: &str, town: bool) {
    let mut args = vec![
        "init",
        "--no-encryption",
        "--station-code",
        code,
        "--station-name",
        name,
    ];
    if town {
        args.push("--town");
    }
    ok(db, &args);
}

fn enroll(a: &Path, b: &Path) {
    let keys = ok(b, &["keys", "show"]);
    let arg = |key: &str| keys[key].as_str().unwrap().to_owned();
    ok(
        a,
        &[
            "peer",
            "add",
            "--code",
            &arg("origin"),
            "--sign-public",
            &arg("sign_public"),
            "--seal-public",
            &arg("seal_public"),
        ],
    );
}

/// An hour ago on the station clock, pinned at noon.
fn an_hour_ago() -> String {
    test_clock::pin_to_noon();
    casebook::time::stored(casebook::time::china_now() - chrono::TimeDelta::hours(1))
}

/// `(action, subject, channel)` of each entry, oldest first.
fn actions(trail: &Value) -> Vec<(String, Option<String>, String)> {
    let mut out: Vec<_> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| {
            (
                entry["action"].as_str().unwrap().to_owned(),
                entry["subject"].as_str().map(str::to_owned),
                entry["channel"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.reverse();
    out
}

#[test]
fn the_trail_says_what_was_done_and_travels_to_the_town() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = (dir.path().join("town.db"), dir.path().join("bx.db"));
    init(&town, "QX", "清溪镇人大", true);
    init(&station, "BX", "东岭村人大代表联络站", false);
    let roster = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster.json");
    ok(&station, &["roster", "import", roster.to_str().unwrap()]);
    enroll(&town, &station);
    enroll(&station, &town);

    let added = casebook(&station)
        .args(["reception", "add", "--file", "-"])
        .write_stdin(
            json!({"received_at": an_hour_ago(), "channel": "到站接待", "deputies": ["陈建国"],
                   "visitors": [{"name": "梁秀英", "phone": "13800138000",
                                 "id_number": "11010519491231002X"}],
                   "category": "山林土地", "matter": "出嫁后土地分红被取消",
                   "request": "请求处理", "consent": true})
            .to_string(),
        )
        .assert()
        .success();
    let added: Value = serde_json::from_slice(&added.get_output().stdout).unwrap();
    let case_no = added["case_no"].as_str().unwrap().to_owned();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let slip = out.join("slip.html");
    ok(
        &station,
        &["render", "slip", &case_no, "--out", slip.to_str().unwrap()],
    );
    let xlsx = out.join("week.xlsx");
    ok(
        &station,
        &["report", "weekly", "--out", xlsx.to_str().unwrap()],
    );
    let exported = ok(
        &station,
        &[
            "bundle",
            "export",
            "--to",
            "QX",
            "--out",
            out.to_str().unwrap(),
        ],
    );

    let trail = ok(&station, &["audit"]);
    assert_eq!(
        actions(&trail),
        vec![
            ("peer_add".into(), Some("QX".into()), "cli".into()),
            ("document_save".into(), Some(case_no.clone()), "cli".into()),
            (
                "excel_export".into(),
                trail[1]["subject"].as_str().map(str::to_owned),
                "cli".into()
            ),
            ("bundle_export".into(), Some("QX".into()), "cli".into()),
        ]
    );
    assert_eq!(trail[2]["detail"], "接待回执");
    assert_eq!(trail[0]["action_label"], "导出同步包");
    let text = trail.to_string();
    for personal in ["梁秀英", "13800138000", "11010519491231002X", "土地分红"] {
        assert!(!text.contains(personal), "{personal} in the trail: {text}");
    }

    // By day (the station clock is pinned at noon): that day holds them all, the day before
    // none.
    let day = trail[0]["at"].as_str().unwrap()[..10].to_owned();
    let on_day = ok(&station, &["audit", "--from", &day, "--to", &day]);
    assert_eq!(on_day, trail);
    let before = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .unwrap()
        .pred_opt()
        .unwrap()
        .to_string();
    assert_eq!(ok(&station, &["audit", "--to", &before]), json!([]));
    // By deputy: nobody signs in on the command line, so nobody's name is on these lines.
    assert_eq!(ok(&station, &["audit", "--deputy", "陈建国"]), json!([]));
    let unknown = casebook(&station)
        .args(["audit", "--deputy", "王不在"])
        .assert()
        .code(2);
    let unknown: Value = serde_json::from_slice(&unknown.get_output().stdout).unwrap();
    assert_eq!(unknown["error"]["kind"], "unknown_deputy");

    // The station's trail reaches the town with its cases; the town's import is the town's.
    ok(
        &town,
        &["bundle", "import", exported["path"].as_str().unwrap()],
    );
    let at_town = ok(&town, &["audit"]);
    let stations: Vec<&str> = at_town
        .as_array()
        .unwrap()
        .iter()
        .map(|entry| entry["station"].as_str().unwrap())
        .collect();
    assert_eq!(stations.iter().filter(|s| **s == "BX").count(), 4);
    assert_eq!(at_town[0]["action"], "bundle_import");
    assert_eq!(at_town[0]["station"], "QX");

    // The human form: one line per entry and the count.
    let human = Command::cargo_bin("casebook")
        .unwrap()
        .env_remove("CASEBOOK_DB")
        .arg("--db")
        .arg(&station)
        .arg("audit")
        .assert()
        .success();
    let human = String::from_utf8_lossy(&human.get_output().stdout).into_owned();
    assert!(human.contains("导出同步包"), "{human}");
    assert!(human.contains("共 4 条操作记录"), "{human}");
}

#[test]
fn encrypting_a_book_is_in_its_trail() {
    let dir = tempfile::tempdir().unwrap();
    let station = dir.path().join("bx.db");
    init(&station, "BX", "东岭村人大代表联络站", false);
    let passphrase = "东岭村2026年修渡槽";
    casebook(&station)
        .env("CASEBOOK_PASSPHRASE", passphrase)
        .arg("encrypt")
        .assert()
        .success();
    let trail = casebook(&station)
        .env("CASEBOOK_PASSPHRASE", passphrase)
        .arg("audit")
        .assert()
        .success();
    let trail: Value = serde_json::from_slice(&trail.get_output().stdout).unwrap();
    assert_eq!(
        actions(&trail),
        vec![("passphrase_change".into(), None, "cli".into())]
    );
    assert_eq!(trail[0]["detail"], "台账已加密");
}

/// A deputy who forgot their PIN: `pin reset` clears it and the lockout, says so on the trail,
/// and the deputy sets a new one at the next sign-in.
#[test]
fn a_forgotten_pin_is_reset_from_the_command_line() {
    use casebook::Book;
    use casebook::domain::AuditChannel;
    let dir = tempfile::tempdir().unwrap();
    let station = dir.path().join("bx.db");
    init(&station, "BX", "东岭村人大代表联络站", false);
    let roster = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster.json");
    ok(&station, &["roster", "import", roster.to_str().unwrap()]);
    test_clock::pin_to_noon();
    let now = casebook::time::china_now();
    let chen = {
        // The app: 陈建国 sets a PIN, then forgets it and is locked out.
        let mut book = Book::open(&station).unwrap();
        book.set_channel(AuditChannel::App);
        let chen = book
            .deputies()
            .unwrap()
            .into_iter()
            .find(|listing| listing.deputy.name == "陈建国")
            .unwrap()
            .deputy
            .id;
        book.sign_in(chen, "385920", now).unwrap();
        book.sign_out("退出").unwrap();
        for _ in 0..casebook::store::sign_in::PIN_ATTEMPTS {
            assert!(book.sign_in(chen, "000111", now).is_err());
        }
        let err = book.sign_in(chen, "385920", now).unwrap_err();
        assert_eq!(err.kind(), casebook::ErrorKind::SignInLocked);
        chen
    };

    let reset = ok(&station, &["pin", "reset", "--deputy", "陈建国"]);
    assert_eq!(
        reset,
        json!({"deputy": chen.to_string(), "name": "陈建国", "had_pin": true})
    );
    let again = ok(&station, &["pin", "reset", "--deputy", "陈建国"]);
    assert_eq!(again["had_pin"], false, "nothing left to clear");
    let unknown = casebook(&station)
        .args(["pin", "reset", "--deputy", "王不在"])
        .assert()
        .code(2);
    let unknown: Value = serde_json::from_slice(&unknown.get_output().stdout).unwrap();
    assert_eq!(unknown["error"]["kind"], "unknown_deputy");

    let trail = ok(&station, &["audit", "--deputy", "陈建国"]);
    assert_eq!(trail[0]["action"], "pin_reset");
    assert_eq!(trail[0]["channel"], "cli");

    // Not locked any more: the next sign-in sets a new PIN.
    let mut book = Book::open(&station).unwrap();
    book.set_channel(AuditChannel::App);
    let listed = book.sign_in_deputies(now.date_naive()).unwrap();
    let chen_listed = listed.iter().find(|d| d.id == chen).unwrap();
    assert!(!chen_listed.has_pin && chen_listed.locked_until.is_none());
    book.sign_in(chen, "102938", now).unwrap();
}
