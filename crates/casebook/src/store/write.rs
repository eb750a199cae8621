//! The one write path: apply a change and log it, in one transaction.

use rusqlite::{OptionalExtension, Transaction, TransactionBehavior, params};
use uuid::Uuid;

use super::apply::{Applier, Version, change_from_parts, change_to_parts};
use super::audit::Actor;
use super::{Book, BookKind, LOG_VERSION, Origin};
use crate::change::{Change, LogEntry};
use crate::error::{Error, Result};
use crate::hlc::Hlc;

/// An open write transaction. Changes recorded through it are applied and logged together, and
/// become visible only if the closure given to [`Book::write`] returns `Ok`.
pub struct Writer<'b> {
    tx: Transaction<'b>,
    ids: &'b mut super::IdSource,
    origin: String,
    kind: BookKind,
    next_seq: i64,
    hlc: Hlc,
    applier: Applier,
    /// Deputies resolved in this transaction, by the reference used.
    pub(crate) deputies: std::collections::HashMap<String, crate::domain::Deputy>,
    /// Why SQLite rolled the whole transaction back by itself (a full disk, an I/O error):
    /// nothing more may be written through this writer, nor committed.
    rolled_back: Option<String>,
    /// The program and the signed-in deputy, who is the recorder of each change.
    actor: Actor,
}

impl std::fmt::Debug for Writer<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer")
            .field("origin", &self.origin)
            .field("next_seq", &self.next_seq)
            .finish_non_exhaustive()
    }
}

impl Book {
    /// Runs `work` in one immediate transaction and commits if it succeeds; on error nothing is
    /// written.
    pub fn write<T>(&mut self, work: impl FnOnce(&mut Writer<'_>) -> Result<T>) -> Result<T> {
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut writer = Writer::begin(tx, &mut self.ids, &self.origin, self.actor)?;
        let out = work(&mut writer)?;
        writer.finish()?;
        Ok(out)
    }

    /// Applies logged changes (from a replay or another book) in one transaction.
    ///
    /// Returns how many were new; entries already present with the same content are skipped.
    pub fn apply_log(&mut self, entries: &[LogEntry]) -> Result<usize> {
        self.write(|writer| {
            let mut applied = 0;
            for entry in entries {
                if writer.replay(entry)? {
                    applied += 1;
                }
            }
            Ok(applied)
        })
    }
}

impl<'b> Writer<'b> {
    fn begin(
        tx: Transaction<'b>,
        ids: &'b mut super::IdSource,
        own: &Origin,
        actor: Actor,
    ) -> Result<Self> {
        let origin = own.code.as_str();
        let last_seq: i64 = tx
            .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM change_log WHERE origin = ?1")?
            .query_row([origin], |row| row.get(0))?;
        let hlc: Option<String> = tx
            .prepare_cached("SELECT value FROM book_meta WHERE key = 'hlc'")?
            .query_row([], |row| row.get(0))
            .optional()?;
        let hlc = match hlc {
            Some(text) => text
                .parse()
                .map_err(|_| Error::Corrupt(format!("book_meta hlc {text}")))?,
            None => 0,
        };
        Ok(Writer {
            tx,
            ids,
            origin: origin.to_owned(),
            kind: own.kind,
            next_seq: last_seq + 1,
            hlc: Hlc::from_packed(hlc),
            applier: Applier::default(),
            deputies: std::collections::HashMap::new(),
            rolled_back: None,
            actor,
        })
    }

    /// A new record id for a record of time `at`.
    pub fn new_id(&mut self, at: chrono::DateTime<chrono::FixedOffset>) -> Uuid {
        (self.ids)(at.timestamp_millis())
    }

    /// The origin code this book writes as.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// The last seq of this book's own log, counting what this transaction added.
    pub fn own_head(&self) -> i64 {
        self.next_seq - 1
    }

    /// Whose book this is.
    pub fn book_kind(&self) -> BookKind {
        self.kind
    }

    /// The program and the signed-in deputy.
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// The transaction, for lookups that decide what to write. Crate-only: every write from
    /// outside goes through [`Writer::record`], so nothing can bypass the change log.
    pub(crate) fn tx(&self) -> &Transaction<'b> {
        &self.tx
    }

    /// The current state of case `rid`, including events recorded earlier in this transaction.
    pub(crate) fn case_state(&mut self, rid: i64) -> Result<crate::domain::CaseState> {
        self.applier.case_state(&self.tx, rid)
    }

    /// Time and label of the latest event on case `rid`.
    pub(crate) fn last_case_event(
        &mut self,
        rid: i64,
    ) -> Result<Option<(chrono::DateTime<chrono::FixedOffset>, &'static str)>> {
        Ok(self
            .applier
            .last_case_event(&self.tx, rid)?
            .map(|event| (event.at, event.kind.label())))
    }

