//! `casebook` on a book from an older or a newer version: an upgrade killed (SIGKILL) at any
//! moment leaves the book whole, at its old version or fully upgraded, and the next command
//! finishes it; a copy kept beside the book until the next start; a newer book refused as
//! `book_too_new`, the file unchanged.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, SystemTime};

use casebook::store::{SCHEMA_VERSION, migrations};
use casebook::time::test_clock;
use rusqlite::{Connection, OpenFlags};

/// Enough receptions that the upgrade's index takes a while to build (and the copy before it
/// to write), so that kills land inside it.
const RECEPTIONS: i64 = 50_000;

/// The data version the old book is at: the upgrade adds the sign-in tables (006) and the index
/// of open cases over every reception (007).
const OLD_VERSION: i64 = 5;

/// A book at [`OLD_VERSION`] as that version wrote it, in WAL mode, with [`RECEPTIONS`] cases.
fn old_book(path: &Path) {
    let mut conn = Connection::open(path).unwrap();
    conn.pragma_update(None, "journal_mode", "WAL").unwrap();
    migrations()
        .to_version(&mut conn, OLD_VERSION as usize)
        .unwrap();
    conn.execute_batch(&format!(
        "INSERT INTO book_meta VALUES ('origin_code', 'BX'), ('origin_name', '东岭村联络站'),
             ('kind', 'station'), ('created_at', '2026-01-05T09:00:00+08:00'), ('hlc', '7');
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < {RECEPTIONS})
         INSERT INTO receptions (id, case_no, station, case_year, case_seq, received_at, channel,
             category, head_count, reply_due, status, due, body)
         SELECT printf('r%d', i), printf('BX-2026-%06d', i), 'BX', 2026, i,
             '2026-01-05T09:00:00+08:00', 'visit', '邻里', 1, '2026-01-20',
             CASE i % 3 WHEN 0 THEN 'pending' WHEN 1 THEN 'closed' ELSE 'replied' END,
             printf('2026-%02d-%02d', 1 + i % 12, 1 + i % 28), printf('{{\"matter\":\"%0120d\"}}', i)
         FROM n;"
    ))
    .unwrap();
}

/// `casebook --db PATH changes` (a read-only command), started and left running.
fn start_reading(path: &Path) -> Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
        .env_remove("CASEBOOK_DB")
        .env_remove("CASEBOOK_PASSPHRASE")
        .env(test_clock::SHIFT_VAR, test_clock::pin_to_noon().to_string())
        .arg("--db")
        .arg(path)
        .args(["--json", "changes"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// When the file at `path` was last written, if it is there: a copy renamed into place is a
/// new write.
fn written(path: &Path) -> Option<SystemTime> {
    std::fs::metadata(path)
        .and_then(|meta| meta.modified())
        .ok()
}

/// Checks the book at `path` is whole and holds every case, at its old version or fully
/// upgraded (the sign-in tables and the index of open cases both there, or neither); its
/// version.
fn whole(path: &Path) -> i64 {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).unwrap();
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(verdict, "ok");
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT count(*) FROM receptions"), RECEPTIONS);
    let upgraded_parts = count(
        "SELECT count(*) FROM sqlite_master WHERE name IN ('audit', 'receptions_open_by_due')",
    );
    match version {
        OLD_VERSION => assert_eq!(upgraded_parts, 0),
        SCHEMA_VERSION => assert_eq!(upgraded_parts, 2),
        other => panic!("data version {other}: neither the old one nor the latest"),
    }
    version
}

/// Kills `casebook` at moments through the upgrade of a large old book, some counted from the
/// start (in the copy before the upgrade, or before it), some from the moment the copy is in
/// place (in the migration), later each round: after every kill the book is whole and at one
/// version or the other, and the command run again finishes the upgrade with every case there.
#[test]
fn an_upgrade_killed_at_any_moment_leaves_the_book_whole_and_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bx.db");
    old_book(&path);
    let copy = dir
        .path()
        .join(format!("bx.db.before-upgrade-v{OLD_VERSION}.backup"));

    let (mut rounds, mut cut_in_migration, mut cut_before, mut finished) = (0, 0, 0, 0);
    'delays: for delay in [0, 1, 2, 5, 10, 20, 50, 100, 200, 400, 800, 1600, 3200] {
        for from_copy in [true, false] {
            rounds += 1;
            let copied_before = written(&copy);
            let mut child = start_reading(&path);
            if from_copy {
                while written(&copy) == copied_before && child.try_wait().unwrap().is_none() {
                    std::thread::sleep(Duration::from_millis(1));
                }
            }
            std::thread::sleep(Duration::from_millis(delay));
            let running = child.try_wait().unwrap().is_none();
            if running {
                child.kill().unwrap();
            }
            let status = child.wait().unwrap();
            let copied = written(&copy) != copied_before;
            let version = whole(&path);
            match (running, version) {
                (false, _) => {
                    assert!(status.success(), "{status}");
                    finished += 1;
                }
                (true, OLD_VERSION) if copied => cut_in_migration += 1,
                (true, OLD_VERSION) => cut_before += 1,
                (true, _) => {}
            }
            if version == SCHEMA_VERSION {
                break 'delays;
            }
        }
    }
    println!(
        "{rounds} rounds: {cut_in_migration} killed in the migration (the copy in place, the \
         book not yet upgraded), {cut_before} killed before it, {finished} finished"
    );
    assert!(
        cut_in_migration >= 1,
        "no kill landed inside the migration: make it slower"
    );

    // The command run again finishes the upgrade, when the last round did not.
    if whole(&path) == OLD_VERSION {
        let status = start_reading(&path).wait().unwrap();
        assert!(status.success(), "{status}");
    }
    assert_eq!(whole(&path), SCHEMA_VERSION);
    assert_eq!(whole(&copy), OLD_VERSION, "the copy is the book as it was");
    assert!(
        !dir.path()
            .join(format!(
                "bx.db.before-upgrade-v{OLD_VERSION}.backup.partial"
            ))
            .exists()
    );

    // The next start needs no upgrade: the copy goes.
    let status = start_reading(&path).wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(!copy.exists());
}

/// A book that a newer version upgraded is refused (exit 2, `book_too_new`) with the version to
/// install, and the file is left as it was.
#[test]
fn a_book_from_a_newer_version_is_refused_untouched() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bx.db");
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA journal_mode = WAL;
         CREATE TABLE book_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
         INSERT INTO book_meta VALUES ('software_version', '9.1.0');
         PRAGMA user_version = {};",
        SCHEMA_VERSION + 1
    ))
    .unwrap();
    drop(conn);
    let before = std::fs::read(&path).unwrap();

    let output = std::process::Command::new(env!("CARGO_BIN_EXE_casebook"))
        .env_remove("CASEBOOK_DB")
        .env_remove("CASEBOOK_PASSPHRASE")
        .arg("--db")
        .arg(&path)
        .args(["--json", "changes"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let answer: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["error"]["kind"], "book_too_new");
    let message = answer["error"]["message"].as_str().unwrap();
    assert!(
        message.contains("请安装联络站台账 9.1.0 或更新的版本"),
        "{message}"
    );
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let beside: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name())
        .collect();
    assert_eq!(beside, ["bx.db"]);
}
