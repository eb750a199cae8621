//! A station's own backups: taken while the app has the book open, checked, encrypted like the
//! book, pruned to the number kept without touching anything else in the folder, and a book
//! made again from one with every record in it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use casebook::domain::AuditChannel;
use casebook::store::BookKind;
use casebook::{Book, ErrorKind};
use liaison_testkit::{case_numbers, leaks, reception, roster};

const PASSPHRASE: &str = "东岭村2026年修渡槽";
const MATTER: &str = "东岭村的渡槽年久失修";

fn encrypted_station(dir: &Path, receptions: usize) -> Book {
    let mut book = Book::create_encrypted(
        &dir.join("bx.db"),
        "BX",
        "东岭村人大代表联络站",
        BookKind::Station,
        PASSPHRASE,
    )
    .unwrap();
    book.import_roster(&roster()).unwrap();
    for _ in 0..receptions {
        book.add_reception(reception("陈建国", MATTER)).unwrap();
    }
    book
}

#[test]
fn a_backup_taken_while_the_app_writes_holds_every_saved_record_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = encrypted_station(dir.path(), 3);
    // The CLI's backup, while the app has the book open and goes on saving.
    let mut cli = Book::open_with_passphrase(&dir.path().join("bx.db"), Some(PASSPHRASE)).unwrap();
    app.add_reception(reception("陈建国", MATTER)).unwrap();
    let usb = dir.path().join("U盘").join("台账备份");
    let made = cli.backup_into(&usb, None).unwrap();
    app.add_reception(reception("陈建国", MATTER)).unwrap();

    let name = Path::new(&made.path).file_name().unwrap().to_str().unwrap();
    let pattern = format!(
        "BX-{}-{}.backup",
        &made.taken_at[..10].replace('-', ""),
        made.seq
    );
    assert!(
        name.starts_with(&pattern[..11]) && name.ends_with(&format!("-{}.backup", made.seq)),
        "{name} is not like {pattern}"
    );
    assert_eq!(
        name.len(),
        "BX-20261205-1830-".len() + made.seq.to_string().len() + 7
    );
    assert!(made.encrypted);
    let last = cli.last_backup().unwrap().unwrap();
    assert_eq!(
        (last.path.as_str(), last.taken_at.as_str()),
        (made.path.as_str(), made.taken_at.as_str())
    );
    assert_eq!(
        app.last_backup().unwrap(),
        Some(last),
        "the app sees the CLI's backup"
    );
    assert_eq!(made.bytes, std::fs::metadata(&made.path).unwrap().len());
    assert!(
        leaks(&usb, &[MATTER, "东岭村人大代表联络站"]).is_empty(),
        "the backup shows nothing"
    );
    // Nothing but the backup and its key slots: no partial copy, no -wal or -shm left behind.
    let mut files: Vec<String> = std::fs::read_dir(&usb)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(files, [name.to_owned(), format!("{name}-slots")]);

    let restored_path = dir.path().join("新电脑").join("bx.db");
    let restored = Book::restore(Path::new(&made.path), &restored_path, Some(PASSPHRASE)).unwrap();
    assert_eq!(
        case_numbers(&restored).len(),
        4,
        "the fifth came after the backup"
    );
    assert_eq!(restored.origin().code, "BX");
    drop(restored);
    assert_eq!(
        Book::open(&restored_path).unwrap_err().kind(),
        ErrorKind::Locked,
        "the restored book is encrypted as the backup was"
    );
}

#[test]
fn keep_removes_only_this_stations_oldest_backups() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = encrypted_station(dir.path(), 1);
    // As at the app or the CLI, which keep the audit trail: each backup is an entry in it.
    book.set_channel(AuditChannel::App);
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let others = [
        "QX-20200101-0000-1.backup",
        "BXY-20200101-0000-1.backup",
        "BX-20200101-0000-1.backup.txt",
        "说明.txt",
    ];
    for other in others {
        std::fs::write(usb.join(other), "not ours").unwrap();
    }
    let made: Vec<_> = (0..4)
        .map(|_| book.backup_into(&usb, Some(2)).unwrap())
        .collect();
    // Each backup is audited, so each holds one change more and has a name of its own.
    assert!(made.windows(2).all(|pair| pair[0].seq < pair[1].seq));
    assert_eq!(made[2].removed, [made[0].path.clone()]);
    assert_eq!(made[3].removed, [made[1].path.clone()]);
    for (n, backup) in made.iter().enumerate() {
        assert_eq!(Path::new(&backup.path).exists(), n >= 2, "{}", backup.path);
        let slots = format!("{}-slots", backup.path);
        assert_eq!(Path::new(&slots).exists(), n >= 2, "{slots}");
    }
    for other in others {
        assert!(usb.join(other).exists(), "{other} is not this station's");
    }
    assert_eq!(
        book.backup_into(&usb, Some(0)).unwrap_err().kind(),
        ErrorKind::Invalid
    );
}

