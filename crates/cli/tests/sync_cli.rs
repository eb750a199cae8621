//! Station → town → station on the command line, as an operator would do it with a USB stick.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use chrono::{SecondsFormat, TimeDelta, Utc};
use serde_json::{Value, json};

fn casebook(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("casebook").unwrap();
    cmd.env_remove("CASEBOOK_DB")
        .arg("--db")
        .arg(db)
        .arg("--json");
    cmd
}

fn ok(db: &Path, args: &[&str]) -> Value {
    let output = casebook(db).args(args).assert().success();
    serde_json::from_slice(&output.get_output().stdout).unwrap()
}

fn ok_stdin(db: &Path, args: &[&str], input: &Value) -> Value {
    let output = casebook(db)
        .args(args)
        .write_stdin(input.to_string())
        .assert()
        .success();
    serde_json::from_slice(&output.get_output().stdout).unwrap()
}

fn refused(db: &Path, args: &[&str]) -> Value {
    let output = casebook(db).args(args).assert().code(2);
    serde_json::from_slice::<Value>(&output.get_output().stdout).unwrap()["error"].clone()
}

fn enroll(a: &Path, b: &Path) {
    let keys = ok(b, &["keys", "show"]);
    for key in ["sign_public", "seal_public"] {
        assert!(keys[key].as_str().unwrap().len() >= 43, "{keys}");
    }
    ok(
        a,
        &[
            "peer",
            "add",
            "--code",
            keys["origin"].as_str().unwrap(),
            "--sign-public",
            keys["sign_public"].as_str().unwrap(),
            "--seal-public",
            keys["seal_public"].as_str().unwrap(),
        ],
    );
}

fn export(db: &Path, to: &str, out: &Path) -> Value {
    ok(
        db,
        &[
            "bundle",
            "export",
            "--to",
            to,
            "--out",
            out.to_str().unwrap(),
        ],
    )
}

/// A town book `QX` and a station book `BX`, made with `init`.
fn init_town_and_station(town: &Path, station: &Path) {
    ok(
        town,
        &[
            "init",
            "--no-encryption",
            "--station-code",
            "QX",
            "--station-name",
            "清溪镇人大",
            "--town",
        ],
    );
    ok(
        station,
        &[
            "init",
            "--no-encryption",
            "--station-code",
            "BX",
            "--station-name",
            "东岭村人大代表联络站",
        ],
    );
}

fn path_of(exported: &Value) -> PathBuf {
    PathBuf::from(exported["path"].as_str().unwrap())
}

