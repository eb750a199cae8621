//! The stations' logs in PostgreSQL, shared by every hub process of a town or region.
//!
//! The client is `tokio-postgres` (with the `deadpool-postgres` pool): the rust-postgres
//! project's own async client, maintained for years alongside the hub's Tokio runtime, with no
//! SQLite of its own (sqlx's optional SQLite crate collides with the books' bundled one in one
//! workspace). Each upload is imported in its own transaction on its own connection: the
//! station's `inbound` row is locked first, so two processes given the same bundle take turns
//! and the second finds every entry a duplicate; the primary keys and unique numbers refuse
//! anything applied twice however it arrives; and a process killed mid-import leaves an open
//! transaction that the server rolls back. The import rules are the book's own
//! ([`casebook::bundle::ownership`], [`casebook::validate::check_entry`], receipts and hashes):
//! only the storage differs.

use std::collections::HashMap;

use casebook::bundle::format::{self, HASHED_RECEIPTS_VERSION, LastEntry, Receipt};
use casebook::bundle::ownership::{self, Holdings, Owned};
use casebook::bundle::quarantine::{MAX_BYTES_PER_SENDER, MAX_PER_SENDER};
use casebook::bundle::{
    Imported, PULL_WINDOW_DAYS, PreparedBundle, ReceiptIssuer, StoreView, StoredEntry,
    canonical_entry_hash, missing_ranges, refuse_past_waiting_limit, unusable,
};
use casebook::change::{Change, LogEntry};
use casebook::store::stats::{
    DisputeTypeRow, MediationFile, MediationStats, day_bounds, fold_mediations,
};
use casebook::store::{LOG_VERSION, change_to_parts, reused_seq};
use casebook::{Error, ErrorKind, Result};
use deadpool_postgres::{GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod};
use tokio_postgres::error::SqlState;
use uuid::Uuid;

/// The store's migrations, in order; each runs once, in a transaction.
const MIGRATIONS: &[&str] = &[
    include_str!("postgres/001_hub.sql"),
    include_str!("postgres/002_mediation_time.sql"),
];

/// Where the hub's migrations record how far a database is.
const VERSION_TABLE: &str = "CREATE TABLE IF NOT EXISTS hub_schema (version integer NOT NULL)";

/// Key of the advisory lock held while migrating: hub processes starting together migrate once.
const MIGRATION_LOCK: i64 = 0x006c_6961_6973_6f6e; // "liaison"

/// The hub's records in a PostgreSQL database.
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    /// The town's origin code (the owner of the roster).
    town: String,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore")
            .field("town", &self.town)
            .finish_non_exhaustive()
    }
}

/// A reception found by [`PgStore::search_receptions`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundReception {
    /// Its case number.
    pub case_no: String,
    /// The station that received the visitor.
    pub station: String,
    /// 事由.
    pub matter: String,
}

/// One station as the status page shows it from the shared store.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StationHeld {
    /// How far its log is held with nothing missing.
    pub acked_to: i64,
    /// When its last bundle was taken in (RFC 3339, China time).
    pub last_import_at: Option<String>,
    /// The newest bundle format it is known to read.
    pub reads: Option<u16>,
    /// Ranges missing before bundles that wait.
    pub gaps: Vec<(i64, i64)>,
    /// Bundles kept aside, and why the newest refused one was refused.
    pub quarantined: usize,
    /// Why its newest kept bundle was refused, if one was.
    pub last_reason: Option<String>,
    /// Its receptions received on or after the week's start.
    pub receptions_this_week: i64,
}

