//! Bundles kept aside: those of a newer schema (imported once this book is upgraded) and those
//! refused from an enrolled peer (kept for the town office to look at). Kept per sender within
//! a cap, so a peer that keeps sending cannot fill the disk.

use rusqlite::params;
use serde::Serialize;

use super::PreparedBundle;
use super::format;
use crate::error::{Error, ErrorKind, Result};
use crate::store::Writer;
use crate::time::{china_now, stored};

/// Most bundles kept per sender; the oldest go first.
pub const MAX_PER_SENDER: usize = 8;
/// Most bytes kept per sender (the newest bundle is kept whatever its size).
pub const MAX_BYTES_PER_SENDER: i64 = 64 * 1024 * 1024;

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

/// Keeps `bundle`, with the refusal that sent it here (`None`: its schema is newer).
pub(super) fn keep(
    writer: &Writer<'_>,
    bundle: &PreparedBundle,
    refusal: Option<&Error>,
) -> Result<()> {
    let header = &bundle.header;
    forget_covered(writer, header)?;
    writer
        .tx()
        .prepare_cached(
            "INSERT OR IGNORE INTO quarantine
                 (bundle_id, origin, schema_version, received_at, file, refusal_kind, reason)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute(params![
            header.bundle_id.to_string(),
            header.origin,
            header.schema_version,
            stored(china_now()),
            bundle.file,
            refusal.map(|err| err.kind().as_str()),
            refusal.map(ToString::to_string),
        ])?;
    cap(writer, &header.origin)
}

/// Drops the quarantined bundles of the same sender whose changes `newer` carries again. A
/// sender resends everything since the last receipt every week, and none is taken while its
/// bundles wait here: without this, a year of them would be kept whole.
fn forget_covered(writer: &Writer<'_>, newer: &format::Header) -> Result<()> {
    let held: Vec<(String, Vec<u8>)> = writer
        .tx()
        .prepare_cached("SELECT bundle_id, file FROM quarantine WHERE origin = ?1")?
        .query_map([&newer.origin], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    for (bundle_id, file) in held {
        // Kept files were verified when they came; one that no longer parses stays as it is.
        let Ok(parsed) = format::parse(&file) else {
            continue;
        };
        let old = parsed.header;
        if old.from_seq >= newer.from_seq && old.to_seq <= newer.to_seq {
            writer
                .tx()
                .prepare_cached("DELETE FROM quarantine WHERE bundle_id = ?1")?
                .execute([bundle_id])?;
        }
    }
    Ok(())
}

/// Drops `origin`'s oldest kept bundles beyond [`MAX_PER_SENDER`] and [`MAX_BYTES_PER_SENDER`].
fn cap(writer: &Writer<'_>, origin: &str) -> Result<()> {
    let held: Vec<(String, i64)> = writer
        .tx()
        .prepare_cached(
            "SELECT bundle_id, length(file) FROM quarantine WHERE origin = ?1 ORDER BY rowid DESC",
        )?
        .query_map([origin], |row| Ok((row.get(0)?, row.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    let mut kept_bytes = 0i64;
    for (index, (bundle_id, bytes)) in held.into_iter().enumerate() {
        kept_bytes = kept_bytes.saturating_add(bytes);
        if index == 0 || (index < MAX_PER_SENDER && kept_bytes <= MAX_BYTES_PER_SENDER) {
            continue;
        }
        writer
            .tx()
            .prepare_cached("DELETE FROM quarantine WHERE bundle_id = ?1")?
            .execute([&bundle_id])?;
        tracing::warn!(
            origin,
            bundle_id,
            bytes,
            "quarantine full for this sender: dropped its oldest bundle"
        );
    }
    Ok(())
}

/// Kept bundles, oldest first; only `origin`'s when given.
pub(super) fn list(conn: &rusqlite::Connection, origin: Option<&str>) -> Result<Vec<Quarantined>> {
    let mut select = conn.prepare_cached(
        "SELECT bundle_id, origin, schema_version, received_at, length(file), refusal_kind, reason
         FROM quarantine WHERE ?1 IS NULL OR origin = ?1 ORDER BY rowid",
    )?;
    let list = select
        .query_map([origin], |row| {
            Ok(Quarantined {
                bundle_id: row.get(0)?,
                origin: row.get(1)?,
                schema_version: row.get(2)?,
                received_at: row.get(3)?,
                bytes: row.get(4)?,
                refusal_kind: row
                    .get::<_, Option<String>>(5)?
                    .map(|kind| ErrorKind::from_name(&kind)),
                reason: row.get(6)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(list)
}
