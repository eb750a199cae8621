//! Backups a station keeps of its own book (to a USB stick, most often), and a book made again
//! from one. A backup is only ever complete and checked: it is written under a temporary name,
//! checked with `PRAGMA integrity_check`, and renamed into place, so a power cut or a stick pulled
//! out leaves the last good backups as they were.

use std::path::{Path, PathBuf};

use rusqlite::{Connection, OpenFlags};
use serde::{Deserialize, Serialize};

use super::{Book, lock, open_connection, refuse_existing, write_copy};
use crate::domain::AuditAction;
use crate::error::{Error, ErrorKind, Result};
use crate::time::{china_now, stored};

/// What a backup wrote, and what `keep` removed.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct BackupMade {
    /// The backup file: `<CODE>-<YYYYMMDD-HHMM>-<seq>.backup`.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// When it was taken (station time).
    pub taken_at: String,
    /// The last change of this book's own log that it holds.
    pub seq: i64,
    /// Encrypted with the book's key (its key slots file beside it).
    pub encrypted: bool,
    /// Older backups of this station removed to keep the number asked for.
    pub removed: Vec<String>,
}

/// The last backup this book made, as it recorded it (on this PC; never synced).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct LastBackup {
    /// The backup file.
    pub path: String,
    /// When it was taken (station time).
    pub taken_at: String,
}

/// Where [`LastBackup`] is kept, as JSON in `book_meta`.
const LAST_BACKUP_META_KEY: &str = "last_backup";

/// One of a station's backups in a folder, as its name tells.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct BackupName {
    taken: String,
    seq: i64,
    path: PathBuf,
}

const SUFFIX: &str = ".backup";
/// Where a backup is written before it is checked and renamed.
const PARTIAL: &str = ".partial";

impl Book {
    /// Writes a checked backup of the whole book into `dir` (made if missing), named
    /// `<CODE>-<YYYYMMDD-HHMM>-<seq>.backup`; with `keep`, removes this station's oldest
    /// backups in `dir` beyond that number. The book may be in use meanwhile.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for `keep` of 0; [`ErrorKind::Storage`] when the folder cannot be
    /// written or the copy fails its check (then no backup was added and none removed).
    pub fn backup_into(&mut self, dir: &Path, keep: Option<usize>) -> Result<BackupMade> {
        if keep == Some(0) {
            return Err(Error::invalid("--keep 至少为1：最新的一份备份总要留下").at("keep"));
        }
        std::fs::create_dir_all(dir).map_err(|err| {
            Error::refused(
                ErrorKind::Storage,
                format!("无法建立备份文件夹 {}：{err}", dir.display()),
            )
        })?;
        let taken = china_now();
        let seq = self.own_last_seq()?;
        let name = format!(
            "{}-{}-{seq}{SUFFIX}",
            self.origin.code,
            taken.format("%Y%m%d-%H%M")
        );
        let path = dir.join(&name);
        let partial = lock::beside(&path, PARTIAL);
        remove_cut_backups(dir, &self.origin.code);
        write_copy(&self.conn, self.lock.as_ref(), &partial)?;
        if let Err(err) = check_copy(&partial, self.lock.as_ref().map(|lock| &lock.key)) {
            remove_with_slots(&partial);
            return Err(err);
        }
        let encrypted = self.lock.is_some();
        // Slots first: a backup file is never in place without the slots that open it. A
        // backup of the same minute and seq is replaced by this newer one.
        if encrypted {
            std::fs::rename(lock::slots_path(&partial), lock::slots_path(&path))?;
        }
        std::fs::rename(&partial, &path)?;
        let bytes = std::fs::metadata(&path)?.len();
        self.audit(AuditAction::Backup, None, None)?;
        let last = LastBackup {
            path: path.display().to_string(),
            taken_at: stored(taken),
        };
        let last = serde_json::to_string(&last).map_err(|err| Error::Internal(err.to_string()))?;
        self.conn.execute(
            "INSERT INTO book_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [LAST_BACKUP_META_KEY, last.as_str()],
        )?;
        let removed = match keep {
            Some(keep) => self.remove_oldest_backups(dir, keep)?,
            None => Vec::new(),
        };
        Ok(BackupMade {
            path: path.display().to_string(),
            bytes,
            taken_at: stored(taken),
            seq,
            encrypted,
            removed,
        })
    }