impl PgStore {
    /// Connects to `url` (`postgres://user@host:port/database`) with at most `connections`
    /// connections, and brings the database to this version's schema.
    ///
    /// # Errors
    /// When the URL is malformed or the server cannot be reached or migrated.
    pub async fn connect(url: &str, town: &str, connections: usize) -> Result<PgStore> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|err| Error::SharedStore(format!("数据库地址无效：{err}")))?;
        let manager = Manager::from_config(
            config,
            tokio_postgres::NoTls,
            ManagerConfig {
                recycling_method: RecyclingMethod::Fast,
            },
        );
        let pool = Pool::builder(manager)
            .max_size(connections.max(1))
            .build()
            .map_err(|err| Error::SharedStore(err.to_string()))?;
        let store = PgStore {
            pool,
            town: town.to_owned(),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let mut client = self.client().await?;
        let tx = client.transaction().await.map_err(shared)?;
        tx.execute("SELECT pg_advisory_xact_lock($1)", &[&MIGRATION_LOCK])
            .await
            .map_err(shared)?;
        tx.batch_execute(VERSION_TABLE).await.map_err(shared)?;
        let version: i64 = tx
            .query_one(
                "SELECT COALESCE(MAX(version), 0)::bigint FROM hub_schema",
                &[],
            )
            .await
            .map_err(shared)?
            .get(0);
        let known = i64::try_from(MIGRATIONS.len()).unwrap_or(i64::MAX);
        if version > known {
            return Err(Error::refused(
                ErrorKind::BookTooNew,
                format!("共享数据库的版本（{version}）比本程序新，请升级同步服务程序"),
            ));
        }
        for (number, sql) in (1..)
            .zip(MIGRATIONS)
            .skip(usize::try_from(version).unwrap_or(0))
        {
            tx.batch_execute(sql).await.map_err(shared)?;
            tx.execute("INSERT INTO hub_schema (version) VALUES ($1)", &[&number])
                .await
                .map_err(shared)?;
            tracing::info!(version = number, "shared store migrated");
        }
        tx.commit().await.map_err(shared)
    }

    async fn client(&self) -> Result<deadpool_postgres::Client> {
        self.pool
            .get()
            .await
            .map_err(|err| Error::SharedStore(format!("无法连接共享数据库：{err}")))
    }

    /// Applies one verified bundle, all or nothing; `committee` is the sender's mediation
    /// committee's short name on the town's roster. A refusal keeps the bundle aside (but not
    /// a reused seq's, which repeats every cycle), as the book does.
    ///
    /// # Errors
    /// The refusal, or the server's failure (nothing applied).
    pub async fn import(
        &self,
        bundle: &PreparedBundle,
        committee: Option<String>,
    ) -> Result<Imported> {
        let mut client = self.client().await?;
        if bundle.is_newer() {
            keep(&client, bundle, None).await?;
            return Ok(Imported {
                quarantined: 1,
                ..Imported::default()
            });
        }
        let tx = client.transaction().await.map_err(shared)?;
        let holdings = Fetched {
            town: self.town.clone(),
            sender: bundle.origin().to_owned(),
            committee,
            held: HashMap::new(),
        };
        match apply_bundle(&tx, bundle, holdings).await {
            Ok(imported) => {
                tx.commit().await.map_err(shared)?;
                Ok(imported)
            }
            Err(refusal) => {
                tx.rollback().await.map_err(shared)?;
                if refusal.kind().is_refusal() && refusal.kind() != ErrorKind::LogBehindPeer {
                    keep(&client, bundle, Some(&refusal)).await?;
                }
                Err(refusal)
            }
        }
    }

    /// The town's signed receipt of `origin`'s log as the store holds it now, in the format
    /// `version` reads; `None` before anything came from it.
    ///
    /// # Errors
    /// The server's failure.
    pub async fn receipt(
        &self,
        origin: &str,
        version: u16,
        issuer: &ReceiptIssuer,
    ) -> Result<Option<Receipt>> {
        receipt_on(&self.client().await?, origin, version, issuer).await
    }

    /// Takes a pull request's nonce for `station`: false when any hub process took it before
    /// (a replay). Nonces older than two request windows are forgotten: a request is accepted
    /// only within the window of its own time.
    ///
    /// # Errors
    /// The server's failure.
    pub async fn take_nonce(&self, station: &str, nonce: &str) -> Result<bool> {
        let client = self.client().await?;
        let forget_after_days = 2 * PULL_WINDOW_DAYS + 1;
        client
            .execute(
                "DELETE FROM pull_nonces WHERE station = $1
                 AND seen_at < now() - make_interval(days => $2::integer)",
                &[
                    &station,
                    &i32::try_from(forget_after_days).unwrap_or(i32::MAX),
                ],
            )
            .await
            .map_err(shared)?;
        let taken = client
            .execute(
                "INSERT INTO pull_nonces (station, nonce) VALUES ($1, $2)
                 ON CONFLICT (station, nonce) DO NOTHING",
                &[&station, &nonce],
            )
            .await
            .map_err(shared)?;
        Ok(taken == 1)
    }

    /// What the town's bundle to `station` needs from the store: the format the station
    /// reads, the town's receipt of its log in that format, and the station's own changes
    /// beyond what its newest bundle said it holds (it lost them: a new PC, an older backup).
    ///
    /// # Errors
    /// The server's failure, or an entry the store cannot read back.
    pub async fn view_for(&self, station: &str, issuer: &ReceiptIssuer) -> Result<StoreView> {
        let client = self.client().await?;
        let reads: Option<i32> = client
            .query_opt("SELECT reads FROM inbound WHERE origin = $1", &[&station])
            .await
            .map_err(shared)?
            .and_then(|row| row.get(0));
        let returned = client
            .query(
                "SELECT origin, seq, hlc, deputy, recorder, schema_version, base_hlc, op, record
                 FROM change_log
                 WHERE origin = $1 AND seq > (SELECT sender_head FROM inbound WHERE origin = $1)
                 ORDER BY seq",
                &[&station],
            )
            .await
            .map_err(shared)?
            .into_iter()
            .map(|row| StoredEntry {
                origin: row.get(0),
                seq: row.get(1),
                hlc: row.get(2),
                deputy: row.get(3),
                recorder: row.get(4),
                schema_version: row.get(5),
                base_hlc: row.get(6),
                op: row.get(7),
                data: row.get(8),
            })
            .collect::<Vec<_>>();
        let known = reads.and_then(|version| u16::try_from(version).ok());
        let version = format::version_for(known, !returned.is_empty());
        let receipt = receipt_on(&client, station, version, issuer).await?;
        Ok(StoreView {
            version,
            receipt,
            returned,
        })
    }

    /// The mediation figures and the Ministry of Justice's table of the files accepted in
    /// `from..=to` (station days), of `stations` or all: the book's own fold
    /// ([`fold_mediations`]) over what the store holds, so both stores answer alike.
    ///
    /// # Errors
    /// The server's failure, or a stored record that no longer reads.
    pub async fn mediation_table(
        &self,
        stations: Option<&[String]>,
        from: Option<chrono::NaiveDate>,
        to: Option<chrono::NaiveDate>,
    ) -> Result<(MediationStats, Vec<DisputeTypeRow>)> {
        let (start, end) = day_bounds(from, to);
        let stations: Option<Vec<String>> = stations.map(<[String]>::to_vec);
        let client = self.client().await?;
        let rows = client
            .query(
                "SELECT m.id, m.data ->> 'dispute_type', m.data ->> 'accepted_at', e.data
                 FROM records m
                 LEFT JOIN records e ON e.parent = m.id AND e.entity = 'mediation_event'
                 WHERE m.entity = 'mediation'
                   AND m.data ->> 'accepted_at' >= $1 AND m.data ->> 'accepted_at' < $2
                   AND ($3::text[] IS NULL OR m.station = ANY($3))
                 ORDER BY m.id, e.data ->> 'at', e.id",
                &[&start, &end, &stations],
            )
            .await
            .map_err(shared)?;
        let mut files: Vec<(Uuid, MediationFile)> = Vec::new();
        for row in rows {
            let id: Uuid = row.get(0);
            if files.last().is_none_or(|(last, _)| *last != id) {
                files.push((
                    id,
                    MediationFile {
                        dispute_type: row.get(1),
                        accepted_at: row.get(2),
                        events: Vec::new(),
                    },
                ));
            }
            if let Some(data) = row.get::<_, Option<serde_json::Value>>(3)
                && let Some((_, file)) = files.last_mut()
            {
                let event: casebook::domain::MediationEvent = serde_json::from_value(data)
                    .map_err(|err| {
                        Error::Corrupt(format!("mediation event in the store: {err}"))
                    })?;
                file.events.push(event);
            }
        }
        fold_mediations(
            files.into_iter().map(|(_, file)| file),
            casebook::time::china_today(),
        )
    }

    /// The receptions whose matter, request, visitors' names or addresses contain `query`
    /// (1 character or more, ASCII letters folded), newest first, at most `limit`: the same
    /// hits as the station's own search. One or two characters are one index lookup; a longer
    /// query looks up its bigrams and confirms each candidate.
    ///
    /// # Errors
    /// The server's failure, or a stored record that no longer reads.
    pub async fn search_receptions(
        &self,
        query: &str,
        limit: usize,
    ) -> Result<Vec<FoundReception>> {
        let Some(query) = casebook::search::TextQuery::parse(query) else {
            return Ok(Vec::new());
        };
        let client = self.client().await?;
        let grams = query.grams();
        let select = client
            .prepare(
                "SELECT data FROM records WHERE entity = 'reception' AND terms @> $1
                 ORDER BY data ->> 'received_at' DESC, id LIMIT $2 OFFSET $3",
            )
            .await
            .map_err(shared)?;
        // Up to two characters the index is exact: one page is the answer. Longer queries
        // confirm candidates a page at a time (most are hits), until enough are found.
        let page = if query.needs_confirmation() {
            limit.saturating_mul(2).max(100)
        } else {
            limit
        };
        let page_rows = i64::try_from(page).unwrap_or(i64::MAX);
        let mut found = Vec::new();
        let mut offset = 0i64;
        while found.len() < limit {
            let rows = client
                .query(&select, &[&grams, &page_rows, &offset])
                .await
                .map_err(shared)?;
            let last_page = rows.len() < page;
            for row in rows {
                let data: serde_json::Value = row.get(0);
                let reception: casebook::domain::Reception = serde_json::from_value(data)
                    .map_err(|err| Error::Corrupt(format!("reception: {err}")))?;
                if query.needs_confirmation()
                    && !query.matches(casebook::search::reception_fields(&reception))
                {
                    continue;
                }
                found.push(FoundReception {
                    case_no: reception.case_no,
                    station: reception.station,
                    matter: reception.matter,
                });
                if found.len() == limit {
                    break;
                }
            }
            if last_page || !query.needs_confirmation() {
                break;
            }
            offset = offset.saturating_add(page_rows);
        }
        Ok(found)
    }

    /// What the status page shows of each station the store holds anything of, by code;
    /// receptions are counted from `week_start` (a date, `YYYY-MM-DD`).
    ///
    /// # Errors
    /// The server's failure.
    pub async fn stations(&self, week_start: &str) -> Result<HashMap<String, StationHeld>> {
        let client = self.client().await?;
        let mut held: HashMap<String, StationHeld> = HashMap::new();
        let rows = client
            .query(
                "SELECT origin, acked_to,
                        to_char(last_import_at AT TIME ZONE 'Asia/Shanghai',
                                'YYYY-MM-DD\"T\"HH24:MI:SS+08:00'),
                        reads
                 FROM inbound",
                &[],
            )
            .await
            .map_err(shared)?;
        for row in rows {
            let origin: String = row.get(0);
            let acked_to: i64 = row.get(1);
            let format: Option<i32> = row.get(3);
            let gaps = gaps(&client, &origin, acked_to).await?;
            held.insert(
                origin,
                StationHeld {
                    acked_to,
                    last_import_at: row.get(2),
                    reads: format.and_then(|version| u16::try_from(version).ok()),
                    gaps,
                    ..StationHeld::default()
                },
            );
        }
        let kept = client
            .query(
                "SELECT origin, count(*)::bigint,
                        (array_agg(reason ORDER BY kept_at DESC) FILTER (WHERE reason IS NOT NULL))[1]
                 FROM quarantine GROUP BY origin",
                &[],
            )
            .await
            .map_err(shared)?;
        for row in kept {
            let station = held.entry(row.get(0)).or_default();
            station.quarantined = usize::try_from(row.get::<_, i64>(1)).unwrap_or(0);
            station.last_reason = row.get(2);
        }
        let visits = client
            .query(
                "SELECT station, count(*)::bigint FROM records
                 WHERE entity = 'reception' AND left(data ->> 'received_at', 10) >= $1
                 GROUP BY station",
                &[&week_start],
            )
            .await
            .map_err(shared)?;
        for row in visits {
            held.entry(row.get(0)).or_default().receptions_this_week = row.get(1);
        }
        Ok(held)
    }
}

