//! The tier above the town (docs/scaling.md, "County and city"): a town relays each station
//! bundle it accepted, as the station signed it, to its county; the county checks the
//! station's signature and the payload against the hash that signature covers before it reads
//! an entry, so a town cannot change, add or drop anything in a bundle a station signed. A
//! station is relayed
//! by one town only, and the county's receipts come back per station, so the town keeps each
//! bundle until the county holds what it carries.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::VerifyingKey;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::format::{self, Header, Payload, Receipt, Relay, RelayUnit, RelayedStation};
use super::import::encode_entries;
use super::keys::sign_public_key;
use super::open::PreparedBundle;
use crate::domain::AuditAction;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{Book, BookKind, Writer, origin_code};
use crate::time::{china_now, stored};

/// Most bytes of stations' bundles one relay bundle carries; the rest go in the next one
/// (what a county has not acknowledged is sent again anyway). Far under the hub's upload cap.
pub const MAX_RELAY_BYTES: usize = 32 * 1024 * 1024;

/// A relayed station: which town relays it, how far the county holds its log and, at the
/// town, how many of its bundles wait for the county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelayedOrigin {
    /// The station's code.
    pub station: String,
    /// The town that relays it.
    pub town: String,
    /// At a county, the first seq of its log the county holds: above 1 when the station synced
    /// with its town before the town kept its bundles for a county (its earlier records never
    /// reach the county); 0 at a town, or before anything came.
    pub held_from: i64,
    /// How far the county holds its log (at a town: as the county's last receipt said).
    pub held_to: i64,
    /// At a town, its bundles kept until the county acknowledges them; 0 at a county.
    pub waiting: i64,
}

/// What `relay show` prints: at a town, the county it relays to and each station; at a
/// county, each station and its town.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RelayOverview {
    /// Whose book: a town's or a county's (a station's shows nothing).
    pub book: BookKind,
    /// The county a town relays to (`None` at a county, or a town not set up yet).
    pub relay_to: Option<String>,
    /// The stations relayed.
    pub stations: Vec<RelayedOrigin>,
}

/// A station's bundle as the county opened it from a town's relay: its header, signed by a key
/// known or vouched for its station, and its changes.
#[derive(Debug)]
pub(super) struct OpenedUnit {
    pub(super) header: Header,
    pub(super) file_hash: String,
    pub(super) payload: Payload,
    pub(super) encoded: Vec<(&'static str, String)>,
}

/// Most stations one relay may vouch for, and most station bundles it may carry: far above a
/// town (about 27 stations, a week's bundle each), and a bound on the work a relay can ask.
pub const MAX_RELAYED_STATIONS: usize = 4_096;
/// See [`MAX_RELAYED_STATIONS`].
pub const MAX_RELAY_UNITS: usize = 16_384;
/// Most keys a county keeps for one station (each new PC of the station is one): a town cannot
/// make every check of that station's bundles try without end.
pub const MAX_KEYS_PER_STATION: usize = 16;

/// What a county knows of each relayed station: the town that relays it and the keys that town
/// vouched for it. A snapshot for the opener, so that relayed bundles are checked before they
/// are decompressed (and again by the writer); `None` in a book that is not a county's, which
/// takes no relay at all.
pub(super) type StationKeys = Option<std::sync::Arc<HashMap<String, (String, Vec<VerifyingKey>)>>>;

/// Decodes what a town relays, without writing: each unit's framing, its signature by a key
/// known for its station (or, for a station no other town relays, the key this relay vouches),
/// its payload against the hash the signed header names, and its entries. `town` is the
/// bundle's sender; the payloads together decompress to at most `cap` bytes. The signature is
/// checked here only: the writer's [`vouch`] records every key tried here that was not known
/// (or refuses the bundle), and a station's town never changes, so [`check_unit`] needs only
/// the book's word on which town relays it.
pub(super) fn open_units(
    town: &str,
    relay: &Relay,
    known: &StationKeys,
    cap: usize,
) -> Result<Vec<OpenedUnit>> {
    let Some(known) = known else {
        return Err(format::bad("本台账不是县级台账，不接收转报的站点同步包"));
    };
    if relay.stations.len() > MAX_RELAYED_STATIONS || relay.units.len() > MAX_RELAY_UNITS {
        return Err(format::bad(&format!(
            "{town}一次转报的站点超过{MAX_RELAYED_STATIONS}个或同步包超过{MAX_RELAY_UNITS}个"
        )));
    }
    let mut vouched = HashMap::new();
    for station in &relay.stations {
        let key = sign_public_key(&station.sign_public)?;
        if vouched.insert(station.code.as_str(), key).is_some() {
            return Err(format::bad(&format!(
                "{town}转报时重复报送了站点{}",
                station.code
            )));
        }
    }
    let mut budget = cap;
    relay
        .units
        .iter()
        .map(|unit| {
            let bad = |why: &str| format::bad(&format!("{town}转报的站点同步包{why}"));
            let file = STANDARD
                .decode(&unit.file)
                .map_err(|_| bad("不是有效的 base64"))?;
            let compressed = STANDARD
                .decode(&unit.payload)
                .map_err(|_| bad("内容不是有效的 base64"))?;
            let parsed = format::parse(&file)?;
            let header = parsed.header.clone();
            if header.recipient != town {
                return Err(bad(&format!(
                    "是发给“{}”的，不是发给该镇的",
                    header.recipient
                )));
            }
            let station = header.origin.as_str();
            let keys: Vec<VerifyingKey> = match known.get(station) {
                Some((relay, _)) if relay != town => {
                    return Err(not_relay(&format!(
                        "站点{station}由{relay}转报，{town}不能转报该站点的记录"
                    )));
                }
                Some((_, keys)) => keys.iter().chain(vouched.get(station)).copied().collect(),
                None => vouched.get(station).copied().into_iter().collect(),
            };
            if !keys
                .iter()
                .any(|key| format::verify_signature(&parsed, key).is_ok())
            {
                return Err(unsigned(town, &header));
            }
            if format::payload_hash(&compressed) != header.payload_sha256 {
                return Err(bad(&format!(
                    "（{}）内容与站点签名的校验值不符：转报途中被改动过",
                    header.origin
                )));
            }
            let declared = format::payload_len(&compressed)?;
            budget = budget
                .checked_sub(declared)
                .ok_or_else(|| bad("解压后超过上限"))?;
            let payload = format::decode_payload(&header, &compressed, declared)?;
            if !payload.returned.is_empty() || payload.relay.is_some() {
                return Err(bad("带有站点不会发出的内容"));
            }
            let encoded = encode_entries(&payload.changes)?;
            Ok(OpenedUnit {
                file_hash: format::file_hash(&file),
                header,
                payload,
                encoded,
            })
        })
        .collect()
}

impl Book {
    /// The county this town relays its stations' logs to, if one is set.
    pub fn relay_to(&self) -> Result<Option<String>> {
        relay_to(self.conn())
    }

