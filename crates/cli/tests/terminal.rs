//! What the `casebook` binary writes to a terminal: never a raw control sequence, whatever a
//! book holds (one edited by hand, or written before the limits) or a deputy types.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use assert_cmd::Command;
use casebook::Book;
use casebook::domain::{ReceptionInput, RosterFile};
use casebook::store::BookKind;
use serde_json::json;

const ESCAPES: &str = "\u{1b}[2J\u{1b}]0;pwned\u{7}\u{9b}31m";

fn casebook(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("casebook").unwrap();
    cmd.env_remove("CASEBOOK_DB").arg("--db").arg(db);
    cmd
}

fn raw_controls(text: &str) -> Vec<char> {
    text.chars()
        .filter(|c| c.is_control() && !matches!(c, '\n' | '\t'))
        .collect()
}

/// A station book with one reception (on a fixed past day) whose visitor's name and matter
/// were then edited in the database to carry escape sequences.
fn book_with_escapes(dir: &Path) -> (std::path::PathBuf, String) {
    let db = dir.join("bx.db");
    let mut book = Book::create(&db, "BX", "东岭村人大代表联络站", BookKind::Station).unwrap();
    let roster: RosterFile = serde_json::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster.json"),
        )
        .unwrap(),
    )
    .unwrap();
    book.import_roster(&roster).unwrap();
    let input: ReceptionInput = serde_json::from_value(json!({
        "received_at": "2026-11-20T09:00:00+08:00", "channel": "到站接待",
        "deputies": ["陈建国"], "category": "村务管理", "consent": true,
        "matter": "路灯坏了", "request": "请求维修",
        "visitors": [{"name": "梁秀英", "phone": "13800138000"}],
    }))
    .unwrap();
    let case_no = book.add_reception(input).unwrap().case_no;
    drop(book);
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute(
        "UPDATE receptions SET body = json_set(body, '$.visitors[0].name', ?1, '$.matter', ?2)",
        [format!("梁{ESCAPES}秀英"), format!("路灯{ESCAPES}坏了")],
    )
    .unwrap();
    (db, case_no)
}

#[test]
fn escape_sequences_in_a_book_are_printed_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let (db, case_no) = book_with_escapes(dir.path());
    for args in [vec!["case", "show", case_no.as_str()], vec!["case", "list"]] {
        let output = casebook(&db).args(&args).assert().success();
        let stdout = String::from_utf8(output.get_output().stdout.clone()).unwrap();
        assert_eq!(raw_controls(&stdout), [], "{args:?} wrote {stdout:?}");
        assert!(stdout.contains("\\u{1b}[2J"), "{args:?}: {stdout}");
    }
    // JSON output escapes them as JSON does; a program reads the same text back.
    let output = casebook(&db)
        .args(["--json", "case", "show", &case_no])
        .assert()
        .success();
    let shown: serde_json::Value = serde_json::from_slice(&output.get_output().stdout).unwrap();
    assert_eq!(
        shown["reception"]["visitors"][0]["name"],
        format!("梁{ESCAPES}秀英")
    );
}

#[test]
fn a_visitor_name_with_an_escape_sequence_is_refused_and_not_echoed() {
    let dir = tempfile::tempdir().unwrap();
    let (db, _) = book_with_escapes(dir.path());
    let file = dir.path().join("r.json");
    std::fs::write(
        &file,
        json!({
            "received_at": "2026-11-20T10:00:00+08:00", "channel": "到站接待",
            "deputies": [format!("陈{ESCAPES}建国")], "category": "村务管理", "consent": true,
            "matter": "路灯坏了", "request": "请求维修",
            "visitors": [{"name": format!("梁{ESCAPES}秀英")}],
        })
        .to_string(),
    )
    .unwrap();
    let output = casebook(&db)
        .args(["reception", "add", "--file"])
        .arg(&file)
        .assert()
        .code(2);
    let stderr = String::from_utf8(output.get_output().stderr.clone()).unwrap();
    assert_eq!(raw_controls(&stderr), [], "{stderr:?}");
    assert!(stderr.contains("控制字符"), "{stderr}");
}