/// [`PgStore::receipt`] on a connection already taken: a caller holding one must not wait for a
/// second (with every connection held so, nobody would get one).
async fn receipt_on(
    client: &deadpool_postgres::Client,
    origin: &str,
    version: u16,
    issuer: &ReceiptIssuer,
) -> Result<Option<Receipt>> {
    let Some(row) = client
        .query_opt("SELECT acked_to FROM inbound WHERE origin = $1", &[&origin])
        .await
        .map_err(shared)?
    else {
        return Ok(None);
    };
    let acked_to: i64 = row.get(0);
    let missing = gaps(client, origin, acked_to).await?;
    let last_entry = if version >= HASHED_RECEIPTS_VERSION {
        client
            .query_opt(
                "SELECT seq, entry_hash FROM change_log WHERE origin = $1 AND seq <= $2
                 ORDER BY seq DESC LIMIT 1",
                &[&origin, &acked_to],
            )
            .await
            .map_err(shared)?
            .map(|row| LastEntry {
                seq: row.get(0),
                log_version: LOG_VERSION,
                sha256: row.get(1),
            })
    } else {
        None
    };
    Ok(Some(issuer.issue(origin, acked_to, missing, last_entry)))
}

/// The ownership rules' view of the store: the records the bundle names, fetched once, and
/// those it creates as it goes.
struct Fetched {
    town: String,
    sender: String,
    /// The sender's committee short name on the town's roster.
    committee: Option<String>,
    held: HashMap<(Owned, Uuid), String>,
}

