//! Import: applying opened bundles in the one writer, each all or nothing.

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::format;
use super::open::PreparedBundle;
use super::ownership;
use super::peers::note_format;
use super::quarantine;
use super::receipts::{apply_receipt, received_to, resend_receipt};
use super::recover::{Recovered, recover_own_log};
use super::relay;
use crate::change::{Change, LogEntry};
use crate::domain::AuditAction;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{Book, BookKind, Writer, change_to_parts};
use crate::time::{china_now, stored};

/// What `bundle import` answers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Imported {
    /// Changes applied now.
    pub applied: usize,
    /// Changes already held (nothing changed).
    pub duplicates: usize,
    /// Changes waiting for a gap to be filled.
    pub pending: usize,
    /// Bundles kept aside because their schema is newer than this book's.
    pub quarantined: usize,
    /// Receipts for this book's own changes taken in.
    pub receipts: usize,
    /// This book's own changes the town sent back (it had lost them) and applied now.
    pub recovered: usize,
    /// Records typed here after a restore that took a new number, because the town's copy of
    /// this book's log had given theirs to others: each needs a 更正通知 for its visitor.
    pub renumbered: usize,
}

impl std::ops::AddAssign for Imported {
    fn add_assign(&mut self, other: Imported) {
        self.applied += other.applied;
        self.duplicates += other.duplicates;
        self.pending += other.pending;
        self.quarantined += other.quarantined;
        self.receipts += other.receipts;
        self.recovered += other.recovered;
        self.renumbered += other.renumbered;
    }
}

impl Book {
    /// Verifies, decrypts and applies one bundle, all or nothing.
    pub fn import_bundle(&mut self, bytes: &[u8]) -> Result<Imported> {
        let prepared = self.prepare_import(bytes)?;
        let own = self.origin().code.clone();
        // The transaction commits what a refusal keeps in quarantine; the refusal is the answer.
        self.write(|writer| Ok(import_one(writer, &prepared, &own)))?
    }

    /// Imports several bundles in one transaction (one commit), each all or nothing: what the
    /// hub does with uploads that arrive together. One result per bundle, in order.
    pub fn import_bundles(&mut self, bundles: &[&[u8]]) -> Vec<Result<Imported>> {
        let prepared = match self.bundle_opener() {
            Ok(opener) => bundles.iter().map(|bytes| opener.prepare(bytes)).collect(),
            Err(err) => {
                let message = err.to_string();
                return bundles
                    .iter()
                    .map(|_| Err(Error::Corrupt(message.clone())))
                    .collect();
            }
        };
        self.import_prepared(prepared)
    }

    /// Refuses a bundle whose sender was revoked or re-keyed since it was opened (with the keys
    /// read then).
    pub fn check_sender(&self, bundle: &PreparedBundle) -> Result<()> {
        let key = self.active_sign_key(&bundle.header.origin)?;
        if key != bundle.sender {
            return Err(format::bad(&format!(
                "“{}”的签名公钥已更换",
                bundle.header.origin
            )));
        }
        Ok(())
    }

    /// Applies bundles opened by a [`BundleOpener`](super::BundleOpener) in one transaction,
    /// each all or nothing. A sender revoked since the opener was made is refused here.
    pub fn import_prepared(
        &mut self,
        bundles: Vec<Result<PreparedBundle>>,
    ) -> Vec<Result<Imported>> {
        let own = self.origin().code.clone();
        let checked: Vec<Result<PreparedBundle>> = bundles
            .into_iter()
            .map(|bundle| {
                let bundle = bundle?;
                self.check_sender(&bundle)?;
                Ok(bundle)
            })
            .collect();
        let mut results = Vec::with_capacity(checked.len());
        let committed = self.write(|writer| {
            for bundle in checked {
                results.push(bundle.and_then(|bundle| import_one(writer, &bundle, &own)));
            }
            Ok(())
        });
        match committed {
            Ok(()) => results,
            Err(err) => {
                let message = err.to_string();
                results
                    .into_iter()
                    .map(|result| {
                        result.and_then(|_| {
                            Err(Error::Corrupt(format!(
                                "the batch did not commit: {message}"
                            )))
                        })
                    })
                    .collect()
            }
        }
    }
}

