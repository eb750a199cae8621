//! Export: sealing what a peer has not acknowledged into a bundle, and recording that it left.

use std::io::Write;
use std::path::{Path, PathBuf};

use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::format::{self, Receipt, Seal};
use crate::domain::{AuditAction, Reception};
use crate::error::{Error, Result};
use crate::store::{Book, BookKind, LOG_VERSION};
use crate::time::{china_now, stored};

/// What `bundle export` answers. `path` is `None` when there was nothing new.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Exported {
    /// The bundle file.
    pub path: Option<PathBuf>,
    /// First seq covered.
    pub from_seq: i64,
    /// Last seq covered.
    pub to_seq: i64,
    /// Changes carried.
    pub changes: usize,
    /// File size.
    pub bytes: usize,
    /// Receipts carried.
    pub receipts: usize,
}

/// A bundle sealed for a peer, not yet recorded as sent.
#[derive(Debug, Clone)]
pub struct SealedBundle {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// First seq covered.
    pub from_seq: i64,
    /// Last seq covered.
    pub to_seq: i64,
    /// Changes carried.
    pub changes: usize,
    /// Receipts carried.
    pub receipts: usize,
    receipt_state: Option<String>,
}

impl Book {
    /// Seals everything the peer has not acknowledged into a bundle file in `out_dir`, written
    /// atomically. Says so (no file) when there is nothing new for the peer.
    pub fn export_bundle(&mut self, to: &str, out_dir: &Path) -> Result<Exported> {
        // Said before sealing, so that a station's entry leaves in this bundle rather than
        // waiting, alone, for the next export; the peer is checked first, as sealing would. A
        // bundle that only acknowledges what the peer sent carries no records, and is not
        // said: else each side's receipt would ask for another.
        let peer = to.trim();
        if self.actor().channel.is_some() {
            self.active_seal_key(peer)?;
            self.refuse_if_town_behind(peer)?;
            if self.held_back(peer)?.is_none()
                && self.unacknowledged(peer, self.outbound_acked(peer)?)? > 0
            {
                self.audit(AuditAction::BundleExport, Some(peer), None)?;
            }
        }
        let Some(sealed) = self.seal_bundle(to)? else {
            return self.nothing_new(to);
        };
        let path = out_dir.join(format!(
            "{}-{}-{}-{}.lsb",
            self.origin().code,
            to.trim(),
            sealed.from_seq,
            sealed.to_seq
        ));
        write_atomically(&path, &sealed.bytes)?;
        self.record_export(to, &sealed)?;
        Ok(Exported {
            path: Some(path),
            from_seq: sealed.from_seq,
            to_seq: sealed.to_seq,
            changes: sealed.changes,
            bytes: sealed.bytes.len(),
            receipts: sealed.receipts,
        })
    }

    /// How many of this book's own changes after `acked` go to `peer`.
    pub(super) fn unacknowledged(&self, peer: &str, acked: i64) -> Result<i64> {
        Ok(self.conn().query_row(
            &format!("SELECT COUNT(*) FROM change_log c WHERE {OUTGOING}"),
            self.outgoing_params(peer, acked)?,
            |row| row.get(0),
        )?)
    }

