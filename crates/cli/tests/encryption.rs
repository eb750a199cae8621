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