    /// Applies a locally made change and appends it to this origin's log.
    ///
    /// An upsert identical to the record's latest logged version changes nothing and is not
    /// logged again: returns `false`.
    pub fn record(&mut self, change: Change, deputy: Option<Uuid>) -> Result<bool> {
        let (op, data) = change_to_parts(&change)?;
        if matches!(change, Change::DeputyUpsert(_)) {
            self.deputies.clear();
        }
        if op.ends_with("_upsert") {
            let latest: Option<String> = self
                .tx
                .prepare_cached(
                    "SELECT data FROM change_log WHERE record_id = ?1 ORDER BY hlc DESC LIMIT 1",
                )?
                .query_row([change.record_id().to_string()], |row| row.get(0))
                .optional()?;
            if latest.as_deref() == Some(data.as_str()) {
                return Ok(false);
            }
        }
        self.hlc = self.hlc.tick(chrono::Utc::now().timestamp_millis());
        let base_hlc = if op.ends_with("_upsert") {
            self.tx
                .prepare_cached("SELECT hlc FROM record_clock WHERE record_id = ?1")?
                .query_row([change.record_id().to_string()], |row| row.get(0))
                .optional()?
        } else {
            None
        };
        let version = Version {
            origin: &self.origin,
            hlc: self.hlc.packed(),
            base_hlc,
        };
        self.applier.apply(&self.tx, &change, &data, version)?;
        let entry = LogEntry {
            origin: self.origin.clone(),
            seq: self.next_seq,
            hlc: self.hlc.packed(),
            deputy,
            recorder: self.actor.deputy,
            schema_version: LOG_VERSION,
            base_hlc,
            change,
        };
        insert_log_entry(&self.tx, &entry, op, &data)?;
        self.next_seq += 1;
        Ok(true)
    }

    /// Applies a change logged elsewhere (or earlier) and keeps its log entry as it is.
    ///
    /// Returns `false` when the entry is already in the log with the same content (nothing
    /// changes). The same origin and seq with other content is refused.
    pub fn replay(&mut self, entry: &LogEntry) -> Result<bool> {
        let (op, data) = change_to_parts(&entry.change)?;
        self.replay_encoded(entry, op, &data)
    }

    /// [`Self::replay`] of an entry whose stored form ([`change_to_parts`]) was made already,
    /// away from the writer.
    pub(crate) fn replay_encoded(
        &mut self,
        entry: &LogEntry,
        op: &str,
        data: &str,
    ) -> Result<bool> {
        if let Some(logged) = self.logged_change(&entry.origin, entry.seq)? {
            if logged == entry.change {
                return Ok(false);
            }
            return Err(reused_seq(&entry.origin, entry.seq));
        }
        let version = Version {
            origin: &entry.origin,
            hlc: entry.hlc,
            base_hlc: entry.base_hlc,
        };
        self.applier.apply(&self.tx, &entry.change, data, version)?;
        self.hlc = self
            .hlc
            .observe(entry.hlc(), chrono::Utc::now().timestamp_millis());
        insert_log_entry(&self.tx, entry, op, data)?;
        if entry.origin == self.origin {
            self.next_seq = self.next_seq.max(entry.seq + 1);
        }
        Ok(true)
    }

