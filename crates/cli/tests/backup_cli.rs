//! Backups on the command line exactly as issue 15 writes them: `casebook --db X backup --out DIR
//! [--keep N] [--json]` and `casebook --db NEW restore FILE [--json]`.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

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
        .arg(db);
    cmd
}

fn ok(db: &Path, args: &[&str]) -> Value {
    let output = casebook(db).arg("--json").args(args).assert().success();
    serde_json::from_slice(&output.get_output().stdout).unwrap()
}

fn case_numbers(db: &Path) -> Vec<Value> {
    let listed = ok(db, &["case", "list", "--limit", "1000"]);
    let mut numbers: Vec<Value> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|case| case["case_no"].clone())
        .collect();
    numbers.sort_by_key(ToString::to_string);
    numbers
}

#[test]
fn a_backup_to_a_stick_restores_on_a_new_pc_with_every_case() {
    let dir = tempfile::tempdir().unwrap();
    let book = dir.path().join("bx.db");
    ok(
        &book,
        &[
            "init",
            "--station-code",
            "BX",
            "--station-name",
            "东岭村人大代表联络站",
        ],
    );
    ok(&book, &["demo", "--receptions", "30", "--seed", "7"]);
    let stick = dir.path().join("U盘 备份");
    let stick_arg = stick.to_str().unwrap();

    let made: Vec<Value> = (0..3)
        .map(|_| ok(&book, &["backup", "--out", stick_arg, "--keep", "2"]))
        .collect();
    let first = made[0]["path"].as_str().unwrap();
    let name = Path::new(first).file_name().unwrap().to_str().unwrap();
    let seq = made[0]["seq"].as_i64().unwrap();
    assert!(seq > 0);
    let day_and_time = &name["BX-".len()..name.len() - format!("-{seq}.backup").len()];
    assert!(
        name.starts_with("BX-")
            && name.ends_with(&format!("-{seq}.backup"))
            && day_and_time.len() == 13
            && day_and_time.as_bytes()[8] == b'-',
        "{name}"
    );
    assert_eq!(made[0]["encrypted"], true);
    assert_eq!(made[2]["removed"][0].as_str().unwrap(), first);
    assert!(!Path::new(first).exists());

    let newest = made[2]["path"].as_str().unwrap();
    let new_pc = dir.path().join("新电脑").join("bx.db");
    let restored = ok(&new_pc, &["restore", newest]);
    assert_eq!(restored["station"], "BX");
    assert_eq!(restored["seq"], made[2]["seq"]);
    assert_eq!(case_numbers(&new_pc), case_numbers(&book));

    // The human form names the file, its size and that it was checked.
    let output = casebook(&book)
        .args(["backup", "--out", stick_arg])
        .assert()
        .success();
    let text = String::from_utf8(output.get_output().stdout.clone()).unwrap();
    assert!(
        text.starts_with("已备份到 ") && text.contains("已校验，已加密"),
        "{text}"
    );

    // Restoring over a book that exists: refused, exit 2, the book untouched.
    let before = std::fs::read(&book).unwrap();
    let output = casebook(&book)
        .args(["--json", "restore", newest])
        .assert()
        .code(2);
    let refusal: Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(refusal["error"]["kind"], "already_exists");
    assert_eq!(std::fs::read(&book).unwrap(), before);

    // A wrong passphrase opens no backup and makes no book.
    let elsewhere = dir.path().join("elsewhere.db");
    casebook(&elsewhere)
        .env("CASEBOOK_PASSPHRASE", "别的站的密码2026")
        .args(["--json", "restore", newest])
        .assert()
        .code(2);
    assert!(!elsewhere.exists());
}
