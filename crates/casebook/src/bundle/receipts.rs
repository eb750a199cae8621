//! Receipts: how far each side holds the other's log, sent back signed in the next bundle (or
//! the hub's answer), and the hold-back when a receipt shows this book restored from an older
//! backup: it acknowledges more of this book's log than the book holds, or names, by its hash,
//! an entry other than this book's own at that seq (the book recorded more after the restore).

use ed25519_dalek::VerifyingKey;
use rusqlite::{OptionalExtension, params};

use super::format::{FORMAT_VERSION, HASHED_RECEIPTS_VERSION, LastEntry, Receipt, entry_sha256};
use crate::change::Change;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{Book, BookKind, LOG_VERSION, Writer, change_from_parts, change_to_parts};
use crate::time::{china_now, stored};

/// Signs receipts in this book's name.
#[derive(Clone)]
pub struct ReceiptIssuer {
    issuer: String,
    key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for ReceiptIssuer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ReceiptIssuer")
            .field("issuer", &self.issuer)
            .finish_non_exhaustive()
    }
}

impl ReceiptIssuer {
    /// The issuer's origin code.
    pub fn issuer(&self) -> &str {
        &self.issuer
    }

    /// A receipt of `origin`'s log, issued now: everything to `acked_to` held, `missing`
    /// before bundles that wait, the last entry held named by its hash (`None` for a reader
    /// before format 3, which refuses the field).
    pub fn issue(
        &self,
        origin: &str,
        acked_to: i64,
        missing: Vec<(i64, i64)>,
        last_entry: Option<LastEntry>,
    ) -> Receipt {
        Receipt {
            issuer: self.issuer.clone(),
            origin: origin.to_owned(),
            acked_to,
            missing,
            issued_at: stored(china_now()),
            last_entry,
            signature: String::new(),
        }
        .sign(&self.key)
    }
}

/// Makes the next bundle to `peer` carry this book's receipt even if it has not changed since
/// the last one sent: `peer` resent what is held here (its receipt did not reach it), or reused
/// a number (the receipt's hash shows it where the two logs part).
pub(super) fn resend_receipt(conn: &rusqlite::Connection, peer: &str) -> Result<()> {
    conn.prepare_cached("UPDATE outbound SET sent_receipt = NULL WHERE peer = ?1")?
        .execute([peer])?;
    Ok(())
}

/// Gaps of `origin`'s log before the bundles waiting here.
pub(super) fn gaps(
    conn: &rusqlite::Connection,
    origin: &str,
    acked_to: i64,
) -> Result<Vec<(i64, i64)>> {
    let mut select = conn.prepare_cached(
        "SELECT from_seq, to_seq FROM pending_bundles WHERE origin = ?1 ORDER BY from_seq",
    )?;
    let ranges = select
        .query_map([origin], |row| {
            Ok((row.get::<_, i64>(0)?, row.get::<_, i64>(1)?))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(missing_ranges(acked_to, ranges))
}

/// The ranges missing after `acked_to` before the bundles waiting with `waiting` ranges (in
/// order of `from`): what a receipt's `missing` says.
pub fn missing_ranges(
    acked_to: i64,
    waiting: impl IntoIterator<Item = (i64, i64)>,
) -> Vec<(i64, i64)> {
    let mut cursor = acked_to + 1;
    let mut missing = Vec::new();
    for (from, to) in waiting {
        if from > cursor {
            missing.push((cursor, from - 1));
        }
        cursor = cursor.max(to + 1);
    }
    missing
}

/// How far this book holds `origin`'s log with nothing missing before; `None` until anything
/// came from it (then there is nothing to acknowledge).
pub(super) fn received_to(conn: &rusqlite::Connection, origin: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT acked_to FROM inbound WHERE origin = ?1")?
        .query_row([origin], |row| row.get(0))
        .optional()?)
}

/// The last entry of `origin`'s log this book holds at or before `acked_to`, by its hash; `None`
/// when it holds none (nothing acknowledged yet, or none of the town's changes were for this
/// station).
fn last_entry(
    conn: &rusqlite::Connection,
    origin: &str,
    acked_to: i64,
) -> Result<Option<LastEntry>> {
    let row: Option<(i64, i64, String, String)> = conn
        .prepare_cached(
            "SELECT seq, hlc, op, data FROM change_log WHERE origin = ?1 AND seq <= ?2
             ORDER BY seq DESC LIMIT 1",
        )?
        .query_row(params![origin, acked_to], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
        })
        .optional()?;
    row.map(|(seq, hlc, op, data)| {
        Ok(LastEntry {
            seq,
            log_version: LOG_VERSION,
            sha256: canonical_entry_hash(origin, seq, hlc, &op, &data)?,
        })
    })
    .transpose()
}

