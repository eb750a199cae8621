//! Sync bundles: how a station's work reaches the town and the town's roster, referrals and
//! replies reach the station — uploaded, or on a USB stick that can be lost.
//!
//! - [`keys`]: each book's Ed25519 signing and X25519 sealing keys; peers are enrolled by their
//!   public keys, and bundles from unknown or revoked origins are refused.
//! - [`mod@format`]: the file, byte by byte (docs/bundle-format.md).
//! - Export ([`Book::export_bundle`]) carries every change of the book's own log after the last
//!   receipt from that peer: cumulative until acknowledged, so a lost stick loses nothing. The town
//!   sends each station the roster and what concerns that station's own records.
//! - Import ([`Book::import_bundle`]) is all or nothing in one transaction: a duplicate changes
//!   nothing, the same seq with other content is refused, a bundle after a gap waits, a bundle of
//!   a newer schema is quarantined. Each side records how far it holds the other's log and sends
//!   that back as a signed [`format::Receipt`] in its next bundle.

pub mod format;
pub mod keys;
mod ownership;
pub mod quarantine;

pub(crate) use ownership::{is_town, may_add_case_event};

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use x25519_dalek::PublicKey;

use self::format::{Receipt, Seal};
use self::keys::{PublicKeys, decode_key, verifying_key};
use crate::change::LogEntry;
use crate::domain::Reception;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{Book, BookKind, SCHEMA_VERSION, Writer, change_to_parts};
use crate::time::{china_now, stored};

/// An enrolled peer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Peer {
    /// Origin code.
    pub code: String,
    /// Ed25519 verifying key (base64).
    pub sign_public: String,
    /// X25519 public key (base64).
    pub seal_public: String,
    /// Enrolled at.
    pub added_at: String,
    /// Revoked at.
    pub revoked_at: Option<String>,
}

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
}

impl std::ops::AddAssign for Imported {
    fn add_assign(&mut self, other: Imported) {
        self.applied += other.applied;
        self.duplicates += other.duplicates;
        self.pending += other.pending;
        self.quarantined += other.quarantined;
        self.receipts += other.receipts;
    }
}

/// What `bundle status` shows for one peer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PeerStatus {
    /// The peer.
    pub peer: String,
    /// Revoked.
    pub revoked: bool,
    /// Highest own seq exported to the peer.
    pub last_exported_seq: i64,
    /// When.
    pub last_export_at: Option<String>,
    /// Highest own seq the peer's receipts acknowledge.
    pub acknowledged_seq: i64,
    /// Own changes not yet acknowledged.
    pub unacknowledged: i64,
    /// Ranges of own changes the peer reports missing.
    pub peer_missing: Vec<(i64, i64)>,
    /// Highest seq of the peer's log held here, with nothing missing before it.
    pub received_seq: i64,
    /// When a bundle from the peer was last imported.
    pub last_import_at: Option<String>,
    /// Ranges of the peer's log missing here before bundles that wait.
    pub gaps: Vec<(i64, i64)>,
    /// Why this book stopped sending to the peer, if it did (the peer holds more of this
    /// book's log than the book itself: the book was restored from an older backup).
    pub held_back: Option<String>,
    /// The peer's bundles kept aside here (refused, or of a newer schema), oldest first.
    pub quarantined: Vec<Quarantined>,
}

/// A quarantined bundle.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Quarantined {
    /// Bundle id.
    pub bundle_id: String,
    /// Sender.
    pub origin: String,
    /// Its schema version.
    pub schema_version: i64,
    /// Received at.
    pub received_at: String,
    /// File size.
    pub bytes: i64,
    /// The refusal's kind (`not_owner`, `bad_bundle`, …); `None` for a bundle kept because its
    /// schema is newer than this book's.
    pub refusal_kind: Option<ErrorKind>,
    /// Why it was refused, as the sender was told.
    pub reason: Option<String>,
}

/// A record edited by two origins: the version that lost, kept.
#[derive(Debug, Clone, Serialize)]
pub struct Conflict {
    /// Record id.
    pub record_id: String,
    /// Entity.
    pub entity: String,
    /// Origin of the version in the tables.
    pub winner_origin: String,
    /// Its clock.
    pub winner_hlc: i64,
    /// Origin of the version that lost.
    pub loser_origin: String,
    /// Its clock.
    pub loser_hlc: i64,
    /// Fields that differ.
    pub fields: Vec<String>,
    /// The losing version.
    pub loser: serde_json::Value,
    /// When it was seen.
    pub detected_at: String,
}

fn unknown_origin(code: &str) -> Error {
    Error::refused(
        ErrorKind::UnknownOrigin,
        format!("“{code}”不是已登记的同步对象，请先用 peer add 登记其公钥"),
    )
}

/// Gaps of `origin`'s log before the bundles waiting here.
fn gaps(conn: &rusqlite::Connection, origin: &str, acked_to: i64) -> Result<Vec<(i64, i64)>> {
    let mut select = conn.prepare_cached(
        "SELECT from_seq, to_seq FROM pending_bundles WHERE origin = ?1 ORDER BY from_seq",
    )?;
    let ranges = select
        .query_map([origin], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let mut cursor = acked_to + 1;
    let mut missing = Vec::new();
    for (from, to) in ranges {
        if from > cursor {
            missing.push((cursor, from - 1));
        }
        cursor = cursor.max(to + 1);
    }
    Ok(missing)
}

fn inbound_acked(conn: &rusqlite::Connection, origin: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT acked_to FROM inbound WHERE origin = ?1")?
        .query_row([origin], |row| row.get(0))
        .optional()?
        .unwrap_or(0))
}