    /// The parameters of [`OUTGOING`], bound the same way by the export and the count.
    fn outgoing_params<'a>(
        &'a self,
        peer: &'a str,
        acked: i64,
    ) -> Result<impl rusqlite::Params + 'a> {
        let station = self.origin().kind == BookKind::Station;
        let county = self.relay_to()?.as_deref() == Some(peer);
        Ok((&self.origin().code, acked, station, peer, county))
    }

    /// The answer when there is nothing new for `to`.
    fn nothing_new(&self, to: &str) -> Result<Exported> {
        let acked = self.outbound_acked(to.trim())?;
        Ok(Exported {
            path: None,
            from_seq: acked + 1,
            to_seq: acked.max(self.own_last_seq()?),
            changes: 0,
            bytes: 0,
            receipts: 0,
        })
    }

    fn outbound_acked(&self, peer: &str) -> Result<i64> {
        Ok(self
            .conn()
            .query_row(
                "SELECT acked_to FROM outbound WHERE peer = ?1",
                [peer],
                |row| row.get(0),
            )
            .optional()?
            .unwrap_or(0))
    }

    /// Seals everything `to` has not acknowledged (and a receipt for what it sent) into bundle
    /// bytes; `None` when there is nothing new for it. Nothing is recorded as sent until
    /// [`Book::record_export`].
    pub fn seal_bundle(&mut self, to: &str) -> Result<Option<SealedBundle>> {
        let to = to.trim();
        let returned = self.returned_changes(to)?;
        // The newest format the peer is known to read: a station not yet upgraded refuses
        // version 3 whole, and a receipt with the hash in any version.
        let version = if self.relay_to()?.as_deref() == Some(to) {
            format::RELAY_VERSION
        } else {
            format::version_for(self.peer_format(to)?, !returned.is_empty())
        };
        let receipt = self.receipt_for_format(to, version)?;
        self.seal_bundle_with(
            to,
            StoreView {
                version,
                receipt,
                returned,
            },
        )
    }

    /// [`Book::seal_bundle`] for a hub whose store of the stations' logs is not this book: the
    /// format the station reads, the town's receipt of its log and what goes back to it come
    /// from that store; the town's own log, keys and what was sent from this book.
    pub fn seal_bundle_with(&mut self, to: &str, view: StoreView) -> Result<Option<SealedBundle>> {
        let StoreView {
            version,
            receipt,
            returned,
        } = view;
        let to = to.trim();
        let recipient_seal = self.active_seal_key(to)?;
        let own = self.origin().code.clone();
        let (acked, prev_hash, sent_receipt): (i64, Option<String>, Option<String>) = self
            .conn()
            .query_row(
                "SELECT acked_to, last_bundle_hash, sent_receipt FROM outbound WHERE peer = ?1",
                [to],
                |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
            )
            .optional()?
            .unwrap_or((0, None, None));
        let own_head = self.own_last_seq()?;
        // A station held back (behind what the town holds of its log) sends no changes,
        // only its receipt and, by its range, how far it held its own log when that was noticed,
        // so that the town sends back what it lacks.
        self.refuse_if_town_behind(to)?;
        let held_back_head = self.held_back_head(to)?;
        let (from_seq, to_seq) = match held_back_head {
            Some(head) => (head + 1, head),
            None => (acked + 1, own_head.max(acked)),
        };
        let changes = if held_back_head.is_some() {
            Vec::new()
        } else {
            self.outgoing_changes(to, acked)?
        };
        // A county acknowledges each station a town relays to it; the town relays them.
        let receipts: Vec<Receipt> = receipt
            .into_iter()
            .chain(self.relay_receipts(to, version)?)
            .collect();
        let relay = if version >= format::RELAY_VERSION {
            Some(self.outgoing_relay(to)?)
        } else {
            None
        };
        let relayed = relay.as_ref().map_or(0, |relay| relay.units.len());
        let receipt_state = (!receipts.is_empty()).then(|| {
            receipts
                .iter()
                .map(|r| match r.origin == to {
                    true => format!("{}:{:?}", r.acked_to, r.missing),
                    false => format!("{}:{}:{:?}", r.origin, r.acked_to, r.missing),
                })
                .collect::<Vec<_>>()
                .join(";")
        });
        // A book held back tells, by its range, how far its log agrees with the peer's: that
        // must reach the peer once even when its receipt has not changed (the peer sends back
        // what comes after).
        let receipt_state = match held_back_head {
            Some(head) => Some(format!(
                "{} held at {head}",
                receipt_state.unwrap_or_default()
            )),
            None => receipt_state,
        };
        if changes.is_empty()
            && returned.is_empty()
            && relayed == 0
            && receipt_state == sent_receipt
        {
            return Ok(None);
        }
        let entries: Vec<OutgoingEntry<'_>> = changes
            .iter()
            .map(OutgoingEntry::from_row)
            .collect::<Result<_>>()?;
        let returned: Vec<OutgoingEntry<'_>> = returned
            .iter()
            .map(OutgoingEntry::from_row)
            .collect::<Result<_>>()?;
        let json = serde_json::to_vec(&OutgoingPayload {
            changes: &entries,
            receipts: &receipts,
            returned: &returned,
            relay: relay.as_ref(),
        })
        .map_err(|err| Error::Internal(err.to_string()))?;
        let seal = Seal {
            schema_version: LOG_VERSION,
            origin: &own,
            recipient: to,
            recipient_seal: &recipient_seal,
            seq_range: (from_seq, to_seq),
            prev_hash,
            created_at: stored(china_now()),
            returned: returned.len() as u64,
            relayed: relayed as u64,
            version,
        };
        let counts = (entries.len() as u64, receipts.len() as u64);
        let bytes = format::write_json(&seal, &json, counts, &self.keys().sign)?;
        Ok(Some(SealedBundle {
            bytes,
            from_seq,
            to_seq,
            changes: entries.len(),
            receipts: receipts.len(),
            receipt_state,
        }))
    }

    /// This book's own changes that `peer` would get first (from seq 1), as a bundle's JSON
    /// array of changes, with the seq they run to and how many there are: what an enrolment file
    /// carries.
    pub(super) fn first_changes_json(&self, peer: &str) -> Result<(String, i64, usize)> {
        let changes = self.outgoing_changes(peer, 0)?;
        let entries: Vec<OutgoingEntry<'_>> = changes
            .iter()
            .map(OutgoingEntry::from_row)
            .collect::<Result<_>>()?;
        let json =
            serde_json::to_string(&entries).map_err(|err| Error::Internal(err.to_string()))?;
        Ok((json, self.own_last_seq()?, entries.len()))
    }

    /// Records that a sealed bundle left for `to` (file written, or answer sent).
    pub fn record_export(&mut self, to: &str, sealed: &SealedBundle) -> Result<()> {
        self.conn().execute(
            "INSERT INTO outbound (peer, last_export_to, last_export_at, last_bundle_hash, sent_receipt)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (peer) DO UPDATE SET
                 last_export_to = MAX(last_export_to, excluded.last_export_to),
                 last_export_at = excluded.last_export_at,
                 last_bundle_hash = excluded.last_bundle_hash,
                 sent_receipt = excluded.sent_receipt",
            params![
                to.trim(),
                sealed.to_seq,
                stored(china_now()),
                format::file_hash(&sealed.bytes),
                sealed.receipt_state
            ],
        )?;
        Ok(())
    }

    /// This book's own changes after `acked` that go to `peer`, as stored (the record JSON is
    /// carried as it is, not decoded and encoded again). A station sends the town its own
    /// records and events (not roster edits);
    /// the town sends each station the roster, its duty shifts and what concerns its own
    /// records.
    fn outgoing_changes(&self, peer: &str, acked: i64) -> Result<Vec<StoredEntry>> {
        self.stored_entries(OUTGOING, self.outgoing_params(peer, acked)?)
    }

    /// What the town holds of station `peer`'s own log beyond what the station's newest bundle
    /// said it holds: sent back to a station that lost it (a new PC, a book restored from an
    /// older backup). Nothing until the station has said how far it holds its log, and nothing
    /// from a station's book.
    fn returned_changes(&self, peer: &str) -> Result<Vec<StoredEntry>> {
        if self.origin().kind != BookKind::Town {
            return Ok(Vec::new());
        }
        self.stored_entries(
            "origin = ?1 AND seq > (SELECT sender_head FROM inbound WHERE origin = ?1)",
            [peer],
        )
    }

    /// Station `station`'s own log as this town holds it, for the enrolment file of a station
    /// that synced before (a new PC): the changes as a bundle carries them, compressed and in
    /// base64, and how many; `None` when the town holds nothing of it.
    pub(super) fn returned_for_enrolment(&self, station: &str) -> Result<(Option<String>, usize)> {
        use base64::Engine;
        if self.origin().kind != BookKind::Town {
            return Ok((None, 0));
        }
        let stored = self.stored_entries("origin = ?1", [station])?;
        if stored.is_empty() {
            return Ok((None, 0));
        }
        let entries: Vec<OutgoingEntry<'_>> = stored
            .iter()
            .map(OutgoingEntry::from_row)
            .collect::<Result<_>>()?;
        let json = serde_json::to_vec(&entries).map_err(|err| Error::Internal(err.to_string()))?;
        let compressed = zstd::bulk::compress(&json, 3)?;
        let encoded = base64::engine::general_purpose::STANDARD.encode(compressed);
        Ok((Some(encoded), entries.len()))
    }

    /// Change-log rows matching `condition` (over `change_log c`), in seq order, as stored.
    ///
    /// A confidential reception goes with its visitors withheld ([`Reception::for_outside`]):
    /// their identity stays at the station. Encoding is deterministic, so a bundle sent again
    /// carries the same bytes for the same seq. The stored JSON is looked at as text (inside a
    /// string a quote is escaped, so the key can only be the flag), and only a match is decoded.
    fn stored_entries(
        &self,
        condition: &str,
        params: impl rusqlite::Params,
    ) -> Result<Vec<StoredEntry>> {
        let mut select = self.conn().prepare(&format!(
            "SELECT origin, seq, hlc, deputy_id, schema_version, base_hlc, op, data,
                 op = 'reception_create' AND instr(data, '\"confidential\":true') > 0,
                 recorder_id
             FROM change_log c
             WHERE {condition} ORDER BY seq"
        ))?;
        let rows = select
            .query_map(params, |row| {
                let entry = StoredEntry {
                    origin: row.get(0)?,
                    seq: row.get(1)?,
                    hlc: row.get(2)?,
                    deputy: row.get(3)?,
                    schema_version: row.get(4)?,
                    base_hlc: row.get(5)?,
                    op: row.get(6)?,
                    data: row.get(7)?,
                    recorder: row.get(9)?,
                };
                Ok((entry, row.get::<_, bool>(8)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(mut entry, confidential)| {
                if confidential {
                    entry.data = withhold_identity(&entry)?;
                }
                Ok(entry)
            })
            .collect()
    }
}

/// Which of this book's own changes after `?2` go to peer `?4` (`?1` the book's code, `?3`
/// true for a station, `?5` true for the county a town relays to). The roster belongs to the
/// town: a station sends its own records and events, not roster edits it made itself (they
/// stay in its book until the town's roster replaces them); the town sends every station the
/// roster and what concerns its records, and its county all of its log.
const OUTGOING: &str = "origin = ?1 AND seq > ?2 AND (?5 OR
     (?3 AND entity NOT IN ('grid', 'station', 'deputy', 'duty_shift'))
     OR (NOT ?3 AND entity IN ('grid', 'station', 'deputy'))
    OR (entity IN ('duty_shift', 'reception', 'meeting', 'mediation', 'deputy_activity', 'suggestion')
         AND json_extract(data, '$.station') = ?4)
     OR (entity = 'case_event' AND ?4 =
         (SELECT station FROM receptions WHERE id = json_extract(c.data, '$.reception')))
     OR (entity = 'meeting_event' AND ?4 =
         (SELECT station FROM meetings WHERE id = json_extract(c.data, '$.meeting')))
     OR (entity = 'mediation_event' AND ?4 =
         (SELECT station FROM mediations WHERE id = json_extract(c.data, '$.mediation')))
     OR (entity = 'suggestion_event' AND ?4 =
         (SELECT station FROM suggestions WHERE id = json_extract(c.data, '$.suggestion'))))";

/// What a hub's shared store holds of a station for the town's bundle to it
/// ([`Book::seal_bundle_with`]).
#[derive(Debug, Clone)]
pub struct StoreView {
    /// The bundle format the station reads ([`format::version_for`]).
    pub version: u16,
    /// The town's receipt of the station's log, in that format.
    pub receipt: Option<Receipt>,
    /// The station's own changes it lost, to go back to it.
    pub returned: Vec<StoredEntry>,
}

/// A change-log row as stored: the record's JSON as the book keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEntry {
    /// Whose log.
    pub origin: String,
    /// Its seq there.
    pub seq: i64,
    /// Its hybrid clock.
    pub hlc: i64,
    /// The deputy it was recorded for.
    pub deputy: Option<String>,
    /// Who typed it.
    pub recorder: Option<String>,
    /// The log version its writer wrote.
    pub schema_version: i64,
    /// The clock of the version it edits.
    pub base_hlc: Option<i64>,
    /// `op`: `reception_create`, ….
    pub op: String,
    /// The record's JSON.
    pub data: String,
}

