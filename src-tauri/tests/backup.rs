//! Backups in the app: the day's backup when the book opens (once a station day, never into a
//! folder that is not there), the backup as the app closes (only within the close's time), and
//! a first-run book made again from a backup with the passphrase of its day. Driven on
//! `Station` directly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use casebook::domain::AuditAction;
use casebook::store::BookKind;
use casebook::store::read::CaseFilter;
use casebook::{Book, ErrorKind};
use liaison_station::error::CommandErrorKind;
use liaison_station::settings::Settings;
use liaison_station::station::{AuditQuery, Paths, Station};

const PASSPHRASE: &str = "东岭村2026年修渡槽";
const NEW_PASSPHRASE: &str = "清溪镇人大联络站密码";

fn core(kind: ErrorKind) -> CommandErrorKind {
    CommandErrorKind::Core(kind)
}

/// An encrypted station book (no roster: nobody needs to sign in) in `dir`, closed, whose
/// settings on this PC back it up into `folder`.
async fn station_backing_up_into(dir: &Path, folder: &Path) -> Paths {
    casebook::time::test_clock::pin_to_noon();
    let paths = Paths::in_dir(dir);
    let station = Station::open(paths.clone(), Instant::now()).unwrap();
    station
        .create_book(
            "DL".into(),
            "东岭村人大代表联络站".into(),
            PASSPHRASE.into(),
        )
        .await
        .unwrap();
    // Written as the 设置 screen keeps them, even for a folder that is not there (a stick
    // chosen once and taken out since).
    Settings {
        backup_dir: folder.display().to_string(),
        ..Settings::default()
    }
    .save(&paths.settings)
    .unwrap();
    paths
}

/// The station at `paths`, unlocked: the window's start.
async fn unlocked(paths: &Paths) -> Station {
    let station = Station::open(paths.clone(), Instant::now()).unwrap();
    station.unlock_book(PASSPHRASE.into(), false).await.unwrap();
    station
}

/// How many backups the audit trail names.
async fn backups_audited(station: &Station) -> usize {
    let page = station
        .audit_trail(AuditQuery {
            from: None,
            to: None,
            deputy: None,
            action: Some(AuditAction::Backup),
            station: None,
            limit: 200,
            offset: 0,
        })
        .await
        .unwrap();
    page.entries.len()
}

/// The backup files in `folder`.
fn backups_in(folder: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "backup"))
        .collect();
    found.sort();
    found
}

