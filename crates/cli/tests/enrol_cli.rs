//! Enrolment on the command line exactly as issue 14 writes it: `enrol export --station BX --out
//! DIR`, `init --enrolment DIR/BX.enrol --out DIR2`, `enrol accept DIR2/BX.keys`; then a bundle
//! each way with no key typed. A tampered file is refused with exit 2 and no book.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::{Value, json};

const PASSPHRASE: &str = "东岭村联络站2026";

fn casebook(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("casebook").unwrap();
    cmd.env_remove("CASEBOOK_DB")
        .env("CASEBOOK_PASSPHRASE", PASSPHRASE)
        .env(
            casebook::time::test_clock::SHIFT_VAR,
            casebook::time::test_clock::pin_to_noon().to_string(),
        )
        .arg("--db")
        .arg(db)
        .arg("--json");
    cmd
}

fn ok(db: &Path, args: &[&str]) -> Value {
    let output = casebook(db).args(args).assert().success();
    serde_json::from_slice(&output.get_output().stdout).unwrap()
}

fn refused(db: &Path, args: &[&str]) -> Value {
    let output = casebook(db).args(args).assert().code(2);
    serde_json::from_slice::<Value>(&output.get_output().stdout).unwrap()["error"].clone()
}

/// The town's book (QX, `dir/town.db`), made and given the fixture roster (station BX) with the
/// command line.
fn town_with_roster(dir: &Path) -> PathBuf {
    let town = dir.join("town.db");
    ok(
        &town,
        &[
            "init",
            "--town",
            "--station-code",
            "QX",
            "--station-name",
            "清溪镇人大",
        ],
    );
    let roster = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster.json");
    ok(&town, &["roster", "import", roster.to_str().unwrap()]);
    town
}

