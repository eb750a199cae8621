//! Backups of the station's book into the folder chosen on 设置 (a USB stick's, most often):
//! by hand (立即备份), once a day when the book is opened, and as the app ends; the reminder on
//! 今日值班 and 同步; and a first-run book made again from a backup.
//!
//! An automatic backup never makes the folder: a missing one means the stick is not plugged in,
//! so the backup is skipped and the reminder says so in time. It runs on a blocking thread and
//! never holds up the window. A backup cut short (the app ending) leaves only a `.partial`
//! file, which the next backup removes (`Book::backup_into`).

use std::path::PathBuf;
use std::time::Instant;

use casebook::Book;
use casebook::store::backup::{BackupMade, LastBackup};
use casebook::store::lock as book_lock;
use casebook::time::{china_today, to_china};
use chrono::{DateTime, NaiveDate};
use serde::Serialize;
use ts_rs::TS;
use zeroize::Zeroizing;

use super::{BookStatus, SharedBook, Station, blocking, lock};
use crate::error::CommandError;

/// Why the demo book has no backups.
const DEMO_NOT_BACKED_UP: &str = "演示台账不备份：其中只有虚构的数据，程序退出时就删除";

/// A backup older than this many days (station days) is a reminder on 今日值班 and 同步.
pub const STALE_AFTER_DAYS: i64 = 7;

/// What 今日值班 and 同步 say about backups.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
pub struct BackupStatus {
    /// A backup folder is chosen on 设置.
    pub folder_chosen: bool,
    /// The last backup of this book, as it recorded it.
    pub last: Option<LastBackup>,
    /// Station days from the last backup's day to today (0: today).
    pub days_since: Option<i64>,
    /// More than [`STALE_AFTER_DAYS`] days old, or never made: the screens warn.
    pub stale: bool,
}

impl BackupStatus {
    /// The status on the station's day `today`.
    pub fn on(today: NaiveDate, folder_chosen: bool, last: Option<LastBackup>) -> BackupStatus {
        let days_since = last
            .as_ref()
            .and_then(taken_on)
            .map(|day| (today - day).num_days().max(0));
        BackupStatus {
            folder_chosen,
            last,
            days_since,
            stale: days_since.is_none_or(|days| days > STALE_AFTER_DAYS),
        }
    }
}

/// The station's day a backup was taken on; none for a time the book cannot read.
fn taken_on(last: &LastBackup) -> Option<NaiveDate> {
    DateTime::parse_from_rfc3339(&last.taken_at)
        .ok()
        .map(|at| to_china(at).date_naive())
}

/// Whether the day's automatic backup is still to be made on `today`.
fn daily_backup_due(last: Option<&LastBackup>, today: NaiveDate) -> bool {
    last.and_then(taken_on) != Some(today)
}

/// What an automatic backup made, or why it made nothing, for the log (no path, no record).
fn log_automatic(occasion: &str, made: Result<Option<BackupMade>, CommandError>) {
    match made {
        Ok(Some(made)) => tracing::info!(
            "{occasion} backup made: {} bytes, {} older removed",
            made.bytes,
            made.removed.len()
        ),
        Ok(None) => tracing::info!("{occasion} backup not due"),
        Err(err) => tracing::warn!(kind = ?err.kind, "{occasion} backup failed: {err}"),
    }
}

impl Station {
    /// The folder to back up into and how many backups it keeps, once the folder is chosen and
    /// there.
    fn backup_folder(&self) -> Result<(PathBuf, usize), CommandError> {
        if self.demo_dir.is_some() {
            // Its fictional station's code may be a real one's: its backups must never count
            // among a real station's on the same stick.
            return Err(CommandError::invalid(DEMO_NOT_BACKED_UP));
        }
        let (dir, keep) = {
            let settings = lock(&self.settings);
            (settings.backup_dir.clone(), settings.backup_keep)
        };
        if dir.is_empty() {
            return Err(CommandError::invalid(
                "还没有选择备份文件夹：请在“设置”中点“选择备份文件夹”，一般选U盘上的文件夹",
            ));
        }
        let dir = PathBuf::from(dir);
        if !dir.is_dir() {
            return Err(CommandError::invalid(format!(
                "找不到备份文件夹 {}：请插好U盘，或在“设置”中重新选择",
                dir.display()
            )));
        }
        Ok((dir, usize::try_from(keep).unwrap_or(usize::MAX)))
    }

    /// Backs the book up now (设置 › 立即备份), keeping the number of backups set.
    pub async fn back_up_now(&self) -> Result<BackupMade, CommandError> {
        let (dir, keep) = self.backup_folder()?;
        self.with_book(move |book| book.backup_into(&dir, Some(keep)))
            .await
    }

    /// When the last backup was taken, and whether the screens should warn. The demo book is
    /// never backed up, so it has no status: the screens show no reminder for it.
    pub async fn backup_status(&self) -> Result<BackupStatus, CommandError> {
        if self.demo_dir.is_some() {
            return Err(CommandError::invalid(DEMO_NOT_BACKED_UP));
        }
        let folder_chosen = !lock(&self.settings).backup_dir.is_empty();
        let last = self.with_book(|book| book.last_backup()).await?;
        Ok(BackupStatus::on(china_today(), folder_chosen, last))
    }

