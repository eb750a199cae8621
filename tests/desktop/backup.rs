//! Backups from the window: a folder chosen on 设置 and 立即备份, shown on 今日值班; the warning
//! when the last backup is old or there is none (the stick out: nothing is made); the day's
//! backup when the book opens and the one as the window closes; and a new PC's book restored
//! from an encrypted backup in the first-run wizard.

use std::path::{Path, PathBuf};

use casebook::Book;
use casebook::domain::AuditAction;
use casebook::store::audit::AuditFilter;
use casebook::store::read::CaseFilter;

use crate::books;
use crate::driver::{App, app_binary, launch, launch_days_later};
use crate::unlock::{PASSPHRASE, retype};

/// `2026-12-05T18:30:00+08:00` → `上次备份：2026年12月5日 18:30`, as the screens say it.
fn last_backup_line(taken_at: &str) -> String {
    let number = |from: usize, to: usize| taken_at[from..to].parse::<u32>().expect("a number");
    format!(
        "上次备份：{}年{}月{}日 {}",
        number(0, 4),
        number(5, 7),
        number(8, 10),
        &taken_at[11..16]
    )
}

/// The backup files in `folder`.
fn backups_in(folder: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(folder)
        .expect("the folder")
        .map(|entry| entry.expect("an entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "backup"))
        .collect();
    found.sort();
    found
}

/// The settings of this PC for `station`'s book, backing it up into `folder`.
fn back_up_into(station: &books::Station, folder: &Path) {
    let settings = serde_json::json!({"backup_dir": folder});
    std::fs::write(
        station.db.with_extension("settings.json"),
        settings.to_string(),
    )
    .expect("the settings file");
}

/// How many backups the book's audit trail names.
fn backups_audited(station: &books::Station) -> usize {
    station
        .book()
        .audit_trail(&AuditFilter {
            action: Some(AuditAction::Backup),
            ..AuditFilter::default()
        })
        .expect("the audit trail")
        .len()
}

async fn until_today_says(app: &App, text: &str) {
    app.open("nav-today", "今日值班").await;
    app.until_text("backup-last", text).await;
}

#[tokio::test]
async fn a_folder_chosen_on_settings_takes_a_backup_that_today_shows() {
    let station = books::station(30);
    let usb = station.dir.path().join("usb");
    std::fs::create_dir_all(&usb).expect("the stick");
    let app = launch(app_binary(), &station.args()).await;
    // Never backed up, no folder chosen: 今日值班 says so and leads to 设置.
    app.until_text("backup-warning", "还没有设置备份文件夹")
        .await;
    assert!(app.text_of("backup-last").await.contains("还没有备份过"));
    app.click_testid("backup-go-settings").await;
    app.until_text("page-title", "设置").await;

    app.type_into("settings-backup-dir", &usb.display().to_string())
        .await;
    app.click_testid("settings-back-up").await;
    app.until_text("settings-backup-result", "已备份").await;
    let made = backups_in(&usb);
    assert_eq!(made.len(), 1, "{made:?}");
    let name = made[0].file_name().expect("a name").to_string_lossy();
    assert!(
        app.text_of("settings-backup-result").await.contains(&*name),
        "the result names {name}"
    );
    assert!(name.starts_with("DL-"), "{name}");

    let last = station
        .book()
        .last_backup()
        .expect("read the last backup")
        .expect("a backup recorded");
    until_today_says(&app, &last_backup_line(&last.taken_at)).await;
    assert_eq!(app.count("backup-warning").await, 0, "no warning");
    app.close().await;
}

#[tokio::test]
async fn a_backup_older_than_seven_days_warns_and_an_absent_stick_gets_nothing() {
    let station = books::station(30);
    let made = station
        .book()
        .backup_into(&station.dir.path().join("usb"), Some(10))
        .expect("a backup");
    // The folder chosen is on a stick that is not plugged in now.
    let out = station.dir.path().join("stick-out");
    back_up_into(&station, &out);

    let app = launch_days_later(app_binary(), &station.args(), 10).await;
    app.until_text("backup-warning", "已超过7天没有备份台账")
        .await;
    assert!(
        app.text_of("backup-last")
            .await
            .contains(&last_backup_line(&made.taken_at))
    );
    app.screenshot("today-backup-reminder").await;
    app.open("nav-sync", "同步").await;
    app.until_text("backup-warning", "请插上U盘").await;

    // 立即备份 from the warning says where the stick should be.
    app.click_testid("backup-now-reminder").await;
    app.until("the message that the folder is missing", || async {
        app.texts(".el-message")
            .await
            .iter()
            .any(|text| text.contains("请插好U盘"))
    })
    .await;
    app.close().await;
    assert!(!out.exists(), "an automatic backup never makes the folder");
    let last = station.book().last_backup().expect("read the last backup");
    assert_eq!(
        last.map(|last| last.path),
        Some(made.path),
        "no backup since"
    );
}

#[tokio::test]
async fn the_book_is_backed_up_when_it_opens_and_when_the_window_closes() {
    let station = books::station(30);
    let usb = station.dir.path().join("usb");
    std::fs::create_dir_all(&usb).expect("the stick");
    back_up_into(&station, &usb);

    let app = launch(app_binary(), &station.args()).await;
    // The day's backup, made in the background as the book opened.
    app.until("the day's backup", || async { backups_in(&usb).len() == 1 })
        .await;
    app.open("nav-sync", "同步").await;
    app.until_text("backup-last", "上次备份：").await;
    assert_eq!(app.count("backup-warning").await, 0);
    app.close_window_as_deputy().await;

    assert_eq!(backups_audited(&station), 2, "backed up on close");
    let backups = backups_in(&usb);
    assert_eq!(backups.len(), 2, "{backups:?}");
    let last = station
        .book()
        .last_backup()
        .expect("read the last backup")
        .expect("a backup recorded");
    assert_eq!(Path::new(&last.path), backups[1].as_path());
    let partial: Vec<_> = std::fs::read_dir(&usb)
        .expect("the stick")
        .filter_map(|entry| entry.ok())
        .filter(|entry| entry.file_name().to_string_lossy().ends_with(".partial"))
        .collect();
    assert!(partial.is_empty(), "nothing half-written");
}

#[tokio::test]
async fn a_new_pc_starts_from_an_encrypted_backup_and_lists_its_cases() {
    let station = books::station(30);
    Book::encrypt_in_place(&station.db, PASSPHRASE).expect("encrypt the book");
    let mut book = Book::open_with_passphrase(&station.db, Some(PASSPHRASE)).expect("open");
    let made = book
        .backup_into(&station.dir.path().join("usb"), None)
        .expect("an encrypted backup");
    assert!(made.encrypted);
    let newest = book
        .list_cases(&CaseFilter {
            limit: 1,
            ..CaseFilter::default()
        })
        .expect("the cases")
        .remove(0)
        .case_no;
    drop(book);

    let db = station.dir.path().join("new-pc").join("dl.db");
    let app = launch(app_binary(), &["--db".into(), db.display().to_string()]).await;
    app.until_text("page-title", "首次使用").await;
    app.click_testid("wizard-mode-backup").await;
    app.type_into("wizard-backup-path", &made.path).await;
    app.click_testid("wizard-backup-read").await;
    app.type_into("wizard-backup-passphrase", "东岭村2025年修渡槽")
        .await;
    app.click_testid("wizard-backup-restore").await;
    app.until("the wrong passphrase said at its field", || async {
        app.texts(".el-form-item__error")
            .await
            .iter()
            .any(|text| text.contains("密码不对"))
    })
    .await;
    assert!(!db.exists(), "nothing made");
    retype(&app, "wizard-backup-passphrase", PASSPHRASE).await;
    app.click_testid("wizard-backup-restore").await;
    app.until_text(
        "wizard-restored-notice",
        "备份之后录入的记录，会在下次与镇同步时从镇里找回",
    )
    .await;
    app.screenshot("wizard-restored").await;
    app.click_testid("wizard-finish").await;
    app.sign_in_if_asked().await;
    app.until_text("page-title", "今日值班").await;
    app.open("nav-cases", "案件台账").await;
    app.until_count("case-row", 20).await;
    let first = app.testid("case-row").await;
    assert_eq!(
        first.attr("data-case-no").await.expect("attr").as_deref(),
        Some(newest.as_str())
    );
    app.close().await;
    assert!(
        Book::open_with_passphrase(&db, Some(PASSPHRASE)).is_ok(),
        "the new book opens with the passphrase of the backup's day"
    );
}