    /// The last backup [`Book::backup_into`] made of this book, if any.
    pub fn last_backup(&self) -> Result<Option<LastBackup>> {
        use rusqlite::OptionalExtension;
        let stored: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM book_meta WHERE key = ?1",
                [LAST_BACKUP_META_KEY],
                |row| row.get(0),
            )
            .optional()?;
        stored
            .map(|text| {
                serde_json::from_str(&text).map_err(|err| {
                    Error::Corrupt(format!("book_meta {LAST_BACKUP_META_KEY}: {err}"))
                })
            })
            .transpose()
    }

    /// Makes a book at `path` (which must not exist) from the backup at `backup`: the same
    /// station, its log as the backup holds it, opened with the passphrase the station had
    /// when the backup was taken. The backup is checked before anything is made.
    ///
    /// # Errors
    /// [`ErrorKind::AlreadyExists`] when `path` exists; [`ErrorKind::Locked`] /
    /// [`ErrorKind::WrongPassphrase`] for an encrypted backup without its passphrase;
    /// [`ErrorKind::Invalid`] for a file that is not a book's backup.
    pub fn restore(backup: &Path, path: &Path, passphrase: Option<&str>) -> Result<Book> {
        refuse_existing(path)?;
        refuse_existing(&lock::slots_path(path))?;
        if !backup.is_file() {
            return Err(Error::not_found(format!(
                "找不到备份文件：{}",
                backup.display()
            )));
        }
        let key = if lock::is_encrypted(backup)? {
            let Some(passphrase) = passphrase else {
                return Err(Error::refused(
                    ErrorKind::Locked,
                    "这份备份是加密的，需要输入备份时本站的台账密码",
                ));
            };
            Some(lock::KeySlots::read(backup)?.unlock(passphrase)?)
        } else {
            None
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        let staged = lock::beside(path, ".restoring");
        remove_with_slots(&staged);
        let copied = copy_private(backup, &staged).and_then(|()| {
            if key.is_some() {
                copy_private(&lock::slots_path(backup), &lock::slots_path(&staged))?;
            }
            check_copy(&staged, key.as_ref())?;
            // Before it takes the book's name, so that a restore cut off later never leaves a
            // book that sends its changes: its next bundle to each peer carries a receipt, and
            // so says how far it holds its own log (the town then sends back what the backup
            // missed), and until the town has answered it sends no changes (records typed
            // meanwhile may take the town's numbers).
            let mut staged_book = Book::open_with_passphrase(&staged, passphrase)?;
            staged_book
                .conn
                .execute("UPDATE outbound SET sent_receipt = NULL", [])?;
            staged_book.hold_back_after_restore()
        });
        // A backup from an older version was upgraded above: its copy from before is not kept.
        super::remove_upgrade_backups(&staged);
        if let Err(err) = copied {
            for suffix in ["-wal", "-shm"] {
                let _ = std::fs::remove_file(lock::beside(&staged, suffix));
            }
            remove_with_slots(&staged);
            return Err(err);
        }
        if key.is_some() {
            std::fs::rename(lock::slots_path(&staged), lock::slots_path(path))?;
        }
        std::fs::rename(&staged, path)?;
        Book::open_with_passphrase(path, passphrase)
    }

    /// The highest seq of this book's own log (0 for a book that has written nothing).
    pub fn own_last_seq(&self) -> Result<i64> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(MAX(seq), 0) FROM change_log WHERE origin = ?1",
            [&self.origin.code],
            |row| row.get(0),
        )?)
    }

    /// Removes this station's backups in `dir` beyond the newest `keep`, with their slots.
    fn remove_oldest_backups(&self, dir: &Path, keep: usize) -> Result<Vec<String>> {
        let mut backups = station_backups(dir, &self.origin.code)?;
        backups.sort();
        let excess = backups.len().saturating_sub(keep);
        let mut removed = Vec::new();
        for old in backups.into_iter().take(excess) {
            std::fs::remove_file(&old.path)?;
            let _ = std::fs::remove_file(lock::slots_path(&old.path));
            removed.push(old.path.display().to_string());
        }
        Ok(removed)
    }
}