    /// The book and folder for an automatic backup, if one can be made now.
    fn automatic_backup(&self) -> Result<(SharedBook, PathBuf, usize), CommandError> {
        let (dir, keep) = self.backup_folder()?;
        Ok((self.shared_book()?, dir, keep))
    }

    /// Starts the day's backup in the background when the book is opened, unless one was made
    /// on the station's today already. Needs a tokio runtime.
    pub fn spawn_daily_backup(&self) {
        let Ok((book, dir, keep)) = self.automatic_backup() else {
            return;
        };
        tokio::spawn(async move {
            let made = blocking(move || {
                let mut book = lock(&book);
                if !daily_backup_due(book.last_backup()?.as_ref(), china_today()) {
                    return Ok(None);
                }
                book.backup_into(&dir, Some(keep)).map(Some)
            })
            .await;
            log_automatic("daily", made);
        });
    }

    /// The window's close was asked: the app ends by `deadline` at the latest.
    pub fn closing(&self, deadline: Instant) {
        // The first ×: pressing it again gives no more time.
        let _ = self.close_by.set(deadline);
    }

    /// Backs the book up as the app ends after its window was closed (its drafts written by
    /// then), waiting no later than the close's deadline: a backup still running then is cut
    /// with the process, leaving only its `.partial` file.
    pub async fn back_up_on_close(&self) {
        let Some(deadline) = self.close_by.get().copied() else {
            return;
        };
        let Ok((book, dir, keep)) = self.automatic_backup() else {
            return;
        };
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return;
        }
        let backup = blocking(move || lock(&book).backup_into(&dir, Some(keep)).map(Some));
        match tokio::time::timeout(left, backup).await {
            Ok(made) => log_automatic("closing", made),
            Err(_) => tracing::warn!("closing backup cut at the close's deadline"),
        }
    }

    /// Whether the backup at `path` is encrypted (the wizard then asks for the passphrase the
    /// station had when it was taken); refuses a file that is no book's backup.
    pub async fn backup_encrypted(&self, path: PathBuf) -> Result<bool, CommandError> {
        blocking(move || {
            if !path.is_file() {
                return Err(casebook::Error::not_found(format!(
                    "找不到备份文件：{}",
                    path.display()
                )));
            }
            book_lock::is_encrypted(&path)
        })
        .await
    }

    /// First run: makes this PC's book from the backup at `path`, opened with the passphrase
    /// of the backup's day (none for a plain backup).
    pub async fn restore_book(
        &self,
        path: PathBuf,
        passphrase: Option<String>,
    ) -> Result<BookStatus, CommandError> {
        let book_path = self.new_book_path()?;
        let passphrase = passphrase.map(Zeroizing::new);
        let book = blocking(move || {
            Book::restore(
                &path,
                &book_path,
                passphrase.as_ref().map(|given| given.as_str()),
            )
        })
        .await?;
        self.set_book(book).await;
        Ok(self.book_status().await)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn taken(at: &str) -> Option<LastBackup> {
        Some(LastBackup {
            path: "/media/usb/BX-20261201-1830-41.backup".into(),
            taken_at: at.into(),
        })
    }

    fn day(text: &str) -> NaiveDate {
        text.parse().unwrap()
    }

    #[test]
    fn a_backup_is_stale_after_seven_station_days_and_never_is_stale_at_once() {
        let last = taken("2026-12-01T18:30:00+08:00");
        let on = |today: &str| BackupStatus::on(day(today), true, last.clone());
        assert_eq!(on("2026-12-01").days_since, Some(0));
        assert!(!on("2026-12-01").stale);
        assert_eq!(on("2026-12-08").days_since, Some(7));
        assert!(!on("2026-12-08").stale, "seven days is not more than seven");
        assert_eq!(on("2026-12-09").days_since, Some(8));
        assert!(on("2026-12-09").stale);

        let never = BackupStatus::on(day("2026-12-09"), false, None);
        assert_eq!((never.days_since, never.stale), (None, true));
        assert!(!never.folder_chosen);
    }

    #[test]
    fn days_follow_the_station_s_calendar_not_utc() {
        // 23:30 UTC on 30 November is 07:30 on 1 December at the station.
        let last = taken("2026-11-30T23:30:00Z");
        assert_eq!(
            BackupStatus::on(day("2026-12-08"), true, last.clone()).days_since,
            Some(7)
        );
        assert!(!daily_backup_due(last.as_ref(), day("2026-12-01")));
        assert!(daily_backup_due(last.as_ref(), day("2026-12-02")));
        assert!(daily_backup_due(None, day("2026-12-02")));
    }

    #[test]
    fn a_time_the_book_cannot_read_counts_as_no_backup() {
        let status = BackupStatus::on(day("2026-12-08"), true, taken("yesterday"));
        assert!(status.stale && status.days_since.is_none());
        assert!(daily_backup_due(
            taken("yesterday").as_ref(),
            day("2026-12-08")
        ));
    }
}
