//! Status: what the town office looks at — per peer what was sent, acknowledged and received,
//! the bundles kept aside, and the records two origins edited.

use rusqlite::OptionalExtension;
use serde::Serialize;

use super::Quarantined;
use super::quarantine;
use super::receipts::gaps;
use crate::error::Result;
use crate::store::{Book, decode};

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

impl Book {
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
                unacknowledged: self.unacknowledged(&peer.code, outbound.2)?,
                peer_missing: decode("outbound.missing", &outbound.3)?,
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
        rows.into_iter()
            .map(
                |(
                    (record_id, entity, winner_origin),
                    (winner_hlc, loser_origin, loser_hlc),
                    (fields, loser, detected_at),
                )| {
                    Ok(Conflict {
                        record_id,
                        entity,
                        winner_origin,
                        winner_hlc,
                        loser_origin,
                        loser_hlc,
                        fields: decode("conflicts.fields", &fields)?,
                        loser: decode("conflicts.loser_data", &loser)?,
                        detected_at,
                    })
                },
            )
            .collect()
    }
}