#[test]
fn a_week_travels_to_the_town_and_the_receipt_comes_back() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station, stick) = (
        dir.path().join("town.db"),
        dir.path().join("bx.db"),
        dir.path().join("usb"),
    );
    init_town_and_station(&town, &station);
    let roster = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster.json");
    ok(&town, &["roster", "import", roster.to_str().unwrap()]);
    enroll(&town, &station);
    enroll(&station, &town);

    // The roster reaches the station.
    let roster_bundle = export(&town, "BX", &stick);
    ok(
        &station,
        &["bundle", "import", roster_bundle["path"].as_str().unwrap()],
    );
    assert_eq!(
        ok(&station, &["deputy", "list"]).as_array().unwrap().len(),
        3
    );

    // A week of receptions.
    let received_at =
        (Utc::now() - TimeDelta::hours(3)).to_rfc3339_opts(SecondsFormat::Secs, false);
    let mut cases = Vec::new();
    for matter in ["出嫁后土地分红被取消", "村道路灯损坏"] {
        let added = ok_stdin(
            &station,
            &["reception", "add", "--file", "-"],
            &json!({"received_at": received_at, "channel": "到站接待", "deputies": ["陈建国"],
                    "visitors": [{"name": "梁秀英", "phone": "13800138000"}], "category": "山林土地",
                    "matter": matter, "request": "请求处理", "consent": true}),
        );
        cases.push(added["case_no"].as_str().unwrap().to_owned());
    }
    ok_stdin(
        &station,
        &["case", "event", &cases[0], "--file", "-"],
        &json!({"kind": "accepted"}),
    );
    let head = ok(&station, &["changes"]).as_array().unwrap().len() as i64;

    let week = export(&station, "QX", &stick);
    // The export's own line in the audit trail leaves with it.
    let head = head + 1;
    assert_eq!(
        (week["from_seq"].as_i64(), week["to_seq"].as_i64()),
        (Some(1), Some(head))
    );
    assert_eq!(week["changes"], head);
    let name = path_of(&week)
        .file_name()
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert_eq!(name, format!("BX-QX-1-{head}.lsb"));
    assert_eq!(
        std::fs::metadata(path_of(&week)).unwrap().len(),
        week["bytes"].as_u64().unwrap()
    );

    let imported = ok(&town, &["bundle", "import", week["path"].as_str().unwrap()]);
    assert_eq!(
        imported,
        json!({"applied": head, "duplicates": 0, "pending": 0, "quarantined": 0, "receipts": 1, "recovered": 0, "renumbered": 0}),
        "the station's bundle also acknowledges the roster"
    );
    let again = ok(&town, &["bundle", "import", week["path"].as_str().unwrap()]);
    assert_eq!(
        (again["applied"].as_i64(), again["duplicates"].as_i64()),
        (Some(0), Some(head))
    );
    assert_eq!(
        ok(&town, &["stats", "--station", "BX"]),
        ok(&station, &["stats", "--station", "BX"]),
        "the town's figures for the station are the station's own"
    );

    // The town's next bundle carries the receipt.
    let back = export(&town, "BX", &stick);
    assert_eq!(back["receipts"], 1);
    ok(
        &station,
        &["bundle", "import", back["path"].as_str().unwrap()],
    );
    let status = ok(&station, &["bundle", "status"]);
    assert_eq!(status[0]["peer"], "QX");
    assert_eq!(status[0]["acknowledged_seq"], head);
    assert_eq!(status[0]["unacknowledged"], 0);
    assert_eq!(
        status[0]["received_seq"].as_i64().unwrap(),
        back["to_seq"].as_i64().unwrap()
    );

    // The town's bundle carried only a receipt: nothing is new for the town.
    assert_eq!(back["changes"], 0);
    let nothing = export(&station, "QX", &stick);
    assert!(nothing["path"].is_null(), "{nothing}");
    let human = Command::cargo_bin("casebook")
        .unwrap()
        .arg("--db")
        .arg(&station)
        .args([
            "bundle",
            "export",
            "--to",
            "QX",
            "--out",
            stick.to_str().unwrap(),
        ])
        .assert()
        .success();
    assert!(String::from_utf8_lossy(&human.get_output().stdout).contains("没有新的变更"));
}

#[test]
fn damaged_unknown_and_revoked_bundles_are_refused_on_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station, stick) = (
        dir.path().join("town.db"),
        dir.path().join("bx.db"),
        dir.path().join("usb"),
    );
    init_town_and_station(&town, &station);
    enroll(&station, &town);
    let roster = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster.json");
    ok(&station, &["roster", "import", roster.to_str().unwrap()]);
    let received_at =
        (Utc::now() - TimeDelta::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, false);
    ok_stdin(
        &station,
        &["reception", "add", "--file", "-"],
        &json!({"received_at": received_at, "channel": "phone", "deputies": ["陈建国"],
                "category": "邻里", "matter": "噪音", "request": "协调"}),
    );
    let bundle = path_of(&export(&station, "QX", &stick));

    let error = refused(&town, &["bundle", "import", bundle.to_str().unwrap()]);
    assert_eq!(error["kind"], "unknown_origin");
    enroll(&town, &station);

    let mut bytes = std::fs::read(&bundle).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x40;
    let damaged = dir.path().join("damaged.lsb");
    std::fs::write(&damaged, &bytes).unwrap();
    let before = ok(&town, &["changes", "--origin", "BX"]);
    let error = refused(&town, &["bundle", "import", damaged.to_str().unwrap()]);
    assert_eq!(error["kind"], "bad_bundle");
    assert!(
        error["message"].as_str().unwrap().contains("damaged.lsb"),
        "{error}"
    );
    std::fs::write(&damaged, &std::fs::read(&bundle).unwrap()[..middle]).unwrap();
    assert_eq!(
        refused(&town, &["bundle", "import", damaged.to_str().unwrap()])["kind"],
        "bad_bundle"
    );
    assert_eq!(
        ok(&town, &["changes", "--origin", "BX"]),
        before,
        "nothing applied"
    );

    ok(&town, &["peer", "revoke", "BX"]);
    let peers = ok(&town, &["peer", "list"]);
    assert!(peers[0]["revoked_at"].is_string());
    assert_eq!(
        refused(&town, &["bundle", "import", bundle.to_str().unwrap()])["kind"],
        "unknown_origin"
    );
    assert_eq!(ok(&town, &["bundle", "quarantine", "list"]), json!([]));
    assert_eq!(ok(&town, &["conflicts", "list"]), json!([]));
}