#[test]
fn a_backup_cut_short_is_removed_by_the_next_of_the_same_station() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = encrypted_station(dir.path(), 1);
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    // The app ended half-way through an earlier backup: its copy and slots under their
    // temporary names. Another station's, and anything else, stay.
    let cut = [
        "BX-20200101-0000-1.backup.partial",
        "BX-20200101-0000-1.backup.partial-slots",
    ];
    let others = ["QX-20200101-0000-1.backup.partial", "BX-笔记.partial"];
    for name in cut.iter().chain(&others) {
        std::fs::write(usb.join(name), "cut short").unwrap();
    }
    let made = book.backup_into(&usb, Some(10)).unwrap();
    assert!(Path::new(&made.path).exists());
    for name in cut {
        assert!(!usb.join(name).exists(), "{name} is removed");
    }
    for name in others {
        assert!(usb.join(name).exists(), "{name} is not this station's");
    }
}

#[test]
fn a_restore_refuses_a_damaged_backup_a_wrong_passphrase_and_an_existing_book() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = encrypted_station(dir.path(), 2);
    let made = book.backup_into(&dir.path().join("usb"), None).unwrap();
    let backup = Path::new(&made.path);
    let target = dir.path().join("restored.db");

    assert_eq!(
        Book::restore(backup, &target, None).unwrap_err().kind(),
        ErrorKind::Locked
    );
    assert_eq!(
        Book::restore(backup, &target, Some("另一个站的密码2026"))
            .unwrap_err()
            .kind(),
        ErrorKind::WrongPassphrase
    );
    assert!(!target.exists());

    // The book being restored over is never touched.
    let existing = dir.path().join("bx.db");
    let before = std::fs::read(&existing).unwrap();
    assert_eq!(
        Book::restore(backup, &existing, Some(PASSPHRASE))
            .unwrap_err()
            .kind(),
        ErrorKind::AlreadyExists
    );
    assert_eq!(std::fs::read(&existing).unwrap(), before);

    // A backup damaged on the stick: a page in the middle overwritten.
    let damaged = dir.path().join("damaged.backup");
    let mut bytes = std::fs::read(backup).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle..middle + 64].fill(0x5a);
    std::fs::write(&damaged, &bytes).unwrap();
    std::fs::copy(
        format!("{}-slots", made.path),
        dir.path().join("damaged.backup-slots"),
    )
    .unwrap();
    let err = Book::restore(&damaged, &target, Some(PASSPHRASE)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Storage, "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.starts_with("restored"))
        .collect();
    assert!(left.is_empty(), "nothing made: {left:?}");

    // A plain file that is no book at all.
    let text = dir.path().join("notes.backup");
    std::fs::write(&text, "not a book, no slots either").unwrap();
    assert_eq!(
        Book::restore(&text, &target, Some(PASSPHRASE))
            .unwrap_err()
            .kind(),
        ErrorKind::Invalid
    );
}

#[test]
fn a_plain_books_backup_restores_without_a_passphrase() {
    let dir = tempfile::tempdir().unwrap();
    let mut book = Book::create(
        &dir.path().join("demo.db"),
        "BX",
        "东岭村人大代表联络站",
        BookKind::Station,
    )
    .unwrap();
    book.import_roster(&roster()).unwrap();
    book.add_reception(reception("陈建国", MATTER)).unwrap();
    assert_eq!(book.last_backup().unwrap(), None);
    let made = book.backup_into(dir.path(), Some(10)).unwrap();
    assert!(!made.encrypted);
    // Nothing written since (a library keeps no audit trail): a second backup of the same
    // minute holds the same log and takes the first one's place, or is the next minute's.
    let again = book.backup_into(dir.path(), Some(10)).unwrap();
    assert!(again.path == made.path || again.taken_at > made.taken_at);
    assert!(!Path::new(&format!("{}-slots", made.path)).exists());
    let restored =
        Book::restore(Path::new(&made.path), &dir.path().join("again.db"), None).unwrap();
    assert_eq!(case_numbers(&restored), case_numbers(&book));
}