    /// The change this book logged as `origin`'s `seq`, if it holds it.
    pub(crate) fn logged_change(&self, origin: &str, seq: i64) -> Result<Option<Change>> {
        let logged: Option<(String, String)> = self
            .tx
            .prepare_cached("SELECT op, data FROM change_log WHERE origin = ?1 AND seq = ?2")?
            .query_row(params![origin, seq], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        logged
            .map(|(op, data)| change_from_parts(&op, &data))
            .transpose()
    }

    /// Takes this book's own entries from `from` on out of its log, and their records out of
    /// the tables, and hands them back in order: they are to be applied again after entries
    /// that must come first (the town's copy of this book's log, after a restore). Their seqs
    /// are free again.
    pub(crate) fn set_aside_own_from(&mut self, from: i64) -> Result<Vec<LogEntry>> {
        let entries = super::read::log_entries(&self.tx, &self.origin, from - 1, None)?;
        for entry in entries.iter().rev() {
            self.applier.forget(&self.tx, &entry.change)?;
        }
        self.tx
            .prepare_cached("DELETE FROM change_log WHERE origin = ?1 AND seq >= ?2")?
            .execute(params![self.origin, from])?;
        self.next_seq = self.next_seq.min(from);
        Ok(entries)
    }

    /// Runs `work` inside a savepoint: on error only its writes are undone and the transaction
    /// goes on (several bundles in one commit, each all or nothing).
    pub(crate) fn atomically<T>(&mut self, work: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.check_not_rolled_back()?;
        let (next_seq, hlc) = (self.next_seq, self.hlc);
        let search_mark = self.applier.search_mark();
        self.tx.prepare_cached("SAVEPOINT part")?.execute([])?;
        let done = work(self).and_then(|value| {
            self.applier.flush(&self.tx)?;
            Ok(value)
        });
        match done {
            Ok(value) => {
                self.tx.prepare_cached("RELEASE part")?.execute([])?;
                Ok(value)
            }
            Err(err) => {
                self.applier.discard(search_mark);
                self.deputies.clear();
                self.next_seq = next_seq;
                self.hlc = hlc;
                // After a full disk or an I/O error SQLite may have rolled the whole transaction
                // back itself: there is no savepoint left, the earlier parts' rows are gone too,
                // and the original error is the news.
                if self.tx.is_autocommit() {
                    self.applier.discard(0);
                    self.rolled_back = Some(err.to_string());
                } else {
                    self.tx.execute_batch("ROLLBACK TO part; RELEASE part")?;
                }
                Err(err)
            }
        }
    }

    fn check_not_rolled_back(&self) -> Result<()> {
        match &self.rolled_back {
            Some(why) => Err(Error::Io(std::io::Error::other(format!(
                "这一批写入已被数据库整体撤销（{why}），请稍后重试"
            )))),
            None => Ok(()),
        }
    }

    fn finish(mut self) -> Result<()> {
        self.check_not_rolled_back()?;
        self.applier.flush(&self.tx)?;
        self.applier.write_search_index(&self.tx)?;
        self.tx
            .prepare_cached(
                "INSERT INTO book_meta (key, value) VALUES ('hlc', ?1)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            )?
            .execute([self.hlc.packed().to_string()])?;
        self.tx.commit()?;
        Ok(())
    }
}

fn insert_log_entry(tx: &Transaction<'_>, entry: &LogEntry, op: &str, data: &str) -> Result<()> {
    let mut insert = tx.prepare_cached(
        "INSERT INTO change_log
             (origin, seq, hlc, deputy_id, schema_version, op, entity, record_id, data, base_hlc,
              recorder_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    insert.execute(params![
        entry.origin,
        entry.seq,
        entry.hlc,
        entry.deputy.map(|id| id.to_string()),
        entry.schema_version,
        op,
        entry.change.entity(),
        entry.change.record_id().to_string(),
        data,
        entry.base_hlc,
        entry.recorder.map(|id| id.to_string()),
    ])?;
    Ok(())
}

/// The refusal of an entry whose seq is already held with other content: the sender's book was
/// restored from an older copy and gave the number again.
pub fn reused_seq(origin: &str, seq: i64) -> Error {
    Error::refused(
        crate::error::ErrorKind::LogBehindPeer,
        format!(
            "“{origin}”发来的第{seq}条同步记录与此前收到的第{seq}条不同，未导入：“{origin}”的台账\
             可能是从较早的备份恢复的，新记录用了已经用过的编号。对方新登记的事项仍保存在对方电脑上；\
             请联系镇人大处理后再同步"
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::BookKind;

    /// After SQLite has rolled a whole batch back by itself (a full disk, an I/O error), the
    /// later parts of the batch are refused and nothing is committed, instead of each part
    /// committing on its own.
    #[test]
    fn a_batch_rolled_back_by_sqlite_writes_nothing_more() {
        let mut book = Book::create_in_memory("BX", "东岭村联络站", BookKind::Station).unwrap();
        let mut later = None;
        let result = book.write(|writer| {
            writer.atomically(|w| {
                w.tx()
                    .execute_batch("INSERT INTO book_meta VALUES ('first', '1')")?;
                Ok(())
            })?;
            let failed = writer.atomically(|w| -> Result<()> {
                // What SQLite does on its own after SQLITE_FULL in the middle of a statement.
                w.tx().execute_batch("ROLLBACK")?;
                Err(Error::invalid("磁盘已满"))
            });
            assert!(failed.is_err());
            later = Some(writer.atomically(|w| {
                w.tx()
                    .execute_batch("INSERT INTO book_meta VALUES ('later', '1')")?;
                Ok(())
            }));
            Ok(())
        });
        assert!(later.unwrap().is_err(), "a later part is refused");
        assert!(result.is_err(), "the batch does not commit");
        let kept: i64 = book
            .conn
            .query_row(
                "SELECT count(*) FROM book_meta WHERE key IN ('first', 'later')",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(kept, 0);
    }
}