impl Holdings for Fetched {
    fn is_town(&self, code: &str) -> Result<bool> {
        Ok(code == self.town)
    }

    fn record_station(&self, record: Owned, id: Uuid) -> Result<Option<String>> {
        Ok(self.held.get(&(record, id)).cloned())
    }

    fn committee_short_name(&self, station: &str) -> Result<Option<String>> {
        Ok(if station == self.sender {
            self.committee.clone()
        } else {
            None
        })
    }
}

async fn apply_bundle(
    tx: &deadpool_postgres::Transaction<'_>,
    bundle: &PreparedBundle,
    mut holdings: Fetched,
) -> Result<Imported> {
    let header = bundle.header();
    let payload = bundle.payload();
    let origin = header.origin.as_str();
    tx.execute(
        "INSERT INTO inbound (origin) VALUES ($1) ON CONFLICT (origin) DO NOTHING",
        &[&origin],
    )
    .await
    .map_err(shared)?;
    let acked: i64 = tx
        .query_one(
            "SELECT acked_to FROM inbound WHERE origin = $1 FOR UPDATE",
            &[&origin],
        )
        .await
        .map_err(shared)?
        .get(0);
    let mut imported = Imported::default();
    // Receipts of the town's own log are checked here and taken by the town's book.
    for receipt in &payload.receipts {
        if receipt.issuer != origin || receipt.origin != holdings.town {
            return Err(Error::refused(
                ErrorKind::BadBundle,
                "同步包中的回执与发送方不符",
            ));
        }
        receipt.check_bounds()?;
        receipt.verify(bundle.sender())?;
        imported.receipts += 1;
    }
    if !payload.returned.is_empty() {
        return Err(Error::refused(
            ErrorKind::BadBundle,
            "同步包被拒收：只有镇人大可以送回站点的记录",
        ));
    }
    if header.to_seq >= header.from_seq {
        if header.from_seq > acked + 1 {
            let waiting: i64 = tx
                .query_one(
                    "SELECT count(*)::bigint FROM pending_bundles WHERE origin = $1",
                    &[&origin],
                )
                .await
                .map_err(shared)?
                .get(0);
            refuse_past_waiting_limit(origin, waiting)?;
            let entries = serde_json::to_string(&payload.changes)
                .map_err(|err| Error::Internal(err.to_string()))?;
            tx.execute(
                "INSERT INTO pending_bundles (origin, from_seq, to_seq, entries)
                 VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                &[&origin, &header.from_seq, &header.to_seq, &entries],
            )
            .await
            .map_err(shared)?;
            imported.pending += payload.changes.len();
        } else {
            let entries = payload.changes.iter().zip(bundle.encoded().iter().cloned());
            imported += apply_entries(tx, &mut holdings, header.to_seq, entries).await?;
            imported += drain_pending(tx, &mut holdings).await?;
        }
    }
    // The sender signed this format, so it reads it (and 3 if its log version says so).
    let reads = i32::from(format::reads_at_least(
        bundle.format_version(),
        header.schema_version,
    ));
    tx.execute(
        "UPDATE inbound SET last_import_at = now(), last_bundle_hash = $2,
             reads = GREATEST(reads, $3)
         WHERE origin = $1",
        &[&origin, &bundle.file_hash(), &reads],
    )
    .await
    .map_err(shared)?;
    // A bundle found late on a stick says less than the sender holds now.
    tx.execute(
        "UPDATE inbound SET sender_head = $2, sender_head_at = $3
         WHERE origin = $1 AND (sender_head_at IS NULL OR sender_head_at <= $3)",
        &[&origin, &header.to_seq, &header.created_at],
    )
    .await
    .map_err(shared)?;
    Ok(imported)
}