    /// Makes `county`, an enrolled peer, the county this town relays its stations' logs to:
    /// from now on the town's bundles to it carry the stations' bundles it holds.
    pub fn set_relay(&mut self, county: &str) -> Result<String> {
        if self.origin().kind != BookKind::Town {
            return Err(Error::invalid("只有镇台账可以向县级转报站点的记录"));
        }
        let county = origin_code(county)?;
        self.active_seal_key(&county)?;
        let on_roster: bool = self.conn().query_row(
            "SELECT EXISTS (SELECT 1 FROM stations WHERE code = ?1)",
            [&county],
            |row| row.get(0),
        )?;
        if on_roster {
            return Err(Error::invalid(format!(
                "“{county}”是本镇名册上的联络站，不能作为转报的县级台账"
            )));
        }
        self.conn().execute(
            "INSERT INTO book_meta (key, value) VALUES ('relay_to', ?1)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [&county],
        )?;
        self.audit(
            AuditAction::PeerAdd,
            Some(&county),
            Some("设为转报的县级台账"),
        )?;
        Ok(county)
    }

    /// The stations a county holds, by the town that relays each, and how far it holds their
    /// logs; empty in any other book.
    pub fn relayed_origins(&self) -> Result<Vec<RelayedOrigin>> {
        self.relayed_rows(
            "SELECT r.station, r.town, COALESCE(r.held_from, 0), COALESCE(i.acked_to, 0), 0
             FROM relayed_stations r LEFT JOIN inbound i ON i.origin = r.station
             ORDER BY r.town, r.station",
        )
    }

    /// The relay as this book sees it: a town's county and stations, or a county's stations.
    pub fn relay_overview(&self) -> Result<RelayOverview> {
        if self.origin().kind != BookKind::Town {
            return Ok(RelayOverview {
                book: self.origin().kind,
                relay_to: None,
                stations: self.relayed_origins()?,
            });
        }
        let relay_to = self.relay_to()?;
        let stations = self.relayed_rows(
            "SELECT p.code, (SELECT value FROM book_meta WHERE key = 'origin_code'), 0,
                 COALESCE(a.acked_to, 0),
                 (SELECT COUNT(*) FROM relay_units u WHERE u.origin = p.code)
             FROM peers p LEFT JOIN relay_acks a ON a.origin = p.code
             WHERE p.code IS NOT (SELECT value FROM book_meta WHERE key = 'relay_to')
             ORDER BY p.code",
        )?;
        Ok(RelayOverview {
            book: BookKind::Town,
            relay_to,
            stations,
        })
    }

