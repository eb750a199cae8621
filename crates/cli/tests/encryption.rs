//! `casebook` and the encrypted book: `init` encrypts unless told `--no-encryption`, and a book
//! opens only with its passphrase (`--passphrase-file` before the subcommand, or
//! `CASEBOOK_PASSPHRASE`); without one, or with a wrong one, it answers exit 2 with `locked` or
//! `wrong_passphrase` and writes nothing.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

const PASSPHRASE: &str = "东岭村2026年修渡槽";

/// `casebook --db DB --json`, with no passphrase from the caller's environment.
fn casebook(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("casebook").unwrap();
    cmd.env_remove("CASEBOOK_DB")
        .env_remove("CASEBOOK_PASSPHRASE")
        .arg("--db")
        .arg(db)
        .arg("--json");
    cmd
}

fn error_of(output: &assert_cmd::assert::Assert) -> Value {
    serde_json::from_slice::<Value>(&output.get_output().stdout).unwrap()["error"].clone()
}

fn init(db: &Path) -> Command {
    let mut cmd = casebook(db);
    cmd.args([
        "init",
        "--station-code",
        "BX",
        "--station-name",
        "东岭村人大代表联络站",
    ]);
    cmd
}

#[test]
fn init_encrypts_with_the_given_passphrase_and_the_book_opens_only_with_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bx.db");
    init(&db)
        .env("CASEBOOK_PASSPHRASE", PASSPHRASE)
        .assert()
        .success();
    let head = std::fs::read(&db).unwrap();
    assert_ne!(
        &head[..16],
        b"SQLite format 3\0",
        "the file is not plain SQLite"
    );
    assert!(dir.path().join("bx.db-slots").is_file());

    // No passphrase: locked. A wrong one: wrong_passphrase. Nothing written either way.
    let before = std::fs::read(&db).unwrap();
    let locked = casebook(&db).args(["case", "list"]).assert().code(2);
    assert_eq!(error_of(&locked)["kind"], "locked");
    let wrong = casebook(&db)
        .env("CASEBOOK_PASSPHRASE", "东岭村2026年修渡漕")
        .args(["case", "list"])
        .assert()
        .code(2);
    assert_eq!(error_of(&wrong)["kind"], "wrong_passphrase");
    assert_eq!(std::fs::read(&db).unwrap(), before);

    // The passphrase from a file, given before the subcommand like --db.
    let file = dir.path().join("passphrase.txt");
    std::fs::write(&file, format!("{PASSPHRASE}\n")).unwrap();
    let listed = Command::cargo_bin("casebook")
        .unwrap()
        .env_remove("CASEBOOK_PASSPHRASE")
        .arg("--db")
        .arg(&db)
        .arg("--passphrase-file")
        .arg(&file)
        .args(["--json", "case", "list"])
        .assert()
        .success();
    let cases: Value = serde_json::from_slice(&listed.get_output().stdout).unwrap();
    assert!(cases.is_array(), "{cases}");
}

#[test]
fn init_without_a_passphrase_or_no_encryption_makes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bx.db");
    // No terminal here (stdin is a pipe): nobody to ask.
    let refused = init(&db).assert().code(2);
    let error = error_of(&refused);
    assert_eq!(error["kind"], "bad_input");
    assert!(
        error["message"]
            .as_str()
            .unwrap()
            .contains("--no-encryption"),
        "{error}"
    );
    assert!(!db.exists() && !dir.path().join("bx.db-slots").exists());

    // Too weak a passphrase: refused on its field, no file either.
    let weak = init(&db)
        .env("CASEBOOK_PASSPHRASE", "12345678")
        .assert()
        .code(2);
    let error = error_of(&weak);
    assert_eq!(error["kind"], "invalid");
    assert_eq!(error["field"], "passphrase");
    assert!(!db.exists());

    // A plain book only when asked for.
    init(&db).arg("--no-encryption").assert().success();
    let head = std::fs::read(&db).unwrap();
    assert_eq!(&head[..16], b"SQLite format 3\0");
}

#[test]
fn a_passphrase_file_that_is_not_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bx.db");
    let empty = dir.path().join("empty.txt");
    std::fs::write(&empty, "").unwrap();
    let huge = dir.path().join("huge.txt");
    std::fs::write(&huge, "x".repeat(10_000)).unwrap();
    for (file, why) in [
        (empty.as_path(), "是空的"),
        (huge.as_path(), "太大"),
        (dir.path().join("missing.txt").as_path(), "无法读取"),
    ] {
        let refused = casebook(&db)
            .arg("--passphrase-file")
            .arg(file)
            .args(["init", "--station-code", "BX", "--station-name", "东岭村"])
            .assert()
            .code(2);
        let error = error_of(&refused);
        assert_eq!(error["kind"], "bad_input");
        assert!(error["message"].as_str().unwrap().contains(why), "{error}");
        assert!(!db.exists());
    }
}