/// Applies a contiguous run of the sender's entries ending at `to_seq`: each checked as the
/// book checks it, logged once (the same seq with other content is refused), its record
/// written (the roster's and duty shifts' newest by the clock; the others once). The entries
/// are checked one by one in memory, then written in a few statements for the whole run.
async fn apply_entries<'a>(
    tx: &deadpool_postgres::Transaction<'_>,
    holdings: &mut Fetched,
    to_seq: i64,
    entries: impl Iterator<Item = (&'a LogEntry, (&'static str, String))> + Clone,
) -> Result<Imported> {
    fetch_named(tx, holdings, entries.clone().map(|(entry, _)| entry)).await?;
    let mut checked = Vec::new();
    for (entry, (op, data)) in entries {
        casebook::validate::check_entry(entry)?;
        ownership::check(&*holdings, entry)?;
        checked.push(Checked::of(holdings, entry, op, data)?);
    }
    let logged = log_entries(tx, &checked).await?;
    let mut imported = Imported::default();
    let mut new = Vec::new();
    for entry in checked {
        if logged.contains(&entry.entry.seq) {
            new.push(entry);
        } else {
            imported.duplicates += 1;
        }
    }
    imported.applied = new.len();
    write_records(tx, &new).await?;
    tx.execute(
        "UPDATE inbound SET acked_to = GREATEST(acked_to, $2) WHERE origin = $1",
        &[&holdings.sender, &to_seq],
    )
    .await
    .map_err(shared)?;
    Ok(imported)
}