/// This station's backups in `dir`, by their names: other stations' files and anything else
/// there are not ours to count or remove.
fn station_backups(dir: &Path, code: &str) -> Result<Vec<BackupName>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if !entry.file_type()?.is_file() {
            continue;
        }
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str() else {
            continue;
        };
        if let Some((taken, seq)) = parse_name(name, code) {
            found.push(BackupName {
                taken,
                seq,
                path: entry.path(),
            });
        }
    }
    Ok(found)
}

/// `<CODE>-<YYYYMMDD>-<HHMM>-<seq>.backup` → (`YYYYMMDD-HHMM`, seq), for this code only.
fn parse_name(name: &str, code: &str) -> Option<(String, i64)> {
    let rest = name.strip_prefix(code)?.strip_prefix('-')?;
    let rest = rest.strip_suffix(SUFFIX)?;
    let mut parts = rest.split('-');
    let (day, time, seq) = (parts.next()?, parts.next()?, parts.next()?);
    let digits =
        |text: &str, len: usize| text.len() == len && text.bytes().all(|b| b.is_ascii_digit());
    if parts.next().is_some() || !digits(day, 8) || !digits(time, 4) {
        return None;
    }
    if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((format!("{day}-{time}"), seq.parse().ok()?))
}

/// Checks a copy of a book: it opens (with `key` when encrypted), is a case book, and passes
/// `PRAGMA integrity_check`.
pub(super) fn check_copy(path: &Path, key: Option<&lock::BookKey>) -> Result<()> {
    let conn: Connection = open_connection(Some(path), OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    if let Some(key) = key {
        conn.pragma_update(None, "key", key.pragma().as_str())?;
    }
    super::check_is_book(&conn, path)?;
    let verdict: String = conn.query_row("PRAGMA integrity_check", [], |row| row.get(0))?;
    if verdict != "ok" {
        return Err(Error::refused(
            ErrorKind::Storage,
            format!(
                "备份 {} 校验未通过（{verdict}），这份备份不能用",
                path.display()
            ),
        ));
    }
    Ok(())
}

/// Copies `from` to a new file at `to` that only its owner can read.
fn copy_private(from: &Path, to: &Path) -> Result<()> {
    let mut source = std::fs::File::open(from)?;
    let mut target = lock::private_file(to)?;
    std::io::copy(&mut source, &mut target)?;
    target.sync_all()?;
    Ok(())
}

/// Removes this station's backups in `dir` that were cut before they were checked (the app
/// ended, the stick was pulled out), with their slots: they never count, and would fill a stick.
fn remove_cut_backups(dir: &Path, code: &str) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let cut = name
            .to_str()
            .and_then(|name| name.strip_suffix(PARTIAL))
            .is_some_and(|backup| parse_name(backup, code).is_some());
        if cut {
            remove_with_slots(&entry.path());
        }
    }
}

/// Removes a file and its slots, if there.
fn remove_with_slots(path: &Path) {
    let _ = std::fs::remove_file(path);
    let _ = std::fs::remove_file(lock::slots_path(path));
}

#[cfg(test)]
mod tests {
    use super::parse_name;

    #[test]
    fn only_this_stations_backup_names_count() {
        assert_eq!(
            parse_name("BX-20261205-1830-42.backup", "BX"),
            Some(("20261205-1830".into(), 42))
        );
        for other in [
            "BXY-20261205-1830-42.backup",
            "QX-20261205-1830-42.backup",
            "BX-20261205-1830-42.backup.partial",
            "BX-2026125-1830-42.backup",
            "BX-20261205-1830-.backup",
            "BX-20261205-1830-4-2.backup",
            "BX-20261205-1830-42.backup-slots",
            "bx.db",
        ] {
            assert_eq!(parse_name(other, "BX"), None, "{other}");
        }
    }
}