/// A hub over the town book at `db`, on its own runtime thread; dropped when the test ends.
fn start_hub(db: &Path) -> String {
    let book = casebook::Book::open(db).unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        runtime
            .block_on(liaison_hub::serve(
                listener,
                book,
                liaison_hub::HubConfig::default(),
                std::future::pending(),
            ))
            .unwrap();
    });
    url
}

#[test]
fn casebook_sync_pushes_pulls_and_says_when_the_hub_is_unreachable() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = (dir.path().join("town.db"), dir.path().join("bx.db"));
    init_town_and_station(&town, &station);
    let roster = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster.json");
    ok(&station, &["roster", "import", roster.to_str().unwrap()]);
    enroll(&town, &station);
    enroll(&station, &town);
    let received_at =
        (Utc::now() - TimeDelta::hours(1)).to_rfc3339_opts(SecondsFormat::Secs, false);
    ok_stdin(
        &station,
        &["reception", "add", "--file", "-"],
        &json!({"received_at": received_at, "channel": "phone", "deputies": ["陈建国"],
                "category": "邻里", "matter": "噪音扰民", "request": "协调"}),
    );

    // The hub is not there yet: exit 3, the change stays queued.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let output = casebook(&station)
        .args(["sync", "--hub", &format!("http://{closed}")])
        .assert()
        .code(3);
    let body: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(body["error"]["kind"], "unreachable");
    // The reception and the audit trail's line for enrolling the town are queued; the roster
    // the station imported itself is not sent (it is the town's to publish).
    let queued = ok(&station, &["bundle", "status"])[0]["unacknowledged"].clone();
    assert_eq!(queued, 2);

    let url = start_hub(&town);
    let synced = ok(&station, &["sync", "--hub", &url]);
    assert_eq!(synced["pushed"], queued, "{synced}");
    assert_eq!(synced["push"]["applied"], queued);
    assert_eq!(ok(&station, &["bundle", "status"])[0]["unacknowledged"], 0);
    let again = ok(&station, &["sync", "--hub", &url]);
    assert_eq!(
        (again["pushed"].as_i64(), again["pulled"].is_null()),
        (Some(0), true)
    );
}

