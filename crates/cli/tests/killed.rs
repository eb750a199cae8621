//! A power cut, simulated by SIGKILL, in the middle of a backup, a restore, a new PC's book
//! being made from the town's enrolment file with the station's records in it, or a restored
//! station's import of the town's bundle that brings its log back: the book stays whole, no
//! half file stands under a finished one's name, and the command run again completes the work.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use casebook::time::test_clock;
use rusqlite::{Connection, OpenFlags};

/// Kills after these many milliseconds, one round each: early rounds land in the work, later
/// ones may find it done.
const DELAYS_MS: [u64; 9] = [0, 2, 5, 10, 20, 50, 100, 200, 400];

fn casebook(db: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_casebook"));
    cmd.env_remove("CASEBOOK_DB")
        .env_remove("CASEBOOK_PASSPHRASE")
        .env(test_clock::SHIFT_VAR, test_clock::pin_to_noon().to_string())
        .arg("--db")
        .arg(db)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    cmd
}

fn run(db: &Path, args: &[&str]) {
    let status = casebook(db).args(args).status().unwrap();
    assert!(status.success(), "casebook {args:?}: {status}");
}

/// Runs `casebook --db DB ARGS` and kills it after `delay`; whether it was still running.
fn killed_after(db: &Path, args: &[&str], delay: u64) -> bool {
    let mut child = casebook(db).args(args).spawn().unwrap();
    std::thread::sleep(Duration::from_millis(delay));
    let running = child.try_wait().unwrap().is_none();
    if running {
        child.kill().unwrap();
    }
    child.wait().unwrap();
    running
}

/// The book at `path` passes `integrity_check`; how many receptions it holds.
fn whole(path: &Path) -> i64 {
    let conn = Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_WRITE).unwrap();
    let verdict: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(verdict, "ok", "{}", path.display());
    conn.query_row("SELECT count(*) FROM receptions", [], |r| r.get(0))
        .unwrap()
}

fn files_ending(dir: &Path, ending: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.to_string_lossy().ends_with(ending))
        .collect()
}

/// A plain station book BX with the demo's receptions.
fn station(dir: &Path, receptions: &str) -> PathBuf {
    let book = dir.join("bx.db");
    run(
        &book,
        &[
            "init",
            "--no-encryption",
            "--station-code",
            "BX",
            "--station-name",
            "东岭村人大代表联络站",
        ],
    );
    run(&book, &["demo", "--receptions", receptions, "--seed", "9"]);
    book
}

#[test]
fn a_backup_or_a_restore_killed_at_any_moment_leaves_nothing_half_and_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let book = station(dir.path(), "3000");
    let receptions = whole(&book);
    let usb = dir.path().join("usb");
    let usb_arg = usb.to_str().unwrap();

    let mut cut = 0;
    for delay in DELAYS_MS {
        cut += usize::from(killed_after(
            &book,
            &["backup", "--out", usb_arg, "--keep", "3"],
            delay,
        ));
        assert_eq!(whole(&book), receptions, "the book itself");
        for backup in files_ending(&usb, ".backup") {
            assert_eq!(
                whole(&backup),
                receptions,
                "a backup under its name is whole"
            );
        }
    }
    println!(
        "backup: {cut} of {} rounds killed while running",
        DELAYS_MS.len()
    );
    assert!(cut >= 1, "no kill landed inside a backup");
    run(&book, &["backup", "--out", usb_arg, "--keep", "3"]);
    assert!(
        files_ending(&usb, ".partial").is_empty(),
        "cut copies removed"
    );
    let backup = files_ending(&usb, ".backup").pop().unwrap();
    let backup_arg = backup.to_str().unwrap();

    let restored = dir.path().join("new-pc").join("bx.db");
    let mut cut = 0;
    for delay in DELAYS_MS {
        let _ = std::fs::remove_file(&restored);
        cut += usize::from(killed_after(&restored, &["restore", backup_arg], delay));
        if restored.exists() {
            assert_eq!(whole(&restored), receptions, "a restored book is whole");
        }
    }
    println!(
        "restore: {cut} of {} rounds killed while running",
        DELAYS_MS.len()
    );
    assert!(cut >= 1, "no kill landed inside a restore");
    let _ = std::fs::remove_file(&restored);
    run(&restored, &["restore", backup_arg]);
    assert_eq!(whole(&restored), receptions);
    assert!(files_ending(restored.parent().unwrap(), ".restoring").is_empty());
}