/// `casebook --db DB --json ARGS` with `passphrase` in the environment, expecting success.
fn ok_with(db: &Path, passphrase: Option<&str>, args: &[&str]) -> Value {
    let mut cmd = casebook(db);
    if let Some(passphrase) = passphrase {
        cmd.env("CASEBOOK_PASSPHRASE", passphrase);
    }
    let output = cmd.args(args).assert().success();
    serde_json::from_slice(&output.get_output().stdout).unwrap()
}

#[test]
fn encrypt_converts_a_plain_book_in_place_with_the_same_records() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("dl.db");
    init(&db).arg("--no-encryption").assert().success();
    ok_with(&db, None, &["demo", "--receptions", "300"]);
    let listed = ok_with(&db, None, &["case", "list", "--limit", "500"]);
    let searched = ok_with(&db, None, &["case", "list", "--query", "渠"]);
    assert_eq!(listed.as_array().unwrap().len(), 300);

    let done = ok_with(&db, Some(PASSPHRASE), &["encrypt"]);
    assert_eq!(
        done["slots"],
        dir.path().join("dl.db-slots").display().to_string()
    );
    let head = std::fs::read(&db).unwrap();
    assert_ne!(&head[..16], b"SQLite format 3\0", "no plain book is left");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(
        names
            .iter()
            .all(|name| name == "dl.db" || name == "dl.db-slots"),
        "nothing else beside the book: {names:?}"
    );

    assert_eq!(
        ok_with(&db, Some(PASSPHRASE), &["case", "list", "--limit", "500"]),
        listed
    );
    assert_eq!(
        ok_with(&db, Some(PASSPHRASE), &["case", "list", "--query", "渠"]),
        searched
    );
    let locked = casebook(&db).args(["case", "list"]).assert().code(2);
    assert_eq!(error_of(&locked)["kind"], "locked");

    // Once is enough.
    let again = casebook(&db)
        .env("CASEBOOK_PASSPHRASE", PASSPHRASE)
        .arg("encrypt")
        .assert()
        .code(2);
    assert_eq!(error_of(&again)["kind"], "invalid");
}

#[test]
fn the_town_gives_a_station_book_a_new_passphrase_and_no_other_town_can() {
    let dir = tempfile::tempdir().unwrap();
    let station = dir.path().join("bx.db");
    let town = dir.path().join("qx.db");
    let other = dir.path().join("qy.db");
    init(&station)
        .env("CASEBOOK_PASSPHRASE", PASSPHRASE)
        .assert()
        .success();
    for (db, code) in [(&town, "QX"), (&other, "QY")] {
        casebook(db)
            .args([
                "init",
                "--station-code",
                code,
                "--station-name",
                "镇人大",
                "--town",
            ])
            .arg("--no-encryption")
            .assert()
            .success();
    }
    // The station enrols its town: its book key is sealed to the town from then on.
    let keys = ok_with(&town, None, &["keys", "show"]);
    ok_with(
        &station,
        Some(PASSPHRASE),
        &[
            "peer",
            "add",
            "--code",
            "QX",
            "--sign-public",
            keys["sign_public"].as_str().unwrap(),
            "--seal-public",
            keys["seal_public"].as_str().unwrap(),
        ],
    );

    let new = dir.path().join("new.pass");
    std::fs::write(&new, "清溪镇人大联络站新密码\n").unwrap();
    let reset = [
        "recovery",
        "reset-passphrase",
        "--book",
        station.to_str().unwrap(),
    ];
    let refused = casebook(&other)
        .args(reset)
        .arg("--new-passphrase-file")
        .arg(&new)
        .assert()
        .code(2);
    assert_eq!(error_of(&refused)["kind"], "wrong_passphrase");

    let done = casebook(&town)
        .args(reset)
        .arg("--new-passphrase-file")
        .arg(&new)
        .assert()
        .success();
    let done: Value = serde_json::from_slice(&done.get_output().stdout).unwrap();
    assert_eq!(done["station"], "BX");
    ok_with(&station, Some("清溪镇人大联络站新密码"), &["case", "list"]);
    let old = casebook(&station)
        .env("CASEBOOK_PASSPHRASE", PASSPHRASE)
        .args(["case", "list"])
        .assert()
        .code(2);
    assert_eq!(error_of(&old)["kind"], "wrong_passphrase");
}