/// An entry checked, with what its rows hold.
struct Checked<'a> {
    entry: &'a LogEntry,
    op: &'static str,
    data: String,
    hash: String,
    /// The station that owns its record (the town for the roster).
    station: String,
    /// The record an event is on.
    parent: Option<Uuid>,
    /// A reception's search terms, space-separated.
    terms: Option<String>,
}

impl<'a> Checked<'a> {
    /// Places `entry`'s record: its owner and, for an event, the record it is on (which must be
    /// held here or created earlier in the run).
    fn of(
        holdings: &mut Fetched,
        entry: &'a LogEntry,
        op: &'static str,
        data: String,
    ) -> Result<Checked<'a>> {
        let change = &entry.change;
        let (station, parent) = match (
            ownership::owned_record(change),
            ownership::event_parent(change),
        ) {
            (Some((kind, id, station)), _) => {
                holdings.held.insert((kind, id), station.to_owned());
                (station.to_owned(), None)
            }
            (None, Some((kind, parent))) => {
                let Some(station) = holdings.held.get(&(kind, parent)) else {
                    return Err(unusable(entry, "它所属的记录不在这里"));
                };
                (station.clone(), Some(parent))
            }
            (None, None) => match change {
                Change::DutyShiftUpsert(shift) => (shift.station.clone(), None),
                _ => (holdings.town.clone(), None),
            },
        };
        let terms = match change {
            Change::ReceptionCreate(reception) => {
                Some(casebook::search::reception_terms(reception))
            }
            _ => None,
        };
        Ok(Checked {
            hash: canonical_entry_hash(&entry.origin, entry.seq, entry.hlc, op, &data)?,
            entry,
            op,
            data,
            station,
            parent,
            terms,
        })
    }

    /// Roster records and duty shifts are edited: the newest by the clock wins.
    fn is_edit(&self) -> bool {
        matches!(
            self.entry.change,
            Change::GridUpsert(_)
                | Change::StationUpsert(_)
                | Change::DeputyUpsert(_)
                | Change::DutyShiftUpsert(_)
        )
    }
}

/// Logs the run in one statement; answers the seqs logged now. Each other seq was held
/// before: with the same entry (a duplicate), or with another (refused: the sender's book was
/// restored from an older copy and gave the number again).
async fn log_entries(
    tx: &deadpool_postgres::Transaction<'_>,
    checked: &[Checked<'_>],
) -> Result<std::collections::HashSet<i64>> {
    let Some(first) = checked.first() else {
        return Ok(std::collections::HashSet::new());
    };
    let origin = first.entry.origin.as_str();
    let column = |part: fn(&Checked<'_>) -> Option<String>| -> Vec<Option<String>> {
        checked.iter().map(part).collect()
    };
    let seqs: Vec<i64> = checked.iter().map(|c| c.entry.seq).collect();
    let hlcs: Vec<i64> = checked.iter().map(|c| c.entry.hlc).collect();
    let versions: Vec<i64> = checked.iter().map(|c| c.entry.schema_version).collect();
    let bases: Vec<Option<i64>> = checked.iter().map(|c| c.entry.base_hlc).collect();
    let deputies = column(|c| c.entry.deputy.map(|id| id.to_string()));
    let recorders = column(|c| c.entry.recorder.map(|id| id.to_string()));
    let ops = column(|c| Some(c.op.to_owned()));
    let records = column(|c| Some(c.data.clone()));
    let hashes = column(|c| Some(c.hash.clone()));
    let logged: std::collections::HashSet<i64> = tx
        .query(
            "INSERT INTO change_log (origin, seq, hlc, deputy, recorder, schema_version,
                                     base_hlc, op, record, entry_hash)
             SELECT $1, * FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[],
                                      $6::bigint[], $7::bigint[], $8::text[], $9::text[],
                                      $10::text[])
             ON CONFLICT (origin, seq) DO NOTHING RETURNING seq",
            &[
                &origin, &seqs, &hlcs, &deputies, &recorders, &versions, &bases, &ops, &records,
                &hashes,
            ],
        )
        .await
        .map_err(shared)?
        .iter()
        .map(|row| row.get(0))
        .collect();
    let before: Vec<i64> = seqs
        .iter()
        .copied()
        .filter(|seq| !logged.contains(seq))
        .collect();
    if !before.is_empty() {
        let held: HashMap<i64, String> = tx
            .query(
                "SELECT seq, entry_hash FROM change_log WHERE origin = $1 AND seq = ANY($2)",
                &[&origin, &before],
            )
            .await
            .map_err(shared)?
            .iter()
            .map(|row| (row.get(0), row.get(1)))
            .collect();
        if let Some(other) = checked
            .iter()
            .find(|c| held.get(&c.entry.seq).is_some_and(|hash| *hash != c.hash))
        {
            return Err(reused_seq(origin, other.entry.seq));
        }
    }
    Ok(logged)
}