#[test]
fn a_new_pc_killed_while_taking_its_records_back_from_the_town_runs_again() {
    let dir = tempfile::tempdir().unwrap();
    let town = dir.path().join("town.db");
    run(
        &town,
        &[
            "init",
            "--no-encryption",
            "--town",
            "--station-code",
            "QX",
            "--station-name",
            "清溪镇人大",
        ],
    );
    let roster = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/roster.json");
    run(&town, &["roster", "import", roster.to_str().unwrap()]);
    let stick = dir.path().join("stick");
    let stick_arg = stick.to_str().unwrap();
    run(
        &town,
        &["enrol", "export", "--station", "BX", "--out", stick_arg],
    );
    let book = dir.path().join("bx.db");
    let enrolment = stick.join("BX.enrol");
    // The station's book made from the enrolment file on the stick, its keys written back.
    let init_from_stick = [
        "init",
        "--no-encryption",
        "--enrolment",
        enrolment.to_str().unwrap(),
        "--out",
        stick_arg,
    ];
    run(&book, &init_from_stick);
    run(
        &town,
        &["enrol", "accept", stick.join("BX.keys").to_str().unwrap()],
    );
    test_clock::pin_to_noon();
    let an_hour_ago =
        casebook::time::stored(casebook::time::china_now() - chrono::TimeDelta::hours(1));
    let reception = serde_json::json!({
        "received_at": an_hour_ago, "channel": "到站接待", "deputies": ["陈建国"],
        "visitors": [{"name": "梁秀英", "age": 61}],
        "category": "山林土地", "matter": "村道路灯不亮，晚上出行不便",
        "request": "请求处理", "consent": true
    })
    .to_string();
    for _ in 0..100 {
        let mut child = casebook(&book)
            .args(["reception", "add", "--file", "-"])
            .stdin(Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(reception.as_bytes())
            .unwrap();
        assert!(child.wait().unwrap().success());
    }
    let up = dir.path().join("up");
    run(
        &book,
        &[
            "bundle",
            "export",
            "--to",
            "QX",
            "--out",
            up.to_str().unwrap(),
        ],
    );
    for bundle in files_ending(&up, ".lsb") {
        run(&town, &["bundle", "import", bundle.to_str().unwrap()]);
    }
    let receptions = whole(&book);

    // The PC dies; a new one is made from a new enrolment file that brings the log back.
    std::fs::remove_file(&book).unwrap();
    std::fs::remove_dir_all(&stick).unwrap();
    run(
        &town,
        &["enrol", "export", "--station", "BX", "--out", stick_arg],
    );
    let mut cut = 0;
    for delay in DELAYS_MS {
        let _ = std::fs::remove_file(&book);
        cut += usize::from(killed_after(&book, &init_from_stick, delay));
        if book.exists() {
            // Never a half-made book: whole, with every reception back.
            assert_eq!(whole(&book), receptions);
        }
    }
    println!(
        "recovery: {cut} of {} rounds killed while running",
        DELAYS_MS.len()
    );
    assert!(cut >= 1, "no kill landed inside the recovery");
    let _ = std::fs::remove_file(&book);
    run(&book, &init_from_stick);
    assert_eq!(whole(&book), receptions, "every reception back");
    assert!(files_ending(dir.path(), ".enrolling").is_empty());
}

/// A station restored from a backup, with receptions typed since: the town's bundle brings
/// back what the backup missed, and the typed ones are set aside, follow under new seqs and
/// take new numbers. Killed at any moment, the import leaves the book as it was or finished,
/// never between; run again, it completes.
#[test]
fn a_restored_station_killed_while_taking_its_log_back_runs_again() {
    use casebook::Book;
    use liaison_testkit::{reception, town_and_station};

    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("bundles");
    let (mut town, mut station) = town_and_station(dir.path());
    let send = |from: &mut Book, to: &mut Book| {
        let code = to.origin().code.clone();
        let path = from.export_bundle(&code, &out).unwrap().path?;
        to.import_bundle(&std::fs::read(&path).unwrap()).unwrap();
        Some(path)
    };
    let record = |book: &mut Book, count: usize, what: &str| {
        for n in 0..count {
            book.add_reception(reception("陈建国", &format!("{what}第{n}件")))
                .unwrap();
        }
    };
    record(&mut station, 1_000, "备份前");
    send(&mut station, &mut town);
    let backup = station.backup_into(&dir.path().join("usb"), None).unwrap();
    record(&mut station, 500, "备份后");
    send(&mut station, &mut town);
    drop(station);
    let restored_path = dir.path().join("restored.db");
    let mut restored = Book::restore(Path::new(&backup.path), &restored_path, None).unwrap();
    record(&mut restored, 20, "恢复后");
    send(&mut restored, &mut town);
    let down = town
        .export_bundle("BX", &out)
        .unwrap()
        .path
        .expect("the town sends the lost log back");
    drop(restored);
    let before = whole(&restored_path);
    assert_eq!(before, 1_020);

    let import = ["bundle", "import", down.to_str().unwrap()];
    let mut cut = 0;
    for delay in DELAYS_MS {
        cut += usize::from(killed_after(&restored_path, &import, delay));
        let receptions = whole(&restored_path);
        assert!(
            receptions == before || receptions == 1_520,
            "all or nothing: {receptions} receptions"
        );
    }
    println!(
        "recovery import: {cut} of {} rounds killed while running",
        DELAYS_MS.len()
    );
    assert!(cut >= 1, "no kill landed inside the import");
    run(&restored_path, &import);
    assert_eq!(whole(&restored_path), 1_520);
    let book = Book::open(&restored_path).unwrap();
    assert_eq!(book.renumbered().unwrap().len(), 20, "each typed one once");
    assert!(book.bundle_status().unwrap()[0].held_back.is_none());
}