/// The tier above the town on the command line: a county book, a town that names it with `relay
/// set`, and `sync` from the town's book to the county's hub, which then holds the station's
/// case and counts it for the town.
#[test]
fn a_town_relays_its_station_to_the_county_with_relay_set_and_sync() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let (town, station, county, stick) = (path("qx.db"), path("bx.db"), path("xc.db"), path("usb"));
    init_town_and_station(&town, &station);
    let made = ok(
        &county,
        &[
            "init",
            "--no-encryption",
            "--station-code",
            "XC",
            "--station-name",
            "溪城县人大常委会",
            "--county",
        ],
    );
    assert_eq!(made["kind"], "county");
    let roster = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster.json");
    ok(&town, &["roster", "import", roster.to_str().unwrap()]);
    for (a, b) in [
        (&town, &station),
        (&station, &town),
        (&town, &county),
        (&county, &town),
    ] {
        enroll(a, b);
    }
    let roster_bundle = export(&town, "BX", &stick);
    ok(
        &station,
        &[
            "bundle",
            "import",
            path_of(&roster_bundle).to_str().unwrap(),
        ],
    );
    let received_at =
        (Utc::now() - TimeDelta::hours(2)).to_rfc3339_opts(SecondsFormat::Secs, false);
    let case = ok_stdin(
        &station,
        &["reception", "add", "--file", "-"],
        &json!({"received_at": received_at, "channel": "station_visit", "deputies": ["陈建国"],
                "visitors": [{"name": "梁秀英"}], "category": "邻里", "matter": "噪音扰民",
                "request": "协调", "consent": true}),
    )["case_no"]
        .clone();
    let week = export(&station, "QX", &stick);
    ok(
        &town,
        &["bundle", "import", path_of(&week).to_str().unwrap()],
    );

    // Kept for a county before one is named.
    let before = ok(&town, &["relay", "show"]);
    assert_eq!(before["book"], "town");
    assert_eq!(before["relay_to"], Value::Null);
    let kept = before["stations"].as_array().unwrap();
    assert!(
        kept.iter()
            .any(|s| s["station"] == "BX" && s["waiting"] == 1),
        "{before}"
    );

    assert_eq!(
        refused(&station, &["relay", "set", "--county", "XC"])["kind"],
        "invalid"
    );
    assert_eq!(
        refused(&town, &["relay", "set", "--county", "ZZ"])["kind"],
        "unknown_origin"
    );
    assert_eq!(
        refused(&town, &["relay", "set", "--county", "BX"])["kind"],
        "invalid",
        "a station on the roster is not a county"
    );
    let set = ok(&town, &["relay", "set", "--county", "XC"]);
    assert_eq!(set["relay_to"], "XC");

    let url = start_hub(&county);
    // No --to: the county it relays to.
    let synced = ok(&town, &["sync", "--hub", &url]);
    assert!(synced["push"]["applied"].as_u64().unwrap() > 0, "{synced}");
    let after = ok(&town, &["relay", "show"]);
    let bx = after["stations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["station"] == "BX")
        .unwrap()
        .clone();
    assert_eq!(bx["waiting"], 0, "{after}");
    assert!(bx["held_to"].as_i64().unwrap() >= 1, "{after}");

    let at_county = ok(&county, &["relay", "show"]);
    assert_eq!(at_county["book"], "county");
    assert_eq!(
        at_county["stations"],
        json!([{"station": "BX", "town": "QX", "held_from": 1, "held_to": bx["held_to"], "waiting": 0}])
    );
    let cases = ok(&county, &["case", "list"]);
    assert_eq!(cases.as_array().unwrap().len(), 1);
    assert_eq!(cases[0]["case_no"], case);
    assert_eq!(ok(&county, &["stats", "--station", "QX"])["receptions"], 1);
    // The town's monthly report, HTML and Excel, from the county's book, on the station day
    // of the visit.
    let station_day = chrono::DateTime::parse_from_rfc3339(&received_at)
        .unwrap()
        .with_timezone(&chrono::FixedOffset::east_opt(8 * 3600).unwrap())
        .date_naive()
        .to_string();
    for out in ["qx-month.html", "qx-month.xlsx"] {
        let out = path(out);
        let written = ok(
            &county,
            &[
                "report",
                "monthly",
                "--station",
                "QX",
                "--from",
                &station_day,
                "--to",
                &station_day,
                "--out",
                out.to_str().unwrap(),
            ],
        );
        assert!(written["bytes"].as_u64().unwrap() > 1000, "{written}");
    }
    let page = std::fs::read_to_string(path("qx-month.html")).unwrap();
    assert!(
        page.contains("1 件 1 人次"),
        "the town's visit is counted in its report"
    );
    assert_eq!(
        refused(&county, &["stats", "--station", "ZZ"])["kind"],
        "invalid"
    );
}