/// Waits until `station`'s book records a backup.
async fn until_backed_up(station: &Station) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while station.backup_status().await.unwrap().last.is_none() {
        assert!(Instant::now() < deadline, "no backup was made");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn the_day_s_backup_is_made_once_when_the_book_opens_and_never_into_a_missing_folder() {
    let dir = tempfile::tempdir().unwrap();
    let usb = dir.path().join("usb");
    let paths = station_backing_up_into(dir.path(), &usb).await;

    // The stick is not plugged in: nothing is made, not even the folder, and the screens warn.
    let station = unlocked(&paths).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(!usb.exists(), "the folder is never made");
    let status = station.backup_status().await.unwrap();
    assert!(status.folder_chosen && status.stale && status.last.is_none());
    let refused = station.back_up_now().await.unwrap_err();
    assert_eq!(refused.kind, core(ErrorKind::Invalid));
    assert!(refused.message.contains("请插好U盘"), "{}", refused.message);
    drop(station);

    // Plugged in: the day's backup, in the background, as soon as the book is open.
    std::fs::create_dir_all(&usb).unwrap();
    let station = unlocked(&paths).await;
    until_backed_up(&station).await;
    let status = station.backup_status().await.unwrap();
    assert_eq!((status.days_since, status.stale), (Some(0), false));
    assert_eq!(backups_in(&usb).len(), 1);
    assert_eq!(backups_audited(&station).await, 1);
    drop(station);

    // Opened again the same station day: no second one.
    let station = unlocked(&paths).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(backups_audited(&station).await, 1, "one a day");
}

#[tokio::test]
async fn closing_backs_up_only_after_the_close_and_within_its_time() {
    let dir = tempfile::tempdir().unwrap();
    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let paths = station_backing_up_into(dir.path(), &usb).await;
    let station = unlocked(&paths).await;
    until_backed_up(&station).await;
    assert_eq!(backups_audited(&station).await, 1);

    // The app ending without its window closed (a benchmark's exit): no backup.
    station.back_up_on_close().await;
    assert_eq!(backups_audited(&station).await, 1);

    station.closing(Instant::now() + Duration::from_secs(5));
    // A second × gives no more time than the first.
    station.closing(Instant::now() + Duration::from_secs(3600));
    station.back_up_on_close().await;
    assert_eq!(backups_audited(&station).await, 2, "backed up on close");
    drop(station);

    // The close's time is up (the page hung until the window was destroyed): none is started.
    let station = unlocked(&paths).await;
    station.closing(Instant::now());
    station.back_up_on_close().await;
    assert_eq!(backups_audited(&station).await, 2);
}

#[tokio::test]
async fn a_new_folder_must_be_there_and_the_demo_is_never_backed_up() {
    let dir = tempfile::tempdir().unwrap();
    let usb = dir.path().join("usb");
    let paths = station_backing_up_into(dir.path(), &usb).await;
    let station = unlocked(&paths).await;
    let other = dir.path().join("另一个U盘");
    let refused = station
        .save_settings(Settings {
            backup_dir: other.display().to_string(),
            ..Settings::default()
        })
        .await
        .unwrap_err();
    assert!(
        refused.message.contains("找不到文件夹"),
        "{}",
        refused.message
    );
    // The folder chosen before may be out just now: the other settings still save.
    let kept = station
        .save_settings(Settings {
            large_font: true,
            ..station.settings()
        })
        .await
        .unwrap();
    assert_eq!(kept.backup_dir, usb.display().to_string());
    std::fs::create_dir_all(&other).unwrap();
    station
        .save_settings(Settings {
            backup_dir: other.display().to_string(),
            backup_keep: 2,
            ..Settings::default()
        })
        .await
        .unwrap();
    for _ in 0..3 {
        station.back_up_now().await.unwrap();
    }
    assert_eq!(backups_in(&other).len(), 2, "the number kept");

    let demo = Station::demo(5, Instant::now()).unwrap();
    let refused = demo.back_up_now().await.unwrap_err();
    assert!(
        refused.message.contains("演示台账不备份"),
        "{}",
        refused.message
    );
    // Nor does it remind anyone to back it up.
    assert!(demo.backup_status().await.is_err());
}

#[tokio::test]
async fn a_first_run_book_is_restored_from_a_backup_with_the_passphrase_of_its_day() {
    casebook::time::test_clock::pin_to_noon();
    let dir = tempfile::tempdir().unwrap();
    let usb = dir.path().join("usb");
    let mut lost = Book::create_encrypted(
        &dir.path().join("lost.db"),
        "BX",
        "东岭村人大代表联络站",
        BookKind::Station,
        PASSPHRASE,
    )
    .unwrap();
    lost.import_roster(&liaison_testkit::roster()).unwrap();
    let case = lost
        .add_reception(liaison_testkit::reception("陈建国", "东岭村的渡槽年久失修"))
        .unwrap()
        .case_no;
    let backup = PathBuf::from(lost.backup_into(&usb, None).unwrap().path);
    // Changed after the backup: the backup still opens with the passphrase of its day.
    lost.change_passphrase(NEW_PASSPHRASE).unwrap();
    drop(lost);

    let paths = Paths::in_dir(&dir.path().join("new-pc"));
    let station = Station::open(paths.clone(), Instant::now()).unwrap();
    assert!(station.backup_encrypted(backup.clone()).await.unwrap());
    let missing = station
        .backup_encrypted(usb.join("BX-20261205-1830-9.backup"))
        .await
        .unwrap_err();
    assert_eq!(missing.kind, core(ErrorKind::NotFound));
    let notes = usb.join("说明.txt");
    std::fs::write(&notes, "这是U盘上的说明，不是备份").unwrap();
    let not_a_backup = station.backup_encrypted(notes).await.unwrap_err();
    assert_eq!(not_a_backup.kind, core(ErrorKind::Invalid));

    let refused = |passphrase: Option<&str>| {
        let station = &station;
        let backup = backup.clone();
        let passphrase = passphrase.map(str::to_owned);
        async move {
            station
                .restore_book(backup, passphrase)
                .await
                .unwrap_err()
                .kind
        }
    };
    assert_eq!(refused(None).await, core(ErrorKind::Locked));
    assert_eq!(
        refused(Some(NEW_PASSPHRASE)).await,
        core(ErrorKind::WrongPassphrase)
    );
    assert!(!paths.book.exists(), "nothing made");

    let status = station
        .restore_book(backup.clone(), Some(PASSPHRASE.into()))
        .await
        .unwrap();
    assert!(status.open && status.encrypted);
    assert_eq!(status.code.as_deref(), Some("BX"));
    assert!(
        status.sign_in_required,
        "the roster came back with the book"
    );
    assert_eq!(
        refused(Some(PASSPHRASE)).await,
        core(ErrorKind::AlreadyExists)
    );
    let restored = Book::open_with_passphrase(&paths.book, Some(PASSPHRASE)).unwrap();
    let cases = restored
        .list_cases(&CaseFilter {
            limit: 50,
            ..CaseFilter::default()
        })
        .unwrap();
    assert_eq!(
        cases.iter().map(|c| c.case_no.as_str()).collect::<Vec<_>>(),
        [case.as_str()]
    );
}
