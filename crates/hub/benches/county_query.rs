//! The county's monthly question, measured on both stores: the Ministry of Justice's mediation
//! table (and the mediation figures with it) for one month, over a year of COUNTY_RECEPTIONS
//! receptions (default 10,000,000) at 300 stations in 10 towns, one mediation file for every
//! tenth reception with three events each (a session, a result, and for every other file a
//! performance).
//!
//! The rows are written by SQL (`generate_series`, a recursive CTE), not through imports: 10
//! million receptions through the book would take hours and some 80 GB here. Receptions carry
//! their columns and a small body (no search terms: the table never reads them); mediation
//! files and events carry the JSON the book and the store decode. Each store then answers with
//! its own code: `Book::mediation_table` on a county book, `PgStore::mediation_table` on the
//! shared store, both the same fold (`casebook::store::stats::fold_mediations`). Median of 5
//! runs, the whole county and one town (30 stations), and a cold first run.
//!
//! `cargo bench -p liaison-hub --bench county_query` (needs the `postgresql` package, about
//! 15 GB of disk at the default size; COUNTY_RECEPTIONS=1000000 for a quick run).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use casebook::Book;
use casebook::domain::DISPUTE_TYPES;
use casebook::store::BookKind;
use chrono::NaiveDate;
use liaison_hub::PgStore;
use liaison_testkit::postgres::TempPostgres;

mod common;

use common::env;

const STATIONS: usize = 300;
const TOWNS: usize = 10;

fn main() {
    let receptions = env("COUNTY_RECEPTIONS", 10_000_000);
    let dir = tempfile::tempdir().unwrap();
    let month = (
        NaiveDate::from_ymd_opt(2026, 11, 1),
        NaiveDate::from_ymd_opt(2026, 11, 30),
    );
    let town_stations: Vec<String> = (0..STATIONS / TOWNS).map(station_code).collect();
    println!("receptions: {receptions}");
    println!("mediation_files: {}", receptions.div_ceil(10));

    // The county's book.
    let path = dir.path().join("county.db");
    drop(Book::create(&path, "XC", "溪城县人大常委会", BookKind::County).unwrap());
    let filled = Instant::now();
    fill_book(&path, receptions);
    println!("sqlite_filled_in: {:.0} s", filled.elapsed().as_secs_f64());
    println!(
        "sqlite_file: {:.2} GB",
        std::fs::metadata(&path).unwrap().len() as f64 / 1e9
    );
    let book = Book::open(&path).unwrap();
    let cold = timed(|| book.mediation_table(None, month.0, month.1).unwrap());
    let county = median(|| book.mediation_table(None, month.0, month.1).unwrap());
    let town = median(|| book.mediation_table(Some("T01"), month.0, month.1).unwrap());
    assert_eq!(county.1.0.accepted as usize, files_in_november(receptions));
    println!(
        "sqlite_ministry_table_month: files {}, cold {:.0} ms, county {:.0} ms, one town ({} files) {:.0} ms",
        county.1.0.accepted,
        ms(cold.0),
        ms(county.0),
        town.1.0.accepted,
        ms(town.0)
    );
    let stats = median(|| book.stats(None, month.0, month.1).unwrap());
    println!(
        "sqlite_whole_monthly_stats: receptions {}, {:.0} ms",
        stats.1.receptions,
        ms(stats.0)
    );
    let sqlite_table = county.1;
    drop(book);

    // The same rows in a shared store.
    let server = TempPostgres::start(false);
    let url = server.create_database("county");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let store = PgStore::connect(&url, "XC", 2).await.unwrap();
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        let filled = Instant::now();
        fill_store(&client, receptions).await;
        println!("postgres_filled_in: {:.0} s", filled.elapsed().as_secs_f64());
        let size: i64 = client
            .query_one("SELECT pg_database_size('county')", &[])
            .await
            .unwrap()
            .get(0);
        println!("postgres_database: {:.2} GB", size as f64 / 1e9);
        let started = Instant::now();
        let first = store.mediation_table(None, month.0, month.1).await.unwrap();
        let cold = started.elapsed();
        let mut county = Vec::new();
        let mut town = Vec::new();
        for _ in 0..5 {
            let started = Instant::now();
            std::hint::black_box(store.mediation_table(None, month.0, month.1).await.unwrap());
            county.push(started.elapsed());
            let started = Instant::now();
            std::hint::black_box(
                store
                    .mediation_table(Some(&town_stations[..]), month.0, month.1)
                    .await
                    .unwrap(),
            );
            town.push(started.elapsed());
        }
        county.sort();
        town.sort();
        assert_eq!(
            serde_json::to_value(&first).unwrap(),
            serde_json::to_value(&sqlite_table).unwrap(),
            "both stores answer alike"
        );
        println!(
            "postgres_ministry_table_month: files {}, cold {:.0} ms, county {:.0} ms, one town {:.0} ms",
            first.0.accepted,
            ms(cold),
            ms(county[2]),
            ms(town[2])
        );
    });
}