impl Book {
    /// The public halves of this book's keys.
    pub fn public_keys(&self) -> PublicKeys {
        self.keys().public(&self.origin().code)
    }

    /// Enrolls (or re-keys) a peer. A revoked peer stays revoked.
    pub fn add_peer(&mut self, code: &str, sign_public: &str, seal_public: &str) -> Result<Peer> {
        let code = crate::store::origin_code(code)?;
        if code == self.origin().code {
            return Err(Error::invalid("不能把本站自己登记为同步对象"));
        }
        let sign = decode_key("签名公钥", sign_public)?;
        verifying_key("签名公钥", &sign)?;
        let seal = decode_key("加密公钥", seal_public)?;
        if let Some(peer) = self.peer(&code)?
            && peer.revoked_at.is_some()
        {
            return Err(Error::refused(
                ErrorKind::UnknownOrigin,
                format!("“{code}”已被吊销，不能重新登记"),
            ));
        }
        self.conn().execute(
            "INSERT INTO peers (code, sign_public, seal_public, added_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (code) DO UPDATE SET sign_public = excluded.sign_public,
                 seal_public = excluded.seal_public",
            params![code, sign.as_slice(), seal.as_slice(), stored(china_now())],
        )?;
        self.peer(&code)?.ok_or_else(|| unknown_origin(&code))
    }

    /// Revokes a peer: its bundles and receipts are refused from now on.
    pub fn revoke_peer(&mut self, code: &str) -> Result<Peer> {
        let changed = self.conn().execute(
            "UPDATE peers SET revoked_at = COALESCE(revoked_at, ?2) WHERE code = ?1",
            params![code.trim(), stored(china_now())],
        )?;
        if changed == 0 {
            return Err(unknown_origin(code.trim()));
        }
        self.peer(code.trim())?.ok_or_else(|| unknown_origin(code))
    }