    fn relayed_rows(&self, sql: &str) -> Result<Vec<RelayedOrigin>> {
        let mut select = self.conn().prepare(sql)?;
        let rows = select
            .query_map([], |row| {
                Ok(RelayedOrigin {
                    station: row.get(0)?,
                    town: row.get(1)?,
                    held_from: row.get(2)?,
                    held_to: row.get(3)?,
                    waiting: row.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// At a county, each relayed station's town and the keys it vouched ([`StationKeys`]).
    pub(super) fn relayed_station_keys(&self) -> Result<StationKeys> {
        if self.origin().kind != BookKind::County {
            return Ok(None);
        }
        let mut stations: HashMap<String, (String, Vec<VerifyingKey>)> = HashMap::new();
        let mut select = self.conn().prepare(
            "SELECT r.station, r.town, k.sign_public
             FROM relayed_stations r LEFT JOIN relay_keys k ON k.station = r.station",
        )?;
        let mut rows = select.query([])?;
        while let Some(row) = rows.next()? {
            let town: String = row.get(1)?;
            let (_, keys) = stations
                .entry(row.get(0)?)
                .or_insert_with(|| (town, Vec::new()));
            let key: Option<Vec<u8>> = row.get(2)?;
            keys.extend(key.as_deref().and_then(verifying_key));
        }
        Ok(Some(std::sync::Arc::new(stations)))
    }

    /// The stations a county holds of `town`: what its statistics and reports read when they
    /// are made for one town.
    pub fn stations_relayed_by(&self, town: &str) -> Result<Vec<String>> {
        let mut select = self.conn().prepare_cached(
            "SELECT station FROM relayed_stations WHERE town = ?1 ORDER BY station",
        )?;
        let stations = select
            .query_map([town], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(stations)
    }

    /// What this town relays to `county` in its next bundle: its stations' keys and the
    /// stations' bundles the county has not acknowledged, up to [`MAX_RELAY_BYTES`].
    pub(super) fn outgoing_relay(&self, county: &str) -> Result<Relay> {
        let mut stations = Vec::new();
        for peer in self.peers()? {
            if peer.code != county && peer.revoked_at.is_none() {
                stations.push(RelayedStation {
                    code: peer.code,
                    sign_public: peer.sign_public,
                });
            }
        }
        let mut select = self.conn().prepare(
            "SELECT u.file, u.payload FROM relay_units u
             LEFT JOIN relay_acks a ON a.origin = u.origin
             WHERE u.to_seq > COALESCE(a.acked_to, 0) AND u.origin <> ?1
             ORDER BY u.origin, u.from_seq",
        )?;
        let mut rows = select.query([county])?;
        let mut units = Vec::new();
        let mut bytes = 0;
        while let Some(row) = rows.next()? {
            let file: Vec<u8> = row.get(0)?;
            let payload: Vec<u8> = row.get(1)?;
            bytes += file.len() + payload.len();
            if bytes > MAX_RELAY_BYTES && !units.is_empty() {
                break;
            }
            units.push(RelayUnit {
                file: STANDARD.encode(file),
                payload: STANDARD.encode(payload),
            });
        }
        Ok(Relay { stations, units })
    }

    /// The county's receipts of the logs of the stations `town` relays, for its bundle to
    /// that town: the town keeps each station's bundles until they are acknowledged.
    pub(super) fn relay_receipts(&self, town: &str, version: u16) -> Result<Vec<Receipt>> {
        if self.origin().kind != BookKind::County {
            return Ok(Vec::new());
        }
        let mut receipts = Vec::new();
        for station in self.stations_relayed_by(town)? {
            receipts.extend(self.receipt_for_format(&station, version)?);
        }
        Ok(receipts)
    }
}

/// The county a town relays to (`book_meta` `relay_to`).
fn relay_to(conn: &rusqlite::Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT value FROM book_meta WHERE key = 'relay_to'")?
        .query_row([], |row| row.get(0))
        .optional()?)
}

/// At a town, keeps a station bundle just accepted, as the station signed it, for the county:
/// unless the county holds all it carries, or a bundle kept already covers its range (a
/// station's bundles are cumulative until acknowledged); one it covers is dropped.
pub(super) fn keep_unit(writer: &Writer<'_>, bundle: &PreparedBundle) -> Result<()> {
    let header = &bundle.header;
    if writer.book_kind() != BookKind::Town || header.to_seq < header.from_seq || bundle.newer {
        return Ok(());
    }
    let tx = writer.tx();
    // The county's own bundles to this town are not a station's: relayed back, they would be
    // refused as unsigned by a station, and hold every later relay up.
    if relay_to(tx)?.as_deref() == Some(header.origin.as_str()) {
        return Ok(());
    }
    let acked: i64 = tx
        .prepare_cached("SELECT acked_to FROM relay_acks WHERE origin = ?1")?
        .query_row([&header.origin], |row| row.get(0))
        .optional()?
        .unwrap_or(0);
    let covered: bool = tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM relay_units
             WHERE origin = ?1 AND from_seq <= ?2 AND to_seq >= ?3)",
        )?
        .query_row(
            params![header.origin, header.from_seq, header.to_seq],
            |row| row.get(0),
        )?;
    if header.to_seq <= acked || covered {
        return Ok(());
    }
    tx.prepare_cached(
        "DELETE FROM relay_units WHERE origin = ?1 AND from_seq >= ?2 AND to_seq <= ?3",
    )?
    .execute(params![header.origin, header.from_seq, header.to_seq])?;
    tx.prepare_cached(
        "INSERT OR IGNORE INTO relay_units
             (file_hash, origin, from_seq, to_seq, file, payload, received_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        bundle.file_hash,
        header.origin,
        header.from_seq,
        header.to_seq,
        bundle.file,
        bundle.compressed,
        stored(china_now())
    ])?;
    Ok(())
}

/// Whether a receipt of `origin`'s log from `issuer` is the county's receipt of a station this
/// town relays to it.
pub(super) fn is_county_receipt(writer: &Writer<'_>, issuer: &str, origin: &str) -> Result<bool> {
    if writer.book_kind() != BookKind::Town || relay_to(writer.tx())?.as_deref() != Some(issuer) {
        return Ok(false);
    }
    Ok(writer
        .tx()
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM peers WHERE code = ?1)")?
        .query_row([origin], |row| row.get(0))?)
}

/// Takes the county's signed receipt of a station's log: the newest says how far the county
/// holds it, and the station bundles it covers are dropped.
pub(super) fn take_county_receipt(
    writer: &Writer<'_>,
    receipt: &Receipt,
    county: &VerifyingKey,
) -> Result<()> {
    receipt.verify(county)?;
    receipt.check_bounds()?;
    let tx = writer.tx();
    tx.prepare_cached(
        "INSERT INTO relay_acks (origin, acked_to, receipt_at) VALUES (?1, ?2, ?3)
         ON CONFLICT (origin) DO UPDATE SET acked_to = excluded.acked_to,
             receipt_at = excluded.receipt_at
         WHERE excluded.receipt_at >= relay_acks.receipt_at",
    )?
    .execute(params![receipt.origin, receipt.acked_to, receipt.issued_at])?;
    tx.prepare_cached(
        "DELETE FROM relay_units WHERE origin = ?1
         AND to_seq <= (SELECT acked_to FROM relay_acks WHERE origin = ?1)",
    )?
    .execute([&receipt.origin])?;
    Ok(())
}

/// At a county, records the stations `town` vouches for: each station has one town, and each
/// key one station. A station already relayed by another town is refused, as is a station code
/// that is a town of this county or the county itself.
pub(super) fn vouch(writer: &Writer<'_>, town: &str, stations: &[RelayedStation]) -> Result<()> {
    let tx = writer.tx();
    let now = stored(china_now());
    for station in stations {
        let code = origin_code(&station.code)?;
        if code != station.code {
            return Err(format::bad("转报的站点代码不合规"));
        }
        let is_peer: bool = tx
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM peers WHERE code = ?1)")?
            .query_row([&code], |row| row.get(0))?;
        if is_peer || code == writer.origin() {
            return Err(not_relay(&format!(
                "{town}转报的站点代码{code}是本级台账已登记的同步对象的代码"
            )));
        }
        let key = sign_public_key(&station.sign_public)?;
        match relaying_town(writer, &code)? {
            Some(other) if other != town => {
                return Err(not_relay(&format!(
                    "站点{code}由{other}转报，{town}不能转报该站点的记录"
                )));
            }
            Some(_) => {}
            None => {
                tx.prepare_cached(
                    "INSERT INTO relayed_stations (station, town, first_seen) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![code, town, now])?;
            }
        }
        let holder: Option<String> = tx
            .prepare_cached("SELECT station FROM relay_keys WHERE sign_public = ?1")?
            .query_row([key.as_bytes()], |row| row.get(0))
            .optional()?;
        match holder {
            Some(holder) if holder != code => {
                return Err(not_relay(&format!(
                    "{town}为站点{code}报送的签名公钥已属于站点{holder}"
                )));
            }
            Some(_) => {}
            None => {
                let held: i64 = tx
                    .prepare_cached("SELECT COUNT(*) FROM relay_keys WHERE station = ?1")?
                    .query_row([&code], |row| row.get(0))?;
                if usize::try_from(held).map_or(true, |held| held >= MAX_KEYS_PER_STATION) {
                    return Err(not_relay(&format!(
                        "站点{code}已有{held}个签名公钥，{town}报送的新公钥不再接受，请联系县人大核实"
                    )));
                }
                tx.prepare_cached(
                    "INSERT INTO relay_keys (station, sign_public, vouched_at) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![code, key.as_bytes(), now])?;
            }
        }
    }
    Ok(())
}

/// Checks a relayed unit at a county against the book: its station is relayed by `town` (its
/// signature was checked when it was opened, [`open_units`]).
pub(super) fn check_unit(writer: &Writer<'_>, town: &str, unit: &OpenedUnit) -> Result<()> {
    let station = &unit.header.origin;
    match relaying_town(writer, station)? {
        Some(relay) if relay == town => {}
        Some(relay) => {
            return Err(not_relay(&format!(
                "站点{station}由{relay}转报，{town}不能转报该站点的记录"
            )));
        }
        None => {
            return Err(not_relay(&format!(
                "{town}转报了站点{station}的同步包，却没有报送该站点的公钥"
            )));
        }
    }
    Ok(())
}

/// The refusal of a relayed bundle that no key of its station signed.
fn unsigned(town: &str, header: &Header) -> Error {
    format::bad(&format!(
        "{town}转报的站点{}同步包（第{}–{}号）签名验证失败：内容被改动过，或不是该站点签发的",
        header.origin, header.from_seq, header.to_seq
    ))
}

/// A stored verifying key; `None` for bytes that are not one (the book checked them when they
/// were vouched).
fn verifying_key(bytes: &[u8]) -> Option<VerifyingKey> {
    <[u8; 32]>::try_from(bytes)
        .ok()
        .and_then(|key| VerifyingKey::from_bytes(&key).ok())
}

/// Before the first unit of a station the county takes: the county holds the station's log from
/// that unit on. A town keeps its stations' bundles from the day it runs this version, so a
/// station that synced before has no unit from seq 1; its log at the county starts where its
/// first unit does, rather than wait for ever for records no unit carries.
pub(super) fn start_at_first_unit(writer: &Writer<'_>, header: &Header) -> Result<()> {
    let tx = writer.tx();
    let started: bool = tx
        .prepare_cached("SELECT held_from IS NOT NULL FROM relayed_stations WHERE station = ?1")?
        .query_row([&header.origin], |row| row.get(0))?;
    if started {
        return Ok(());
    }
    tx.prepare_cached("UPDATE relayed_stations SET held_from = ?2 WHERE station = ?1")?
        .execute(params![header.origin, header.from_seq])?;
    if header.from_seq > 1 {
        tx.prepare_cached(
            "INSERT INTO inbound (origin, acked_to) VALUES (?1, ?2)
             ON CONFLICT (origin) DO NOTHING",
        )?
        .execute(params![header.origin, header.from_seq - 1])?;
    }
    Ok(())
}

fn relaying_town(writer: &Writer<'_>, station: &str) -> Result<Option<String>> {
    Ok(writer
        .tx()
        .prepare_cached("SELECT town FROM relayed_stations WHERE station = ?1")?
        .query_row([station], |row| row.get(0))
        .optional()?)
}

/// Whether `town` may speak for `station` here: at a county, the town that relays it (or any,
/// for a station no town relays yet); in a town's or station's book, the one town.
pub(crate) fn speaks_for(writer: &Writer<'_>, town: &str, station: &str) -> Result<bool> {
    if writer.book_kind() != BookKind::County {
        return Ok(true);
    }
    Ok(relaying_town(writer, station)?.is_none_or(|relay| relay == town))
}

fn not_relay(why: &str) -> Error {
    Error::refused(ErrorKind::NotOwner, format!("同步包被拒收：{why}"))
}