/// Writes the records of entries logged now: created ones once, edited ones the newest by the
/// clock (within the run too). A number another record holds refuses the run.
async fn write_records(tx: &deadpool_postgres::Transaction<'_>, new: &[Checked<'_>]) -> Result<()> {
    let (edits, creates): (Vec<&Checked<'_>>, Vec<&Checked<'_>>) =
        new.iter().partition(|c| c.is_edit());
    // One row per record in a statement that may update it: the newest of the run.
    let mut newest: HashMap<(&str, Uuid), &Checked<'_>> = HashMap::new();
    for edit in edits {
        let key = (edit.entry.change.entity(), edit.entry.change.record_id());
        if newest
            .get(&key)
            .is_none_or(|held| held.entry.hlc < edit.entry.hlc)
        {
            newest.insert(key, edit);
        }
    }
    let edits: Vec<&Checked<'_>> = newest.into_values().collect();
    for (rows, conflict) in [
        (creates, "DO NOTHING"),
        (
            edits,
            "DO UPDATE SET data = excluded.data, hlc = excluded.hlc, origin = excluded.origin,
                 seq = excluded.seq WHERE records.hlc < excluded.hlc",
        ),
    ] {
        if rows.is_empty() {
            continue;
        }
        let entities: Vec<&str> = rows.iter().map(|c| c.entry.change.entity()).collect();
        let ids: Vec<Uuid> = rows.iter().map(|c| c.entry.change.record_id()).collect();
        let stations: Vec<&str> = rows.iter().map(|c| c.station.as_str()).collect();
        let parents: Vec<Option<Uuid>> = rows.iter().map(|c| c.parent).collect();
        let origins: Vec<&str> = rows.iter().map(|c| c.entry.origin.as_str()).collect();
        let seqs: Vec<i64> = rows.iter().map(|c| c.entry.seq).collect();
        let hlcs: Vec<i64> = rows.iter().map(|c| c.entry.hlc).collect();
        let data: Vec<&str> = rows.iter().map(|c| c.data.as_str()).collect();
        let terms: Vec<Option<&str>> = rows.iter().map(|c| c.terms.as_deref()).collect();
        let sql = format!(
            "INSERT INTO records (entity, id, station, parent, origin, seq, hlc, data, terms)
             SELECT entity, id, station, parent, origin, seq, hlc, data::jsonb,
                    string_to_array(terms, ' ')
             FROM unnest($1::text[], $2::uuid[], $3::text[], $4::uuid[], $5::text[],
                         $6::bigint[], $7::bigint[], $8::text[], $9::text[])
                  AS run (entity, id, station, parent, origin, seq, hlc, data, terms)
             ON CONFLICT (entity, id) {conflict}"
        );
        tx.execute(
            &sql,
            &[
                &entities, &ids, &stations, &parents, &origins, &seqs, &hlcs, &data, &terms,
            ],
        )
        .await
        .map_err(|err| match err.as_db_error() {
            // A number another record holds: the bundle's fault, not the store's.
            Some(db) if *db.code() == SqlState::UNIQUE_VIOLATION => Error::refused(
                ErrorKind::BadBundle,
                format!(
                    "同步包被拒收：其中的编号已被其他记录占用（{}）",
                    db.detail().unwrap_or_default()
                ),
            ),
            _ => shared(err),
        })?;
    }
    Ok(())
}

/// Reads who holds the records `entries` create or write events on, in one query.
async fn fetch_named<'a>(
    tx: &deadpool_postgres::Transaction<'_>,
    holdings: &mut Fetched,
    entries: impl Iterator<Item = &'a LogEntry>,
) -> Result<()> {
    let mut named: HashMap<Uuid, Vec<Owned>> = HashMap::new();
    for entry in entries {
        let record = ownership::owned_record(&entry.change).map(|(kind, id, _)| (kind, id));
        for (kind, id) in record
            .into_iter()
            .chain(ownership::event_parent(&entry.change))
        {
            named.entry(id).or_default().push(kind);
        }
    }
    let ids: Vec<Uuid> = named.keys().copied().collect();
    let rows = tx
        .query(
            "SELECT entity, id, station FROM records WHERE id = ANY($1)",
            &[&ids],
        )
        .await
        .map_err(shared)?;
    for row in rows {
        let (entity, id): (String, Uuid) = (row.get(0), row.get(1));
        let kinds = named.get(&id).into_iter().flatten();
        if let Some(kind) = kinds.copied().find(|kind| kind.entity() == entity) {
            holdings.held.insert((kind, id), row.get(2));
        }
    }
    Ok(())
}