/// Applies a prepared bundle: receipts, then its changes (or it waits after a gap, or goes to
/// quarantine).
fn apply_prepared(writer: &mut Writer<'_>, bundle: &PreparedBundle, own: &str) -> Result<Imported> {
    let header = &bundle.header;
    if bundle.newer {
        quarantine::keep(writer, bundle, None)?;
        return Ok(Imported {
            quarantined: 1,
            ..Imported::default()
        });
    }
    let mut imported = Imported::default();
    for receipt in &bundle.payload.receipts {
        if receipt.issuer != header.origin {
            return Err(Error::refused(
                ErrorKind::BadBundle,
                "同步包中的回执与发送方不符",
            ));
        }
        if receipt.origin == own {
            apply_receipt(writer, receipt, &bundle.sender)?;
        } else if relay::is_county_receipt(writer, &header.origin, &receipt.origin)? {
            relay::take_county_receipt(writer, receipt, &bundle.sender)?;
        } else {
            return Err(Error::refused(
                ErrorKind::BadBundle,
                "同步包中的回执与发送方不符",
            ));
        }
        imported.receipts += 1;
    }
    if !bundle.payload.returned.is_empty() {
        let returned = bundle.payload.returned.iter();
        let entries = returned.zip(&bundle.returned_encoded);
        let Recovered {
            recovered,
            renumbered,
        } = recover_own_log(writer, &header.origin, own, entries)?;
        imported.recovered = recovered;
        imported.renumbered = renumbered;
    }
    let mut roster_first = 0;
    if let Some(relayed) = &bundle.payload.relay {
        if writer.book_kind() != BookKind::County {
            return Err(format::bad("本台账不是县级台账，不接收转报的站点同步包"));
        }
        // The town's roster, then the stations' entries (a mediation may be numbered by the
        // committee the roster names), then the rest of the town's log (its referrals are
        // written on the stations' cases).
        roster_first =
            apply_roster_first(writer, header, &bundle.payload.changes, &bundle.encoded)?;
        relay::vouch(writer, &header.origin, &relayed.stations)?;
        for unit in &bundle.units {
            relay::check_unit(writer, &header.origin, unit)?;
            relay::start_at_first_unit(writer, &unit.header)?;
            let log = Log {
                header: &unit.header,
                changes: &unit.payload.changes,
                encoded: &unit.encoded,
                file_hash: &unit.file_hash,
            };
            imported += apply_log(writer, &log, &header.origin)?;
        }
    }
    let log = Log {
        header,
        changes: &bundle.payload.changes,
        encoded: &bundle.encoded,
        file_hash: &bundle.file_hash,
    };
    imported += apply_log(writer, &log, &header.origin)?;
    // Applied first, then found held by the whole run.
    imported.duplicates = imported.duplicates.saturating_sub(roster_first);
    imported.applied += roster_first;
    relay::keep_unit(writer, bundle)?;
    Ok(imported)
}

/// Applies the roster entries of a town's run ahead of the rest (at a county, before the
/// stations' bundles it relays); they are then duplicates when the whole run is applied. None
/// when the run waits after a gap. Answers how many were applied.
fn apply_roster_first(
    writer: &mut Writer<'_>,
    header: &format::Header,
    changes: &[LogEntry],
    encoded: &[(&'static str, String)],
) -> Result<usize> {
    let acked = received_to(writer.tx(), &header.origin)?.unwrap_or(0);
    if header.from_seq > acked + 1 {
        return Ok(0);
    }
    let roster = changes.iter().zip(encoded).filter(|(entry, _)| {
        entry.seq > acked
            && matches!(
                entry.change,
                Change::GridUpsert(_)
                    | Change::StationUpsert(_)
                    | Change::DeputyUpsert(_)
                    | Change::DutyShiftUpsert(_)
            )
    });
    Ok(apply_entries(writer, &header.origin, acked, acked, roster)?.applied)
}

/// A run of one origin's log as a bundle brings it: the sender's own, or a station's that its
/// town relays.
struct Log<'a> {
    header: &'a format::Header,
    changes: &'a [LogEntry],
    encoded: &'a [(&'static str, String)],
    file_hash: &'a str,
}