fn station_code(index: usize) -> String {
    format!("S{:03}", index + 1)
}

/// Reception `i` of `n` is received on day `i * 365 / n` of 2026 at station `i % 300`; every
/// tenth is mediated, accepted the same day.
fn files_in_november(n: usize) -> usize {
    let november = 304..334; // day numbers of 2026-11-01 ..= 2026-11-30
    (0..n)
        .step_by(10)
        .filter(|i| november.contains(&(i * 365 / n)))
        .count()
}

/// The dispute types as a JSON array, for SQL to pick one by number.
fn dispute_types() -> String {
    serde_json::to_string(&DISPUTE_TYPES).unwrap()
}

fn fill_book(path: &std::path::Path, n: usize) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute_batch("PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF;")
        .unwrap();
    let tx = conn.unchecked_transaction().unwrap();
    // Ten towns of thirty stations, each a peer of the county (keys never used here).
    for town in 0..TOWNS {
        let code = format!("T{:02}", town + 1);
        tx.execute(
            "INSERT INTO peers (code, sign_public, seal_public, added_at)
             VALUES (?1, randomblob(32), randomblob(32), '2026-01-01T00:00:00+08:00')",
            [&code],
        )
        .unwrap();
        for index in (town * STATIONS / TOWNS)..((town + 1) * STATIONS / TOWNS) {
            tx.execute(
                "INSERT INTO relayed_stations (station, town, first_seen)
                 VALUES (?1, ?2, '2026-01-01T00:00:00+08:00')",
                [&station_code(index), &code],
            )
            .unwrap();
        }
    }
    let n = i64::try_from(n).unwrap();
    tx.execute(
        "WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ?1 - 1)
         INSERT INTO receptions (id, case_no, station, case_year, case_seq, received_at, channel,
             category, head_count, reply_due, status, due, body, kind)
         SELECT printf('00000001-0000-7000-8000-%012x', i), printf('S%03d-2026-%07d', i % 300 + 1, i / 300 + 1),
             printf('S%03d', i % 300 + 1), 2026, i / 300 + 1,
             date('2026-01-01', '+' || (i * 365 / ?1) || ' days') || 'T09:30:00+08:00',
             'station_visit', '邻里', 1,
             date('2026-01-01', '+' || (i * 365 / ?1 + 15) || ' days'), 'closed',
             date('2026-01-01', '+' || (i * 365 / ?1 + 15) || ' days'), '{}', 'dispute'
         FROM k",
        [n],
    )
    .unwrap();
    tx.execute(
        "INSERT INTO mediations (id, number, station, year, seq, case_no, dispute_type,
             accepted_at, result, body)
         SELECT printf('00000002-0000-7000-8000-%012x', rid - 1), printf('（2026）%s人调字第%d号', station, rid - 1),
             station, 2026, rid - 1, case_no,
             json_extract(?1, '$[' || ((rid - 1) / 10 % 19) || ']'), received_at,
             CASE WHEN (rid - 1) / 10 % 3 = 0 THEN 'failed' ELSE 'succeeded_written' END, '{}'
         FROM receptions WHERE (rid - 1) % 10 = 0",
        [dispute_types()],
    )
    .unwrap();
    for (suffix, kind, hours, extra, every) in EVENTS {
        // Station time as stored: the clock face of `accepted_at` moved on, `+08:00` kept.
        let at = format!(
            "strftime('%Y-%m-%dT%H:%M:%S', substr(accepted_at, 1, 19), '+{hours} hours') || '+08:00'"
        );
        tx.execute(
            &format!(
                "INSERT INTO mediation_events (id, mediation_id, at, kind, body)
                 SELECT '0000000{suffix}' || substr(id, 9), id, {at}, '{kind}',
                     json_object('id', '0000000{suffix}' || substr(id, 9), 'mediation', id,
                         'at', {at},
                         'deputy', NULL, 'note', NULL, 'kind', '{kind}', {extra})
                 FROM mediations WHERE seq / 10 % {every} = 0"
            ),
            [],
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

/// The three events of a file: the digit that heads its id, kind, hours after acceptance, the kind's own
/// fields (SQL over the file's row `result`), and on every how-manyth file.
const EVENTS: [(&str, &str, i32, &str, i32); 3] = [
    (
        "3",
        "session",
        2,
        "'place', '调解室', 'statements', '双方陈述', 'facts', '属实', 'outcome', '继续协商', 'participants', json_array()",
        1,
    ),
    ("4", "result", 26, "'result', result, 'routes', NULL", 1),
    ("5", "performance", 240, "'performance', 'full'", 2),
];

async fn fill_store(client: &tokio_postgres::Client, n: usize) {
    let n = i64::try_from(n).unwrap();
    client
        .execute(
            "INSERT INTO records (entity, id, station, origin, seq, hlc, data, terms)
             SELECT 'reception', md5('r' || i)::uuid, s, s, i / 300 + 1, i,
                 jsonb_build_object('case_no', s || '-2026-' || lpad((i / 300 + 1)::text, 7, '0'),
                     'station', s, 'received_at',
                     to_char(date '2026-01-01' + (i * 365 / $1::bigint)::int, 'YYYY-MM-DD') || 'T09:30:00+08:00',
                     'matter', '邻里纠纷', 'category', '邻里'),
                 '{}'
             FROM generate_series(0, $1::bigint - 1) AS i,
                 LATERAL (SELECT 'S' || lpad((i % 300 + 1)::text, 3, '0') AS s) AS station",
            &[&n],
        )
        .await
        .unwrap();
    client
        .execute(
            "INSERT INTO records (entity, id, station, origin, seq, hlc, data)
             SELECT 'mediation', md5('m' || i)::uuid, s, s, i, i,
                 jsonb_build_object('number', '（2026）' || s || '人调字第' || i || '号',
                     'station', s, 'dispute_type', (($2::text)::jsonb) ->> ((i / 10 % 19)::int),
                     'accepted_at',
                     to_char(date '2026-01-01' + (i * 365 / $1::bigint)::int, 'YYYY-MM-DD') || 'T09:30:00+08:00')
             FROM generate_series(0, $1::bigint - 1, 10) AS i,
                 LATERAL (SELECT 'S' || lpad((i % 300 + 1)::text, 3, '0') AS s) AS station",
            &[&n, &dispute_types()],
        )
        .await
        .unwrap();
    for (suffix, kind, hours, _, every) in EVENTS {
        let fields = match kind {
            "session" => {
                "'place', '调解室', 'statements', '双方陈述', 'facts', '属实', 'outcome', '继续协商', 'participants', jsonb_build_array()"
            }
            "result" => {
                "'result', CASE WHEN (m.seq / 10) % 3 = 0 THEN 'failed' ELSE 'succeeded_written' END, 'routes', NULL"
            }
            _ => "'performance', 'full'",
        };
        let at = format!(
            "to_char(((m.data ->> 'accepted_at')::timestamptz + interval '{hours} hours') AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD\"T\"HH24:MI:SS') || '+08:00'"
        );
        client
            .execute(
                &format!(
                    "INSERT INTO records (entity, id, station, parent, origin, seq, hlc, data)
                     SELECT 'mediation_event', md5(m.id::text || '{suffix}')::uuid, m.station,
                         m.id, m.origin, m.seq, m.hlc,
                         jsonb_build_object('id', md5(m.id::text || '{suffix}')::uuid,
                             'mediation', m.id, 'at', {at}, 'deputy', NULL, 'note', NULL,
                             'kind', '{kind}', {fields})
                     FROM records m WHERE m.entity = 'mediation' AND (m.seq / 10) % {every} = 0"
                ),
                &[],
            )
            .await
            .unwrap();
    }
    client
        .batch_execute("VACUUM ANALYZE records")
        .await
        .unwrap();
}

/// How long one run took, and what it answered.
fn timed<T>(run: impl FnOnce() -> T) -> (Duration, T) {
    let started = Instant::now();
    let answer = run();
    (started.elapsed(), answer)
}

/// The median of 5 runs, and the last answer.
fn median<T>(run: impl Fn() -> T) -> (Duration, T) {
    let mut times = Vec::new();
    let mut answer = None;
    for _ in 0..5 {
        let (took, answered) = timed(&run);
        times.push(took);
        answer = Some(answered);
    }
    times.sort();
    (times[2], answer.unwrap())
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1e3
}