    /// Enrolled peers.
    pub fn peers(&self) -> Result<Vec<Peer>> {
        let mut select = self.conn().prepare(
            "SELECT code, sign_public, seal_public, added_at, revoked_at FROM peers ORDER BY code",
        )?;
        let peers = select
            .query_map([], peer_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(peers)
    }

    fn peer(&self, code: &str) -> Result<Option<Peer>> {
        Ok(self
            .conn()
            .query_row(
                "SELECT code, sign_public, seal_public, added_at, revoked_at FROM peers WHERE code = ?1",
                [code],
                peer_from_row,
            )
            .optional()?)
    }

    /// An enrolled, not revoked peer's keys.
    fn active_peer_keys(&self, code: &str) -> Result<(ed25519_dalek::VerifyingKey, PublicKey)> {
        if code == self.origin().code {
            return Err(Error::refused(
                ErrorKind::UnknownOrigin,
                format!("“{code}”是本站自己，不能与自己同步"),
            ));
        }
        let peer = self.peer(code)?.ok_or_else(|| unknown_origin(code))?;
        if peer.revoked_at.is_some() {
            return Err(Error::refused(
                ErrorKind::UnknownOrigin,
                format!("“{code}”已被吊销：不再接收其同步包，也不再向其发送"),
            ));
        }
        let sign = decode_key("签名公钥", &peer.sign_public)?;
        let seal = decode_key("加密公钥", &peer.seal_public)?;
        Ok((verifying_key("签名公钥", &sign)?, PublicKey::from(seal)))
    }

    /// Seals everything the peer has not acknowledged into a bundle file in `out_dir`, written
    /// atomically. Says so (no file) when there is nothing new for the peer.
    pub fn export_bundle(&mut self, to: &str, out_dir: &Path) -> Result<Exported> {
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

    /// The answer when there is nothing new for `to`.
    fn nothing_new(&self, to: &str) -> Result<Exported> {
        let acked = self.outbound_acked(to.trim())?;
        Ok(Exported {
            path: None,
            from_seq: acked + 1,
            to_seq: acked.max(self.own_head()?),
            changes: 0,
            bytes: 0,
            receipts: 0,
        })
    }

    fn own_head(&self) -> Result<i64> {
        let own = &self.origin().code;
        Ok(self
            .log_heads()?
            .into_iter()
            .find(|(origin, _)| origin == own)
            .map_or(0, |(_, seq)| seq))
    }

    /// Refuses to send to `peer` once this book was found to be behind it (see `take_receipt`).
    fn refuse_if_behind(&self, peer: &str) -> Result<()> {
        match self.held_back(peer)? {
            Some(message) => Err(Error::refused(ErrorKind::LogBehindPeer, message)),
            None => Ok(()),
        }
    }

    /// Why sending to `peer` is held back, if it is.
    fn held_back(&self, peer: &str) -> Result<Option<String>> {
        let held: Option<String> = self
            .conn()
            .query_row(
                "SELECT held_back FROM outbound WHERE peer = ?1",
                [peer],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        Ok(held.map(|held| {
            serde_json::from_str::<serde_json::Value>(&held)
                .ok()
                .and_then(|held| held["message"].as_str().map(str::to_owned))
                .unwrap_or_else(|| {
                    "本台账已暂停发送同步包：对方已有的记录编号与本台账冲突".to_owned()
                })
        }))
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
        let (_, recipient_seal) = self.active_peer_keys(to)?;
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
        self.refuse_if_behind(to)?;
        let own_head = self.own_head()?;
        let changes = self.outgoing_changes(to, acked)?;
        let receipt = self.receipt_for(to)?;
        let receipt_state = receipt
            .as_ref()
            .map(|r| format!("{}:{:?}", r.acked_to, r.missing));
        if changes.is_empty() && receipt_state == sent_receipt {
            return Ok(None);
        }
        let to_seq = own_head.max(acked);
        let receipts: Vec<Receipt> = receipt.into_iter().collect();
        let entries: Vec<OutgoingEntry<'_>> = changes
            .iter()
            .map(OutgoingEntry::from_row)
            .collect::<Result<_>>()?;
        let json = serde_json::to_vec(&OutgoingPayload {
            changes: &entries,
            receipts: &receipts,
        })
        .map_err(|err| Error::Corrupt(err.to_string()))?;
        let seal = Seal {
            schema_version: SCHEMA_VERSION,
            origin: &own,
            recipient: to,
            recipient_seal: &recipient_seal,
            seq_range: (acked + 1, to_seq),
            prev_hash,
            created_at: stored(china_now()),
        };
        let counts = (entries.len() as u64, receipts.len() as u64);
        let bytes = format::write_json(&seal, &json, counts, &self.keys().sign)?;
        Ok(Some(SealedBundle {
            bytes,
            from_seq: acked + 1,
            to_seq,
            changes: entries.len(),
            receipts: receipts.len(),
            receipt_state,
        }))
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
    ///
    /// A confidential reception goes with its visitors withheld ([`Reception::for_outside`]):
    /// their identity stays at the station. Encoding is deterministic, so a bundle sent again
    /// carries the same bytes for the same seq. The stored JSON is looked at as text (inside a
    /// string a quote is escaped, so the key can only be the flag), and only a match is decoded.
    fn outgoing_changes(&self, peer: &str, acked: i64) -> Result<Vec<StoredEntry>> {
        let mut select = self.conn().prepare(&format!(
            "SELECT origin, seq, hlc, deputy_id, schema_version, base_hlc, op, data,
                 op = 'reception_create' AND instr(data, '\"confidential\":true') > 0
             FROM change_log c
             WHERE {OUTGOING} ORDER BY seq"
        ))?;
        let everything = self.origin().kind == BookKind::Station;
        let rows = select
            .query_map(
                params![self.origin().code, acked, everything, peer],
                |row| {
                    let entry = StoredEntry {
                        origin: row.get(0)?,
                        seq: row.get(1)?,
                        hlc: row.get(2)?,
                        deputy: row.get(3)?,
                        schema_version: row.get(4)?,
                        base_hlc: row.get(5)?,
                        op: row.get(6)?,
                        data: row.get(7)?,
                    };
                    Ok((entry, row.get::<_, bool>(8)?))
                },
            )?
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

    /// A signed receipt of what this book holds of `peer`'s log, once anything was received.
    pub fn receipt_for(&self, peer: &str) -> Result<Option<Receipt>> {
        let acked: Option<i64> = self
            .conn()
            .query_row(
                "SELECT acked_to FROM inbound WHERE origin = ?1",
                [peer],
                |row| row.get(0),
            )
            .optional()?;
        let Some(acked_to) = acked else {
            return Ok(None);
        };
        let receipt = Receipt {
            issuer: self.origin().code.clone(),
            origin: peer.to_owned(),
            acked_to,
            missing: gaps(self.conn(), peer, acked_to)?,
            issued_at: stored(china_now()),
            signature: String::new(),
        };
        Ok(Some(receipt.sign(&self.keys().sign)))
    }

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

    /// Everything about a bundle that needs no write: framing, sender, recipient, signature,
    /// decryption, payload.
    fn prepare_import(&self, bytes: &[u8]) -> Result<PreparedBundle> {
        let origin = format::parse(bytes)?.header.origin;
        let mut peers = HashMap::new();
        if let Some(peer) = self.peer(&origin)? {
            peers.insert(origin, active_key(&peer)?);
        }
        BundleOpener {
            own: self.origin().code.clone(),
            seal: self.keys().seal.clone(),
            peers,
        }
        .prepare(bytes)
    }

    /// A snapshot of the keys needed to verify and open bundles, for work done away from the
    /// book (the hub opens uploads on several cores, then applies them in one writer).
    pub fn bundle_opener(&self) -> Result<BundleOpener> {
        let mut peers = HashMap::new();
        for peer in self.peers()? {
            let key = if peer.revoked_at.is_some() {
                None
            } else {
                Some(verifying_key(
                    "签名公钥",
                    &decode_key("签名公钥", &peer.sign_public)?,
                )?)
            };
            peers.insert(peer.code, key);
        }
        Ok(BundleOpener {
            own: self.origin().code.clone(),
            seal: self.keys().seal.clone(),
            peers,
        })
    }

    /// Applies bundles opened by a [`BundleOpener`] in one transaction, each all or nothing.
    /// A sender revoked since the opener was made is refused here.
    pub fn import_prepared(
        &mut self,
        bundles: Vec<Result<PreparedBundle>>,
    ) -> Vec<Result<Imported>> {
        let own = self.origin().code.clone();
        let checked: Vec<Result<PreparedBundle>> = bundles
            .into_iter()
            .map(|bundle| {
                let bundle = bundle?;
                let (key, _) = self.active_peer_keys(&bundle.header.origin)?;
                if key != bundle.sender {
                    return Err(Error::refused(
                        ErrorKind::BadBundle,
                        format!("同步包无效：“{}”的签名公钥已更换", bundle.header.origin),
                    ));
                }
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

    /// A signed request for this book's bundle from the hub.
    pub fn pull_request(&self) -> Result<PullRequest> {
        self.pull_request_at(china_now())
    }

    fn pull_request_at(&self, at: chrono::DateTime<chrono::FixedOffset>) -> Result<PullRequest> {
        use ed25519_dalek::Signer;
        let random = keys::random_32()?;
        let mut request = PullRequest {
            station: self.origin().code.clone(),
            time: stored(at),
            nonce: STANDARD.encode(&random[..16]),
            signature: String::new(),
        };
        request.signature = STANDARD.encode(
            self.keys()
                .sign
                .sign(request.signed_text().as_bytes())
                .to_bytes(),
        );
        Ok(request)
    }

    /// Checks a station's pull request: an enrolled, not revoked station, its signature, and a
    /// nonce never seen before (which is then remembered).
    pub fn verify_pull(&mut self, request: &PullRequest) -> Result<()> {
        use ed25519_dalek::Verifier;
        let (key, _) = self.active_peer_keys(&request.station)?;
        let refused =
            |why: &str| Error::refused(ErrorKind::BadSignature, format!("拉取请求无效：{why}"));
        let nonce = STANDARD
            .decode(&request.nonce)
            .map_err(|_| refused("随机数格式不正确"))?;
        if nonce.len() < 16 {
            return Err(refused("随机数太短"));
        }
        let signature = STANDARD
            .decode(&request.signature)
            .ok()
            .and_then(|bytes| ed25519_dalek::Signature::from_slice(&bytes).ok())
            .ok_or_else(|| refused("签名格式不正确"))?;
        key.verify(request.signed_text().as_bytes(), &signature)
            .map_err(|_| refused("签名验证失败"))?;
        let now = china_now();
        let asked_at = chrono::DateTime::parse_from_rfc3339(&request.time)
            .map_err(|_| refused("请求时间格式不正确"))?;
        let window = chrono::TimeDelta::days(PULL_WINDOW_DAYS);
        if (now - asked_at).abs() > window {
            return Err(refused(&format!(
                "请求时间与镇中心相差超过{PULL_WINDOW_DAYS}天，请校准本站电脑的日期后再同步"
            )));
        }
        // A request is accepted only within the window of its own time, so a nonce seen more
        // than two windows ago can never be replayed: forget it, and the table stays small.
        self.conn().execute(
            "DELETE FROM pull_nonces WHERE station = ?1 AND seen_at < ?2",
            params![
                request.station,
                stored(now - window * 2 - chrono::TimeDelta::days(1))
            ],
        )?;
        let fresh = self.conn().execute(
            "INSERT OR IGNORE INTO pull_nonces (station, nonce, seen_at) VALUES (?1, ?2, ?3)",
            params![request.station, request.nonce, stored(china_now())],
        )?;
        if fresh == 0 {
            return Err(refused("该请求已使用过（重放）"));
        }
        Ok(())
    }

    /// Takes a receipt for this book's own changes that came outside a bundle (the hub's
    /// answer to an upload), after checking the issuer's signature.
    pub fn take_receipt(&mut self, receipt: &Receipt) -> Result<()> {
        if receipt.origin != self.origin().code {
            return Err(Error::refused(
                ErrorKind::BadBundle,
                "回执不是关于本站变更的",
            ));
        }
        let (key, _) = self.active_peer_keys(&receipt.issuer)?;
        receipt.verify(&key)?;
        self.write(|writer| take_receipt(writer, receipt))
    }

    /// Per peer: what was sent and acknowledged, what was received, and the gaps.
    pub fn bundle_status(&self) -> Result<Vec<PeerStatus>> {
        let mut statuses = Vec::new();
        for peer in self.peers()? {
            let outbound: (i64, Option<String>, i64, String) = self
                .conn()
                .query_row(
                    "SELECT last_export_to, last_export_at, acked_to, missing FROM outbound WHERE peer = ?1",
                    [&peer.code],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()?
                .unwrap_or((0, None, 0, "[]".into()));
            let inbound: (i64, Option<String>) = self
                .conn()
                .query_row(
                    "SELECT acked_to, last_import_at FROM inbound WHERE origin = ?1",
                    [&peer.code],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?
                .unwrap_or((0, None));
            statuses.push(PeerStatus {
                revoked: peer.revoked_at.is_some(),
                last_exported_seq: outbound.0,
                last_export_at: outbound.1,
                acknowledged_seq: outbound.2,
                unacknowledged: self.conn().query_row(
                    &format!("SELECT COUNT(*) FROM change_log c WHERE {OUTGOING}"),
                    params![
                        self.origin().code,
                        outbound.2,
                        self.origin().kind == BookKind::Station,
                        peer.code
                    ],
                    |row| row.get(0),
                )?,
                peer_missing: serde_json::from_str(&outbound.3).unwrap_or_default(),
                received_seq: inbound.0,
                last_import_at: inbound.1,
                gaps: gaps(self.conn(), &peer.code, inbound.0)?,
                held_back: self.held_back(&peer.code)?,
                quarantined: quarantine::list(self.conn(), Some(&peer.code))?,
                peer: peer.code,
            });
        }
        Ok(statuses)
    }

    /// Bundles kept aside: refused ones from enrolled peers, and those of a newer schema.
    pub fn quarantined(&self) -> Result<Vec<Quarantined>> {
        quarantine::list(self.conn(), None)
    }

    /// Records edited by two origins, with the version that lost.
    pub fn conflicts(&self) -> Result<Vec<Conflict>> {
        let mut select = self.conn().prepare(
            "SELECT record_id, entity, winner_origin, winner_hlc, loser_origin, loser_hlc, fields,
                    loser_data, detected_at
             FROM conflicts ORDER BY id",
        )?;
        let rows = select
            .query_map([], |row| {
                Ok((
                    (
                        row.get::<_, String>(0)?,
                        row.get::<_, String>(1)?,
                        row.get::<_, String>(2)?,
                    ),
                    (
                        row.get::<_, i64>(3)?,
                        row.get::<_, String>(4)?,
                        row.get::<_, i64>(5)?,
                    ),
                    (
                        row.get::<_, String>(6)?,
                        row.get::<_, String>(7)?,
                        row.get::<_, String>(8)?,
                    ),
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows
            .into_iter()
            .map(
                |(
                    (record_id, entity, winner_origin),
                    (winner_hlc, loser_origin, loser_hlc),
                    (fields, loser, detected_at),
                )| Conflict {
                    record_id,
                    entity,
                    winner_origin,
                    winner_hlc,
                    loser_origin,
                    loser_hlc,
                    fields: serde_json::from_str(&fields).unwrap_or_default(),
                    loser: serde_json::from_str(&loser).unwrap_or_default(),
                    detected_at,
                },
            )
            .collect())
    }
}

/// Which of this book's own changes after `?2` go to peer `?4` (`?1` the book's code, `?3`
/// true for a station). The roster belongs to the town: a station sends its own records and
/// events, not roster edits it made itself (they stay in its book until the town's roster
/// replaces them); the town sends every station the roster and what concerns its records.
const OUTGOING: &str = "origin = ?1 AND seq > ?2 AND (
     (?3 AND entity NOT IN ('grid', 'station', 'deputy', 'duty_shift'))
     OR (NOT ?3 AND entity IN ('grid', 'station', 'deputy'))
     OR (entity IN ('duty_shift', 'reception', 'meeting', 'mediation')
         AND json_extract(data, '$.station') = ?4)
     OR (entity = 'case_event' AND ?4 =
         (SELECT station FROM receptions WHERE id = json_extract(c.data, '$.reception')))
     OR (entity = 'mediation_event' AND ?4 =
         (SELECT station FROM mediations WHERE id = json_extract(c.data, '$.mediation'))))";

/// A change-log row as stored.
struct StoredEntry {
    origin: String,
    seq: i64,
    hlc: i64,
    deputy: Option<String>,
    schema_version: i64,
    base_hlc: Option<i64>,
    op: String,
    data: String,
}

/// A [`LogEntry`] as it goes into a bundle, with the record's stored JSON as it is: the same
/// JSON a `LogEntry` serialises to.
#[derive(Serialize)]
struct OutgoingEntry<'a> {
    origin: &'a str,
    seq: i64,
    hlc: i64,
    deputy: Option<&'a str>,
    schema_version: i64,
    base_hlc: Option<i64>,
    #[serde(rename = "type")]
    op: &'a str,
    record: &'a serde_json::value::RawValue,
}

impl<'a> OutgoingEntry<'a> {
    fn from_row(row: &'a StoredEntry) -> Result<Self> {
        let record: &serde_json::value::RawValue = serde_json::from_str(&row.data)
            .map_err(|err| Error::Corrupt(format!("change {} #{}: {err}", row.origin, row.seq)))?;
        Ok(OutgoingEntry {
            origin: &row.origin,
            seq: row.seq,
            hlc: row.hlc,
            deputy: row.deputy.as_deref(),
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
}

/// What the hub answers to an upload.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct UploadAnswer {
    /// What the import did.
    pub imported: Imported,
    /// The town's signed receipt for the station's changes.
    pub receipt: Option<Receipt>,
}

/// The body of a refusal by the hub.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Refusal {
    /// Stable kind, as in the CLI.
    pub kind: ErrorKind,
    /// A short reason.
    pub message: String,
}

/// A station's signed request for its bundle from the hub. Replay-safe by its nonce, which
/// the hub accepts once (the time is informative: station clocks may be days off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PullRequest {
    /// The station asking.
    pub station: String,
    /// When it asked (RFC 3339, its own clock).
    pub time: String,
    /// 16 random bytes, base64.
    pub nonce: String,
    /// Ed25519 signature (base64) of the station over [`PullRequest::signed_text`].
    pub signature: String,
}

impl PullRequest {
    /// What the signature covers.
    pub fn signed_text(&self) -> String {
        format!(
            "liaison-pull v1\n{}\n{}\n{}",
            self.station, self.time, self.nonce
        )
    }
}

/// How far a pull request's time may be from the hub's clock. Station PCs' clocks may be days
/// off, not months; the window also bounds how long the hub must remember nonces.
pub const PULL_WINDOW_DAYS: i64 = 30;

/// The stored JSON of a confidential reception with its visitors withheld.
fn withhold_identity(entry: &StoredEntry) -> Result<String> {
    let reception: Reception = serde_json::from_str(&entry.data)
        .map_err(|err| Error::Corrupt(format!("change {} #{}: {err}", entry.origin, entry.seq)))?;
    serde_json::to_string(&reception.for_outside())
        .map_err(|err| Error::Corrupt(format!("change {} #{}: {err}", entry.origin, entry.seq)))
}

/// A peer's verifying key, or `None` when it is revoked.
fn active_key(peer: &Peer) -> Result<Option<ed25519_dalek::VerifyingKey>> {
    if peer.revoked_at.is_some() {
        return Ok(None);
    }
    Ok(Some(verifying_key(
        "签名公钥",
        &decode_key("签名公钥", &peer.sign_public)?,
    )?))
}

fn peer_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Peer> {
    Ok(Peer {
        code: row.get(0)?,
        sign_public: STANDARD.encode(row.get::<_, Vec<u8>>(1)?),
        seal_public: STANDARD.encode(row.get::<_, Vec<u8>>(2)?),
        added_at: row.get(3)?,
        revoked_at: row.get(4)?,
    })
}

/// Verifies and opens bundles sealed to one book, without the book (see
/// [`Book::bundle_opener`]).
#[derive(Clone)]
pub struct BundleOpener {
    own: String,
    seal: x25519_dalek::StaticSecret,
    /// Enrolled peers; `None` for a revoked one.
    peers: HashMap<String, Option<ed25519_dalek::VerifyingKey>>,
}

impl std::fmt::Debug for BundleOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BundleOpener")
            .field("own", &self.own)
            .finish_non_exhaustive()
    }
}

impl BundleOpener {
    /// An opener that knows no peer and refuses everything.
    pub fn empty() -> BundleOpener {
        BundleOpener {
            own: String::new(),
            seal: x25519_dalek::StaticSecret::from([0u8; 32]),
            peers: HashMap::new(),
        }
    }

    /// Framing, sender, recipient, signature, decryption and payload of one bundle (whose
    /// payload decompresses to at most [`format::MAX_PAYLOAD_LEN`]).
    pub fn prepare(&self, bytes: &[u8]) -> Result<PreparedBundle> {
        self.open(bytes)?.decode(format::MAX_PAYLOAD_LEN)
    }

    /// Framing, sender, recipient, signature and decryption: an authentic bundle for this book
    /// whose payload is still compressed, so a server can budget the memory its
    /// [`OpenedBundle::payload_len`] needs before [`OpenedBundle::decode`].
    pub fn open(&self, bytes: &[u8]) -> Result<OpenedBundle> {
        let parsed = format::parse(bytes)?;
        let header = parsed.header.clone();
        let sender = self.sender_key(&header)?;
        let compressed = format::verify_and_decrypt(&parsed, &sender, &self.seal)?;
        // A newer schema may not decode with this version: keep the verified file as it is.
        let newer = header.schema_version > SCHEMA_VERSION;
        Ok(OpenedBundle {
            header,
            compressed,
            sender,
            file_hash: format::file_hash(bytes),
            newer,
            file: bytes.to_vec(),
        })
    }

    /// The key of the header's sender, when it is an enrolled, active peer and the bundle is
    /// addressed to this book: checked from the header alone, so the hub can refuse a stranger
    /// before reading the rest of an upload.
    pub fn sender_key(&self, header: &format::Header) -> Result<ed25519_dalek::VerifyingKey> {
        let sender = match self.peers.get(&header.origin) {
            _ if header.origin == self.own => {
                return Err(Error::refused(
                    ErrorKind::UnknownOrigin,
                    format!("“{}”是本站自己，不能与自己同步", header.origin),
                ));
            }
            None => return Err(unknown_origin(&header.origin)),
            Some(None) => {
                return Err(Error::refused(
                    ErrorKind::UnknownOrigin,
                    format!(
                        "“{}”已被吊销：不再接收其同步包，也不再向其发送",
                        header.origin
                    ),
                ));
            }
            Some(Some(key)) => *key,
        };
        if header.recipient != self.own {
            return Err(Error::refused(
                ErrorKind::WrongRecipient,
                format!(
                    "这个同步包是发给“{}”的，不是发给本站（{}）的",
                    header.recipient, self.own
                ),
            ));
        }
        Ok(sender)
    }
}

/// A bundle verified and decrypted for this book, its payload not yet decompressed.
pub struct OpenedBundle {
    header: format::Header,
    compressed: Vec<u8>,
    sender: ed25519_dalek::VerifyingKey,
    file_hash: String,
    /// Its schema is newer than this book's: it is kept, not decoded.
    newer: bool,
    /// The whole file, kept in quarantine if it is refused or newer.
    file: Vec<u8>,
}

impl std::fmt::Debug for OpenedBundle {
    // The payload holds visitors' data: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedBundle")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

impl OpenedBundle {
    /// The sender (authenticated).
    pub fn origin(&self) -> &str {
        &self.header.origin
    }

    /// The header (authenticated): seq range and counts.
    pub fn header(&self) -> &format::Header {
        &self.header
    }

    /// SHA-256 (hex) of the whole file: the same file posted again has the same.
    pub fn file_hash(&self) -> &str {
        &self.file_hash
    }

    /// Bytes the payload takes decompressed, as its (authentic) frame declares; 0 for a bundle
    /// of a newer schema, which is kept whole and not decompressed.
    ///
    /// # Errors
    /// `bad_bundle` when the payload declares no size.
    pub fn payload_len(&self) -> Result<usize> {
        if self.newer {
            return Ok(0);
        }
        format::payload_len(&self.compressed)
    }

    /// Decompresses (at most `cap` bytes, or `bad_bundle`) and decodes the payload.
    pub fn decode(self, cap: usize) -> Result<PreparedBundle> {
        let payload = if self.newer {
            format::Payload {
                changes: Vec::new(),
                receipts: Vec::new(),
            }
        } else {
            format::decode_payload(&self.header, &self.compressed, cap)?
        };
        let encoded = encode_entries(&payload.changes)?;
        Ok(PreparedBundle {
            header: self.header,
            payload,
            encoded,
            sender: self.sender,
            file_hash: self.file_hash,
            newer: self.newer,
            file: self.file,
        })
    }
}

/// A bundle verified and decrypted, ready to apply.
#[derive(Debug)]
pub struct PreparedBundle {
    header: format::Header,
    payload: format::Payload,
    /// Each change's stored form, made here rather than by the one writer.
    encoded: Vec<(&'static str, String)>,
    sender: ed25519_dalek::VerifyingKey,
    file_hash: String,
    /// Its schema is newer than this book's: it is kept until the book is upgraded.
    newer: bool,
    /// The whole file, kept in quarantine if it is refused or newer.
    file: Vec<u8>,
}

impl PreparedBundle {
    /// The sender (authenticated).
    pub fn origin(&self) -> &str {
        &self.header.origin
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
        if receipt.issuer != header.origin || receipt.origin != own {
            return Err(Error::refused(
                ErrorKind::BadBundle,
                "同步包中的回执与发送方不符",
            ));
        }
        receipt.verify(&bundle.sender)?;
        take_receipt(writer, receipt)?;
        imported.receipts += 1;
    }
    let changes = &bundle.payload.changes;
    if header.to_seq >= header.from_seq {
        let acked = inbound_acked(writer.tx(), &header.origin)?;
        if header.from_seq <= acked {
            // The sender resends what we already hold: our receipt did not reach it (a lost
            // stick). Send the receipt again next time even if nothing else is new.
            writer
                .tx()
                .prepare_cached("UPDATE outbound SET sent_receipt = NULL WHERE peer = ?1")?
                .execute([&header.origin])?;
        }
        if header.from_seq > acked + 1 {
            refuse_if_too_many_waiting(writer, &header.origin)?;
            let entries =
                serde_json::to_vec(changes).map_err(|err| Error::Corrupt(err.to_string()))?;
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
            let entries = changes.iter().zip(&bundle.encoded);
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
        .execute(params![
            header.origin,
            stored(china_now()),
            bundle.file_hash
        ])?;
    Ok(imported)
}

/// Remembers why this book may not send to `peer` any more (the first reason found is kept).
fn hold_back(writer: &Writer<'_>, peer: &str, message: &str) -> Result<()> {
    let held = serde_json::json!({
        "peer": peer,
        "message": message,
        "noticed_at": stored(china_now()),
    });
    writer
        .tx()
        .prepare_cached(
            "INSERT INTO outbound (peer, held_back) VALUES (?1, ?2)
             ON CONFLICT (peer) DO UPDATE SET held_back = COALESCE(held_back, excluded.held_back)",
        )?
        .execute(params![peer, held.to_string()])?;
    Ok(())
}

/// Applies one prepared bundle in its own savepoint. A refusal of what an enrolled peer sent
/// (not its restored-backup 409, which repeats every cycle) keeps the bundle in quarantine,
/// with why, for the town office to see; the refusal is still the answer.
fn import_one(writer: &mut Writer<'_>, bundle: &PreparedBundle, own: &str) -> Result<Imported> {
    match writer.atomically(|writer| apply_prepared(writer, bundle, own)) {
        Err(refusal)
            if refusal.kind().is_refusal() && refusal.kind() != ErrorKind::LogBehindPeer =>
        {
            quarantine::keep(writer, bundle, Some(&refusal))?;
            Err(refusal)
        }
        result => result,
    }
}

/// Takes a verified receipt for this book's own changes from its issuer. The newest receipt
/// replaces the last one even when it acknowledges less (the peer was restored from a backup):
/// what it lacks is then sent again.
///
/// One that acknowledges more than this book holds of its own log means this book was
/// restored from an older backup (or made again under the same code): the numbers after its
/// head are the peer's already. Only a signed receipt says so for sure: sending is then held
/// back for good (`outbound.held_back`, for that peer only), rather than send new changes under numbers the
/// peer would take for ones it has (they would be acknowledged and never arrive).
fn take_receipt(writer: &Writer<'_>, receipt: &Receipt) -> Result<()> {
    receipt.check_bounds()?;
    let own_head = writer.own_head();
    if receipt.acked_to > own_head {
        let next_step = match writer.book_kind() {
            BookKind::Station => "本机新登记的事项都已保存，但暂不能上报，请联系镇人大处理",
            BookKind::Town => {
                "本机新登记的内容都已保存，但暂不能下发，请先从备份或各站点找回本台账的记录"
            }
        };
        let message = format!(
            "“{}”已收到的同步记录比本机台账还多（对方到第{}条，本机只到第{own_head}条）：本机台账可能是\
             从较早的备份恢复的。为免新记录被当作对方已有的记录而丢失，已暂停发送同步包。{next_step}",
            receipt.issuer, receipt.acked_to
        );
        hold_back(writer, &receipt.issuer, &message)?;
    }
    let missing =
        serde_json::to_string(&receipt.missing).map_err(|err| Error::Corrupt(err.to_string()))?;
    writer
        .tx()
        .prepare_cached(
            "INSERT INTO outbound (peer, acked_to, missing, receipt_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (peer) DO UPDATE SET
                 missing = excluded.missing, receipt_at = excluded.receipt_at, acked_to = excluded.acked_to
             WHERE receipt_at IS NULL OR excluded.receipt_at >= receipt_at",
        )?
        .execute(params![receipt.issuer, receipt.acked_to, missing, receipt.issued_at])?;
    Ok(())
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
            .map_err(|err| match err {
                // What the record itself makes impossible is the bundle's fault, not the book's.
                Error::Corrupt(why) => unusable(entry, &why),
                Error::Sqlite(ref sqlite)
                    if sqlite.sqlite_error_code()
                        == Some(rusqlite::ErrorCode::ConstraintViolation) =>
                {
                    unusable(entry, &sqlite.to_string())
                }
                other => other,
            })?;
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
fn encode_entries(entries: &[LogEntry]) -> Result<Vec<(&'static str, String)>> {
    entries
        .iter()
        .map(|entry| {
            change_to_parts(&entry.change).map_err(|err| unusable(entry, &err.to_string()))
        })
        .collect()
}

fn unusable(entry: &LogEntry, why: &str) -> Error {
    Error::refused(
        ErrorKind::BadBundle,
        format!(
            "同步包无效：{}的第{}号变更无法应用（{why}）",
            entry.origin, entry.seq
        ),
    )
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
        let acked = inbound_acked(writer.tx(), origin)?;
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
        let json = format::decompress(&entries, format::MAX_PAYLOAD_LEN)
            .map_err(|err| Error::Corrupt(format!("pending bundle: {err}")))?;
        let entries: Vec<LogEntry> = serde_json::from_slice(&json)
            .map_err(|err| Error::Corrupt(format!("pending bundle: {err}")))?;
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

/// Writes a file so that it is either absent or complete: temp file, fsync, rename, fsync dir.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<()> {
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

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use super::*;

    fn town_and_station() -> (Book, Book) {
        let mut town = Book::create_in_memory("QX", "清溪镇人大", BookKind::Town).unwrap();
        let station =
            Book::create_in_memory("BX", "东岭村人大代表联络站", BookKind::Station).unwrap();
        let keys = station.public_keys();
        town.add_peer(&keys.origin, &keys.sign_public, &keys.seal_public)
            .unwrap();
        (town, station)
    }

    #[test]
    fn pulls_far_from_the_hubs_clock_are_refused_and_old_nonces_forgotten() {
        let (mut town, station) = town_and_station();
        let now = china_now();
        let stale = station
            .pull_request_at(now - TimeDelta::days(PULL_WINDOW_DAYS + 1))
            .unwrap();
        let err = town.verify_pull(&stale).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadSignature);
        assert!(err.to_string().contains("校准"), "{err}");

        let days_off = station.pull_request_at(now - TimeDelta::days(3)).unwrap();
        town.verify_pull(&days_off).unwrap();
        let long_ago = stored(now - TimeDelta::days(2 * PULL_WINDOW_DAYS + 2));
        town.conn()
            .execute(
                "INSERT INTO pull_nonces (station, nonce, seen_at) VALUES ('BX', 'old', ?1)",
                [long_ago],
            )
            .unwrap();
        town.verify_pull(&station.pull_request().unwrap()).unwrap();
        let nonces: Vec<String> = town
            .conn()
            .prepare("SELECT nonce FROM pull_nonces")
            .unwrap()
            .query_map([], |row| row.get(0))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert_eq!(nonces.len(), 2, "the old nonce is forgotten: {nonces:?}");
        assert!(!nonces.contains(&"old".to_owned()));
        assert_eq!(
            town.verify_pull(&days_off).unwrap_err().kind(),
            ErrorKind::BadSignature,
            "a recent nonce is still remembered"
        );
    }
}