/// The hash of entry `origin:seq` as this book holds it, as a receipt names it; `None` when
/// the book holds no such entry.
fn entry_hash(conn: &rusqlite::Connection, origin: &str, seq: i64) -> Result<Option<String>> {
    let row: Option<(i64, String, String)> = conn
        .prepare_cached("SELECT hlc, op, data FROM change_log WHERE origin = ?1 AND seq = ?2")?
        .query_row(params![origin, seq], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    row.map(|(hlc, op, data)| canonical_entry_hash(origin, seq, hlc, &op, &data))
        .transpose()
}

/// The hash a receipt names for entry `origin:seq` stored as `op` and `data`
/// ([`entry_sha256`] of its canonical record): what a hub's shared store keeps beside each entry.
pub fn canonical_entry_hash(
    origin: &str,
    seq: i64,
    hlc: i64,
    op: &str,
    data: &str,
) -> Result<String> {
    Ok(entry_sha256(
        origin,
        seq,
        hlc,
        op,
        &canonical_record(op, data)?,
    ))
}

/// A stored record in the form both books hold of it: encoded again by this version (JSON
/// stored by an older one may lack a field added since, with its default), and a confidential
/// visit's visitors withheld, as the station exports it and the town stores it.
fn canonical_record(op: &str, data: &str) -> Result<String> {
    let change = match change_from_parts(op, data)? {
        Change::ReceptionCreate(reception) => Change::ReceptionCreate(reception.for_outside()),
        other => other,
    };
    Ok(change_to_parts(&change)?.1)
}

impl Book {
    /// A signed receipt of what this book holds of `peer`'s log, once anything was received,
    /// naming the last entry it holds by its hash.
    pub fn receipt_for(&self, peer: &str) -> Result<Option<Receipt>> {
        self.receipt_for_format(peer, FORMAT_VERSION)
    }

    /// [`Book::receipt_for`] as a bundle of format `version` carries it: without the hash
    /// before version 3, signed with the text those versions check, since their readers refuse
    /// a receipt with a field they do not know (the hub answers an upload in the upload's
    /// format).
    pub fn receipt_for_format(&self, peer: &str, version: u16) -> Result<Option<Receipt>> {
        let Some(acked_to) = received_to(self.conn(), peer)? else {
            return Ok(None);
        };
        let last_entry = if version >= HASHED_RECEIPTS_VERSION {
            last_entry(self.conn(), peer, acked_to)?
        } else {
            None
        };
        let missing = gaps(self.conn(), peer, acked_to)?;
        Ok(Some(
            self.receipt_issuer()
                .issue(peer, acked_to, missing, last_entry),
        ))
    }

    /// Who signs this book's receipts: for a hub whose store of the stations' logs is not the
    /// book ([`ReceiptIssuer`]).
    pub fn receipt_issuer(&self) -> ReceiptIssuer {
        ReceiptIssuer {
            issuer: self.origin().code.clone(),
            key: self.keys().sign.clone(),
        }
    }

    /// Makes the next bundle to `peer` carry this book's receipt even if it has not changed:
    /// for a hub whose store of the stations' logs is not this book, when `peer` resent what
    /// the store holds or reused a number.
    pub fn resend_receipt_to(&mut self, peer: &str) -> Result<()> {
        resend_receipt(self.conn(), peer)
    }

    /// Takes a receipt for this book's own changes that came outside a bundle (the hub's
    /// answer to an upload) from an active peer; one inside a bundle is taken on import. Both
    /// go through the same check of signature and bounds.
    pub fn take_receipt(&mut self, receipt: &Receipt) -> Result<()> {
        if receipt.origin != self.origin().code {
            return Err(Error::refused(
                ErrorKind::BadBundle,
                "回执不是关于本站变更的",
            ));
        }
        let issuer = self.active_sign_key(&receipt.issuer)?;
        self.write(|writer| apply_receipt(writer, receipt, &issuer))
    }

    /// Refuses to send to `peer` from a town book whose own log is behind what `peer` holds of
    /// it (the town restored from an older backup): the town office recovers the book first,
    /// and the stations are told to wait (the hub's 503). A station held back still sends its
    /// receipts, so that the town sends back what it lacks.
    pub(super) fn refuse_if_town_behind(&self, peer: &str) -> Result<()> {
        if self.origin().kind != BookKind::Town {
            return Ok(());
        }
        match self.held_back(peer)? {
            Some(message) => Err(Error::refused(ErrorKind::LogBehindPeer, message)),
            None => Ok(()),
        }
    }

    /// Why sending to `peer` is held back, if it is.
    pub(super) fn held_back(&self, peer: &str) -> Result<Option<String>> {
        Ok(self.hold_back_state(peer)?.map(|(message, _)| message))
    }

    /// How far this book held its own log when sending to `peer` was held back, if it is.
    pub(super) fn held_back_head(&self, peer: &str) -> Result<Option<i64>> {
        Ok(self.hold_back_state(peer)?.map(|(_, head)| head))
    }

    /// The hold-back's message and the own head it noted (the head now for one noted by an
    /// older version, which did not note it).
    fn hold_back_state(&self, peer: &str) -> Result<Option<(String, i64)>> {
        let held: Option<String> = self
            .conn()
            .query_row(
                "SELECT held_back FROM outbound WHERE peer = ?1",
                [peer],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        let Some(held) = held else {
            return Ok(None);
        };
        let held = serde_json::from_str::<serde_json::Value>(&held).unwrap_or_default();
        let message = held["message"].as_str().map_or_else(
            || "本台账已暂停发送同步包：对方已有的记录编号与本台账冲突".to_owned(),
            str::to_owned,
        );
        let head = match held["own_head"].as_i64() {
            Some(head) => head,
            None => self.own_last_seq()?,
        };
        Ok(Some((message, head)))
    }
}

/// Remembers why this book may not send to `peer` any more (the first reason found is kept),
/// and how far both sides agree on its own log (`own_head`): what it tells the peer it holds
/// while held back, so that records typed meanwhile are not taken for ones the peer has.
fn hold_back(writer: &Writer<'_>, peer: &str, message: &str, own_head: i64) -> Result<()> {
    let held = serde_json::json!({
        "peer": peer,
        "message": message,
        "noticed_at": stored(china_now()),
        "own_head": own_head,
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

/// Takes a receipt for this book's own changes, signed with `issuer`, whether it came in a
/// bundle or in the hub's answer. The newest receipt replaces the last one even when it
/// acknowledges less (the peer was restored from a backup): what it lacks is then sent again.
///
/// One that acknowledges more than this book holds of its own log means this book was
/// restored from an older backup (or made again under the same code): the numbers after its
/// head are the peer's already. Only a signed receipt says so for sure: sending is then held
/// back for good (`outbound.held_back`, for that peer only), rather than send new changes under
/// numbers the peer would take for ones it has (they would be acknowledged and never arrive).
/// So is one whose last entry is not this book's own at that seq (see [`diverged_at`]).
pub(super) fn apply_receipt(
    writer: &Writer<'_>,
    receipt: &Receipt,
    issuer: &VerifyingKey,
) -> Result<()> {
    receipt.verify(issuer)?;
    receipt.check_bounds()?;
    let own_head = writer.own_head();
    let diverged = diverged_at(writer, receipt)?;
    if let Some(seq) = diverged {
        // The last point both sides agree on: what the peer acknowledged before (its entries
        // were this book's then), and in any case before the entry that differs. The peer
        // sends back everything after it.
        let agreed = acknowledged_by(writer, &receipt.issuer)?.min(seq - 1);
        let next_step = match writer.book_kind() {
            BookKind::Station => format!(
                "本机登记的事项都已保存。下次同步时镇里会送回双方一致的第{agreed}条之后的记录，\
                 之后自动恢复上报"
            ),
            BookKind::Town | BookKind::County => {
                "本机新登记的内容都已保存，但暂不能下发，请先从备份或各站点找回本台账的记录"
                    .to_owned()
            }
        };
        let message = format!(
            "“{issuer}”收到的第{seq}条同步记录与本台账的第{seq}条不同：本台账可能是从备份或旧文件\
             恢复后又登记了新记录，用了对方已有的编号。为免新记录被当作对方已有的记录而丢失，\
             已暂停发送同步包。{next_step}",
            issuer = receipt.issuer
        );
        hold_back(writer, &receipt.issuer, &message, agreed)?;
    } else if receipt.acked_to > own_head {
        let next_step = match writer.book_kind() {
            BookKind::Station => {
                "本机新登记的事项都已保存。下次同步时镇里会送回本站缺少的记录，之后自动恢复上报"
            }
            BookKind::Town | BookKind::County => {
                "本机新登记的内容都已保存，但暂不能下发，请先从备份或各站点找回本台账的记录"
            }
        };
        let message = format!(
            "“{}”已收到的同步记录比本机台账还多（对方到第{}条，本机只到第{own_head}条）：本机台账可能是\
             从较早的备份恢复的。为免新记录被当作对方已有的记录而丢失，已暂停发送同步包。{next_step}",
            receipt.issuer, receipt.acked_to
        );
        // Records typed since the copy sit under numbers the peer holds for others, and the
        // peer's entries there cannot be compared: only what it acknowledged before is known to
        // agree. The peer sends back everything after it; what this book holds alike is a
        // duplicate, what differs collides rather than passing unseen.
        let agreed = acknowledged_by(writer, &receipt.issuer)?.min(own_head);
        hold_back(writer, &receipt.issuer, &message, agreed)?;
    }
    let missing =
        serde_json::to_string(&receipt.missing).map_err(|err| Error::Internal(err.to_string()))?;
    writer
        .tx()
        .prepare_cached(
            "INSERT INTO outbound (peer, acked_to, missing, receipt_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (peer) DO UPDATE SET
                 missing = excluded.missing, receipt_at = excluded.receipt_at, acked_to = excluded.acked_to
             WHERE receipt_at IS NULL OR excluded.receipt_at >= receipt_at",
        )?
        .execute(params![receipt.issuer, receipt.acked_to, missing, receipt.issued_at])?;
    if diverged.is_none() {
        release_if_caught_up(writer, &receipt.issuer, receipt.acked_to)?;
    }
    Ok(())
}

/// The seq at which the receipt's last entry is not this book's own entry there: the peer
/// holds another record under that number (this book was restored from an older copy and
/// recorded more, or the peer's was). `None` when they agree, when the receipt names no entry
/// (an older version's), when it comes from a book of another log version (which may encode
/// the same record otherwise), and when the entry is beyond this book's head (that receipt
/// acknowledges more than the book holds: the older hold-back).
fn diverged_at(writer: &Writer<'_>, receipt: &Receipt) -> Result<Option<i64>> {
    let Some(last) = &receipt.last_entry else {
        return Ok(None);
    };
    if last.log_version != LOG_VERSION || last.seq > writer.own_head() {
        return Ok(None);
    }
    let own = entry_hash(writer.tx(), &receipt.origin, last.seq)?;
    Ok((own.as_deref() != Some(last.sha256.as_str())).then_some(last.seq))
}

/// How much of this book's own log `peer` acknowledged before (0 before any receipt).
fn acknowledged_by(writer: &Writer<'_>, peer: &str) -> Result<i64> {
    Ok(writer
        .tx()
        .prepare_cached("SELECT acked_to FROM outbound WHERE peer = ?1")?
        .query_row([peer], |row| row.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Lifts a station's hold-back once the town acknowledges no more of its log than the station
/// held when it was held back: the town has nothing to send back (a restore from a backup that
/// missed nothing). Records typed since do not count: they may be numbered as ones the town
/// holds.
fn release_if_caught_up(writer: &Writer<'_>, peer: &str, acked_to: i64) -> Result<()> {
    if writer.book_kind() != BookKind::Station {
        return Ok(());
    }
    writer
        .tx()
        .prepare_cached(
            "UPDATE outbound SET held_back = NULL
             WHERE peer = ?1 AND json_extract(held_back, '$.own_head') >= ?2",
        )?
        .execute(params![peer, acked_to])?;
    Ok(())
}

impl Book {
    /// Holds back a station book just restored from a backup, at the head it has now, until its
    /// town has answered: the town may hold records made after the backup under the next
    /// numbers, and records typed here meanwhile would take the same ones. Its bundles carry its
    /// receipt only; the town sends back what the backup missed, or acknowledges no more than
    /// it holds, and either lifts the hold.
    pub(crate) fn hold_back_after_restore(&mut self) -> Result<()> {
        if self.origin().kind != BookKind::Station {
            return Ok(());
        }
        let Some(town) = super::ownership::town_peer(self.conn())? else {
            return Ok(());
        };
        self.write(|writer| {
            let head = writer.own_head();
            hold_back(
                writer,
                &town,
                "本台账是从备份恢复的：正在等镇里送回备份之后的记录。本机新登记的事项都已保存，\
                 请先与镇同步；找回之后自动恢复上报",
                head,
            )
        })
    }
}