/// Applies the waiting bundles the last import made contiguous.
async fn drain_pending(
    tx: &deadpool_postgres::Transaction<'_>,
    holdings: &mut Fetched,
) -> Result<Imported> {
    let origin = holdings.sender.clone();
    let mut imported = Imported::default();
    loop {
        let acked: i64 = tx
            .query_one("SELECT acked_to FROM inbound WHERE origin = $1", &[&origin])
            .await
            .map_err(shared)?
            .get(0);
        let Some(row) = tx
            .query_opt(
                "SELECT from_seq, to_seq, entries FROM pending_bundles
                 WHERE origin = $1 AND from_seq <= $2 ORDER BY from_seq LIMIT 1",
                &[&origin, &(acked + 1)],
            )
            .await
            .map_err(shared)?
        else {
            return Ok(imported);
        };
        let (from_seq, to_seq, entries): (i64, i64, String) = (row.get(0), row.get(1), row.get(2));
        // It was checked when it came: one that no longer reads is the store's fault.
        let entries: Vec<LogEntry> = serde_json::from_str(&entries)
            .map_err(|err| Error::Corrupt(format!("pending bundle: {err}")))?;
        let encoded = entries
            .iter()
            .map(|entry| change_to_parts(&entry.change))
            .collect::<Result<Vec<_>>>()?;
        imported +=
            apply_entries(tx, holdings, to_seq.max(acked), entries.iter().zip(encoded)).await?;
        tx.execute(
            "DELETE FROM pending_bundles WHERE origin = $1 AND from_seq = $2 AND to_seq = $3",
            &[&origin, &from_seq, &to_seq],
        )
        .await
        .map_err(shared)?;
    }
}

/// Gaps of `origin`'s log before the bundles waiting.
async fn gaps(client: &impl GenericClient, origin: &str, acked_to: i64) -> Result<Vec<(i64, i64)>> {
    let rows = client
        .query(
            "SELECT from_seq, to_seq FROM pending_bundles WHERE origin = $1 ORDER BY from_seq",
            &[&origin],
        )
        .await
        .map_err(shared)?;
    Ok(missing_ranges(
        acked_to,
        rows.iter().map(|row| (row.get(0), row.get(1))),
    ))
}

/// Keeps `bundle` aside with the refusal that sent it there (`None`: its schema is newer),
/// dropping the sender's kept bundles it covers again and the oldest beyond the caps.
async fn keep(
    client: &impl GenericClient,
    bundle: &PreparedBundle,
    refusal: Option<&Error>,
) -> Result<()> {
    let header = bundle.header();
    client
        .execute(
            "DELETE FROM quarantine WHERE origin = $1 AND from_seq >= $2 AND to_seq <= $3",
            &[&header.origin, &header.from_seq, &header.to_seq],
        )
        .await
        .map_err(shared)?;
    client
        .execute(
            "INSERT INTO quarantine
                 (bundle_id, origin, from_seq, to_seq, schema_version, refusal_kind, reason, file)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (bundle_id) DO NOTHING",
            &[
                &header.bundle_id,
                &header.origin,
                &header.from_seq,
                &header.to_seq,
                &header.schema_version,
                &refusal.map(|err| err.kind().as_str()),
                &refusal.map(ToString::to_string),
                &bundle.file(),
            ],
        )
        .await
        .map_err(shared)?;
    let most = i64::try_from(MAX_PER_SENDER).unwrap_or(i64::MAX);
    client
        .execute(
            "DELETE FROM quarantine WHERE bundle_id IN (
                 SELECT bundle_id FROM (
                     SELECT bundle_id,
                            row_number() OVER newest AS place,
                            sum(length(file)) OVER newest AS kept_bytes
                     FROM quarantine WHERE origin = $1
                     WINDOW newest AS (ORDER BY kept_at DESC, bundle_id DESC)
                 ) held
                 WHERE place > 1 AND (place > $2 OR kept_bytes > $3))",
            &[&header.origin, &most, &MAX_BYTES_PER_SENDER],
        )
        .await
        .map_err(shared)?;
    Ok(())
}

/// The server's failure: the details go to the log, the station is told to retry.
fn shared(err: tokio_postgres::Error) -> Error {
    Error::SharedStore(err.to_string())
}