impl StoredEntry {
    /// A stored change this book cannot carry: the book is at fault, not the peer.
    fn corrupt(&self, err: &serde_json::Error) -> Error {
        Error::Corrupt(format!("change {} #{}: {err}", self.origin, self.seq))
    }
}

/// A [`LogEntry`] as it goes into a bundle, with the record's stored JSON as it is: the same
/// JSON a `LogEntry` serialises to.
#[derive(Serialize)]
struct OutgoingEntry<'a> {
    origin: &'a str,
    seq: i64,
    hlc: i64,
    deputy: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recorder: Option<&'a str>,
    schema_version: i64,
    base_hlc: Option<i64>,
    #[serde(rename = "type")]
    op: &'a str,
    record: &'a serde_json::value::RawValue,
}

impl<'a> OutgoingEntry<'a> {
    fn from_row(row: &'a StoredEntry) -> Result<Self> {
        let record: &serde_json::value::RawValue =
            serde_json::from_str(&row.data).map_err(|err| row.corrupt(&err))?;
        Ok(OutgoingEntry {
            origin: &row.origin,
            seq: row.seq,
            hlc: row.hlc,
            deputy: row.deputy.as_deref(),
            recorder: row.recorder.as_deref(),
            schema_version: row.schema_version,
            base_hlc: row.base_hlc,
            op: &row.op,
            record,
        })
    }
}

/// The payload as it is written.
#[derive(Serialize)]
struct OutgoingPayload<'a> {
    changes: &'a [OutgoingEntry<'a>],
    receipts: &'a [Receipt],
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    returned: &'a [OutgoingEntry<'a>],
    #[serde(skip_serializing_if = "Option::is_none")]
    relay: Option<&'a format::Relay>,
}

/// The stored JSON of a confidential reception with its visitors withheld.
fn withhold_identity(entry: &StoredEntry) -> Result<String> {
    let reception: Reception =
        serde_json::from_str(&entry.data).map_err(|err| entry.corrupt(&err))?;
    serde_json::to_string(&reception.for_outside()).map_err(|err| entry.corrupt(&err))
}

/// Writes a file so that it is either absent or complete: temp file, fsync, rename, fsync dir.
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = dir.join(format!(".{name}.part"));
    let mut file = std::fs::File::create(&temp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&temp, path)?;
    if let Ok(dir) = std::fs::File::open(dir) {
        // Not every file system can sync a directory; the rename is done either way.
        let _ = dir.sync_all();
    }
    Ok(())
}