fn is_fingerprint(value: &Value) -> bool {
    let text = value.as_str().unwrap_or_default();
    text.len() == 29
        && text
            .split(' ')
            .all(|group| group.len() == 4 && group.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn a_station_is_enrolled_from_one_file_each_way() {
    let dir = tempfile::tempdir().unwrap();
    let town = town_with_roster(dir.path());
    let stick = dir.path().join("U盘");
    let stick_back = dir.path().join("回执");

    let written = ok(
        &town,
        &[
            "enrol",
            "export",
            "--station",
            "BX",
            "--out",
            stick.to_str().unwrap(),
        ],
    );
    let enrol_file = stick.join("BX.enrol");
    assert_eq!(written["path"], json!(enrol_file));
    assert_eq!(written["station"], "BX");
    assert!(is_fingerprint(&written["fingerprint"]), "{written}");

    let station = dir.path().join("bx.db");
    let enrolled = ok(
        &station,
        &[
            "init",
            "--enrolment",
            enrol_file.to_str().unwrap(),
            "--out",
            stick_back.to_str().unwrap(),
        ],
    );
    assert_eq!(enrolled["station"], "BX");
    assert_eq!(enrolled["town"], "QX");
    assert_eq!(enrolled["town_fingerprint"], written["fingerprint"]);
    assert!(
        is_fingerprint(&enrolled["station_fingerprint"]),
        "{enrolled}"
    );
    let keys_file = stick_back.join("BX.keys");
    assert_eq!(enrolled["keys_path"], json!(keys_file));
    assert_eq!(ok(&station, &["peer", "list"])[0]["code"], "QX");

    // The human output names both fingerprints for the phone call.
    let again = dir.path().join("again.db");
    let human = Command::cargo_bin("casebook")
        .unwrap()
        .env("CASEBOOK_PASSPHRASE", PASSPHRASE)
        .args(["--db", again.to_str().unwrap(), "init", "--enrolment"])
        .arg(&enrol_file)
        .arg("--out")
        .arg(dir.path())
        .assert()
        .success();
    let text = String::from_utf8(human.get_output().stdout.clone()).unwrap();
    assert!(
        text.contains(written["fingerprint"].as_str().unwrap()) && text.contains("本站指纹"),
        "{text}"
    );

    let accepted = ok(&town, &["enrol", "accept", keys_file.to_str().unwrap()]);
    assert_eq!(accepted["station"], "BX");
    assert_eq!(accepted["fingerprint"], enrolled["station_fingerprint"]);
    assert_eq!(accepted["replaced"], false);

    // A bundle each way: the station's reception reaches the town, the town's answer the
    // station; no key typed anywhere.
    let reception = dir.path().join("reception.json");
    std::fs::write(
        &reception,
        json!({
            "received_at": casebook::time::stored(
                casebook::time::china_now() - chrono::TimeDelta::hours(1)
            ),
            "channel": "phone",
            "deputies": ["陈建国"],
            "visitors": [],
            "category": "村务管理",
            "matter": "东岭村渡槽漏水",
            "request": "请求维修",
            "consent": false
        })
        .to_string(),
    )
    .unwrap();
    ok(
        &station,
        &["reception", "add", "--file", reception.to_str().unwrap()],
    );
    let up = ok(
        &station,
        &[
            "bundle",
            "export",
            "--to",
            "QX",
            "--out",
            stick.to_str().unwrap(),
        ],
    );
    let imported = ok(&town, &["bundle", "import", up["path"].as_str().unwrap()]);
    assert!(imported["applied"].as_u64() >= Some(1), "{imported}");
    let cases = ok(&town, &["case", "list"]);
    assert_eq!(cases.as_array().map(Vec::len), Some(1), "{cases}");
    assert!(
        cases[0]["case_no"].as_str().unwrap().starts_with("BX-"),
        "{cases}"
    );
    let down = ok(
        &town,
        &[
            "bundle",
            "export",
            "--to",
            "BX",
            "--out",
            stick.to_str().unwrap(),
        ],
    );
    let imported = ok(
        &station,
        &["bundle", "import", down["path"].as_str().unwrap()],
    );
    assert_eq!(imported["receipts"], 1, "{imported}");

    // Keys from another PC for BX: refused without --replace-keys, taken with it.
    let other = ok(&again, &["keys", "show"]);
    assert_ne!(
        other["sign_public"],
        ok(&station, &["keys", "show"])["sign_public"]
    );
    let err = refused(
        &town,
        &[
            "enrol",
            "accept",
            dir.path().join("BX.keys").to_str().unwrap(),
        ],
    );
    assert_eq!(err["kind"], "already_exists", "{err}");
    let replaced = ok(
        &town,
        &[
            "enrol",
            "accept",
            dir.path().join("BX.keys").to_str().unwrap(),
            "--replace-keys",
        ],
    );
    assert_eq!(replaced["replaced"], true);
    let trail = ok(&town, &["audit"]);
    assert!(
        trail
            .as_array()
            .unwrap()
            .iter()
            .any(|line| line["action"] == "peer_keys_replace" && line["subject"] == "BX"),
        "{trail}"
    );
}

#[test]
fn a_tampered_file_is_refused_and_makes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let town = town_with_roster(dir.path());
    ok(
        &town,
        &[
            "enrol",
            "export",
            "--station",
            "BX",
            "--out",
            dir.path().to_str().unwrap(),
        ],
    );
    let enrol_file = dir.path().join("BX.enrol");
    let text = std::fs::read_to_string(&enrol_file).unwrap();
    std::fs::write(&enrol_file, text.replacen("BX", "BY", 1)).unwrap();

    let station = dir.path().join("bx.db");
    let err = refused(
        &station,
        &[
            "init",
            "--enrolment",
            enrol_file.to_str().unwrap(),
            "--out",
            dir.path().to_str().unwrap(),
        ],
    );
    assert_eq!(err["kind"], "bad_enrolment", "{err}");
    assert!(!station.exists(), "no book");
    assert!(!dir.path().join("BX.keys").exists() && !dir.path().join("BY.keys").exists());

    // A station the roster does not hold gets no file.
    let err = refused(
        &town,
        &[
            "enrol",
            "export",
            "--station",
            "ZZ",
            "--out",
            dir.path().to_str().unwrap(),
        ],
    );
    assert_eq!(err["kind"], "not_found", "{err}");
    assert!(!dir.path().join("ZZ.enrol").exists());

    // --enrolment leaves no room for a code of one's own.
    casebook(&station)
        .args(["init", "--enrolment"])
        .arg(&enrol_file)
        .args(["--out", "x", "--station-code", "BX"])
        .assert()
        .code(2);
    assert!(!station.exists());
}