/// Applies a run of the log (or keeps it waiting after a gap) and notes what its origin's
/// newest bundle said. `peer` gets this book's receipt again when the run was held already
/// (its receipt did not reach it): the sender, or the town that relays the origin.
fn apply_log(writer: &mut Writer<'_>, log: &Log<'_>, peer: &str) -> Result<Imported> {
    let mut imported = Imported::default();
    let header = log.header;
    let changes = log.changes;
    if header.to_seq >= header.from_seq {
        let acked = received_to(writer.tx(), &header.origin)?.unwrap_or(0);
        if header.from_seq <= acked {
            // The sender resends what we already hold: our receipt did not reach it (a lost
            // stick). Send the receipt again next time even if nothing else is new.
            resend_receipt(writer.tx(), peer)?;
        }
        if header.from_seq > acked + 1 {
            refuse_if_too_many_waiting(writer, &header.origin)?;
            let entries =
                serde_json::to_vec(changes).map_err(|err| Error::Internal(err.to_string()))?;
            writer
                .tx()
                .prepare_cached(
                    "INSERT OR IGNORE INTO pending_bundles (origin, from_seq, to_seq, received_at, entries)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                )?
                .execute(params![
                    header.origin,
                    header.from_seq,
                    header.to_seq,
                    stored(china_now()),
                    zstd::bulk::compress(&entries, 3)?
                ])?;
            imported.pending += changes.len();
        } else {
            let entries = changes.iter().zip(log.encoded);
            imported += apply_entries(writer, &header.origin, acked, header.to_seq, entries)?;
            imported += drain_pending(writer, &header.origin)?;
        }
    }
    writer
        .tx()
        .prepare_cached(
            "INSERT INTO inbound (origin, acked_to, last_import_at, last_bundle_hash)
             VALUES (?1, 0, ?2, ?3)
             ON CONFLICT (origin) DO UPDATE SET last_import_at = excluded.last_import_at,
                 last_bundle_hash = excluded.last_bundle_hash",
        )?
        .execute(params![header.origin, stored(china_now()), log.file_hash])?;
    // How far the sender holds its own log, by its newest bundle: a bundle found late on a
    // stick says less than the sender holds now, and must not make the town send it all back.
    writer
        .tx()
        .prepare_cached(
            "UPDATE inbound SET sender_head = ?2, sender_head_at = ?3
             WHERE origin = ?1 AND (sender_head_at IS NULL OR sender_head_at <= ?3)",
        )?
        .execute(params![header.origin, header.to_seq, header.created_at])?;
    Ok(imported)
}

impl Book {
    /// Takes in this station's own records that an enrolment file brings back from the town
    /// (a new PC), as from a town's bundle, all or nothing.
    pub(super) fn recover_from_enrolment(
        &mut self,
        town: &str,
        returned: &[LogEntry],
    ) -> Result<usize> {
        if returned.is_empty() {
            return Ok(0);
        }
        let encoded = encode_entries(returned)?;
        let own = self.origin().code.clone();
        self.write(|writer| recover_own_log(writer, town, &own, returned.iter().zip(&encoded)))
            .map(|done| done.recovered)
    }

    /// Takes in the town's changes from an enrolment file, as from the town's first bundle
    /// (each checked as a bundle's would be), all or nothing.
    pub(super) fn apply_enrolment_changes(
        &mut self,
        town: &str,
        to_seq: i64,
        changes: &[LogEntry],
    ) -> Result<Imported> {
        let encoded = encode_entries(changes)?;
        self.write(|writer| apply_entries(writer, town, 0, to_seq, changes.iter().zip(&encoded)))
    }
}

/// Applies one prepared bundle in its own savepoint. A refusal of what an enrolled peer sent
/// (not its restored-backup 409, which repeats every cycle) keeps the bundle in quarantine,
/// with why, for the town office to see; the refusal is still the answer.
///
/// A bundle that brought changes, and a refusal kept in quarantine, go in the audit trail; a
/// bundle with nothing new (a receipt, a resend) does not, or every sync would leave a line.
///
/// A sender whose numbers collide with what this book holds of its log (a book copied back
/// from an older file that recorded more) gets this book's receipt again in the next bundle,
/// though it has not changed: its hash shows the sender where the two logs part.
fn import_one(writer: &mut Writer<'_>, bundle: &PreparedBundle, own: &str) -> Result<Imported> {
    let sender = bundle.header.origin.as_str();
    let result = writer.atomically(|writer| apply_prepared(writer, bundle, own));
    // The sender signed this format, so it reads it, whatever became of the bundle: a sender
    // refused for reusing numbers must get the hashed receipt that tells it its log diverged.
    let reads = format::reads_at_least(bundle.version, bundle.header.schema_version);
    note_format(writer, sender, reads)?;
    match result {
        Err(refusal) if refusal.kind() == ErrorKind::LogBehindPeer => {
            resend_receipt(writer.tx(), sender)?;
            Err(refusal)
        }
        Err(refusal)
            if refusal.kind().is_refusal() && refusal.kind() != ErrorKind::LogBehindPeer =>
        {
            quarantine::keep(writer, bundle, Some(&refusal))?;
            writer.audit(
                AuditAction::BundleRefused,
                Some(sender),
                Some(refusal.kind().as_str()),
            )?;
            Err(refusal)
        }
        Ok(imported) if imported.applied + imported.quarantined + imported.recovered > 0 => {
            let mut detail = format!(
                "第{}–{}号，新增{}条变更",
                bundle.header.from_seq, bundle.header.to_seq, imported.applied
            );
            if imported.recovered > 0 {
                detail += &format!("，送回本站记录{}条", imported.recovered);
            }
            if imported.renumbered > 0 {
                detail += &format!("，{}件记录编号已更正", imported.renumbered);
            }
            writer.audit(AuditAction::BundleImport, Some(sender), Some(&detail))?;
            Ok(imported)
        }
        result => result,
    }
}

/// Applies a contiguous run of `origin`'s changes ending at `to_seq`; entries already held are
/// duplicates (the same seq with other content is refused by [`Writer::replay`]).
fn apply_entries<'a>(
    writer: &mut Writer<'_>,
    origin: &str,
    acked: i64,
    to_seq: i64,
    entries: impl Iterator<Item = (&'a LogEntry, &'a (&'static str, String))>,
) -> Result<Imported> {
    let mut imported = Imported::default();
    for (entry, (op, data)) in entries {
        crate::validate::check_entry(entry)?;
        ownership::check(writer, entry)?;
        let replayed = writer
            .replay_encoded(entry, op, data)
            .map_err(|err| unusable_or(entry, err))?;
        if replayed {
            imported.applied += 1;
        } else {
            imported.duplicates += 1;
        }
    }
    writer
        .tx()
        .prepare_cached(
            "INSERT INTO inbound (origin, acked_to) VALUES (?1, ?2)
             ON CONFLICT (origin) DO UPDATE SET acked_to = MAX(acked_to, excluded.acked_to)",
        )?
        .execute(params![origin, to_seq.max(acked)])?;
    Ok(imported)
}

/// The stored form of each entry's change (what [`Writer::replay`] would make).
pub(super) fn encode_entries(entries: &[LogEntry]) -> Result<Vec<(&'static str, String)>> {
    entries
        .iter()
        .map(|entry| {
            change_to_parts(&entry.change).map_err(|err| unusable(entry, &err.to_string()))
        })
        .collect()
}

/// What the record itself makes impossible is the bundle's fault, not the book's.
pub(super) fn unusable_or(entry: &LogEntry, err: Error) -> Error {
    match err {
        Error::Corrupt(why) => unusable(entry, &why),
        Error::Sqlite(ref sqlite)
            if sqlite.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) =>
        {
            unusable(entry, &sqlite.to_string())
        }
        other => other,
    }
}

/// The refusal of an entry the store cannot apply (a number already taken, a record it writes
/// on that is not there): the bundle's fault.
pub fn unusable(entry: &LogEntry, why: &str) -> Error {
    format::bad(&format!(
        "{}的第{}号变更无法应用（{why}）",
        entry.origin, entry.seq
    ))
}

/// Most bundles of one sender that may wait for a gap. A real station's bundles are
/// cumulative, so only a lost stick makes one wait; a sender inventing far-off seq ranges must
/// not grow the book without end.
pub const MAX_PENDING_PER_SENDER: usize = 64;

fn refuse_if_too_many_waiting(writer: &Writer<'_>, origin: &str) -> Result<()> {
    let waiting: i64 = writer
        .tx()
        .prepare_cached("SELECT COUNT(*) FROM pending_bundles WHERE origin = ?1")?
        .query_row([origin], |row| row.get(0))?;
    refuse_past_waiting_limit(origin, waiting)
}

/// Refuses one more bundle of `origin` to wait when `waiting` already do
/// ([`MAX_PENDING_PER_SENDER`]).
pub fn refuse_past_waiting_limit(origin: &str, waiting: i64) -> Result<()> {
    if usize::try_from(waiting).is_ok_and(|waiting| waiting < MAX_PENDING_PER_SENDER) {
        return Ok(());
    }
    Err(Error::refused(
        ErrorKind::BadBundle,
        format!(
            "同步包被拒收：{origin}已有{waiting}个同步包在等待补齐前面缺少的变更，请先补发缺少的部分"
        ),
    ))
}

/// Applies waiting bundles that the last import made contiguous.
fn drain_pending(writer: &mut Writer<'_>, origin: &str) -> Result<Imported> {
    let mut imported = Imported::default();
    loop {
        let acked = received_to(writer.tx(), origin)?.unwrap_or(0);
        let next: Option<(i64, i64, Vec<u8>)> = writer
            .tx()
            .prepare_cached(
                "SELECT from_seq, to_seq, entries FROM pending_bundles
                 WHERE origin = ?1 AND from_seq <= ?2 ORDER BY from_seq LIMIT 1",
            )?
            .query_row(params![origin, acked + 1], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })
            .optional()?;
        let Some((from_seq, to_seq, entries)) = next else {
            return Ok(imported);
        };
        // It was checked when it came: one that no longer reads is the book's fault.
        let corrupt =
            |err: &dyn std::fmt::Display| Error::Corrupt(format!("pending bundle: {err}"));
        let json =
            format::decompress(&entries, format::MAX_PAYLOAD_LEN).map_err(|err| corrupt(&err))?;
        let entries: Vec<LogEntry> = serde_json::from_slice(&json).map_err(|err| corrupt(&err))?;
        let encoded = encode_entries(&entries)?;
        let entries = entries.iter().zip(&encoded);
        imported += apply_entries(writer, origin, acked, to_seq, entries)?;
        writer
            .tx()
            .prepare_cached(
                "DELETE FROM pending_bundles WHERE origin = ?1 AND from_seq = ?2 AND to_seq = ?3",
            )?
            .execute(params![origin, from_seq, to_seq])?;
    }
}
