//! Search in the shared PostgreSQL store, measured: a demo station's SEARCH_RECEPTIONS
//! receptions (default 100,000) imported into a throwaway cluster, then queries of 1 to 4
//! characters drawn from the data, each timed (median of 7 runs) for the first page of 50
//! newest hits and for every hit, three ways:
//!
//! - `terms`: the store's own index (`PgStore::search_receptions`: every character and pair of
//!   adjacent characters in a GIN-indexed `text[]`, candidates confirmed from 3 characters on);
//! - `trigram`: `pg_trgm`'s GIN index over the same fields, with `LIKE '%…%'`;
//! - `scan`: `LIKE '%…%'` over the same fields with no index.
//!
//! `cargo bench -p liaison-hub --bench pg_search` (needs the `postgresql` package).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use casebook::bundle::BundleOpener;
use liaison_hub::PgStore;
use liaison_testkit::postgres::TempPostgres;

mod common;

use common::env;

/// The searchable fields of a stored reception, as one text: matter, request, visitors' names
/// and addresses (`casebook::search::reception_fields`).
const FIELDS: &str = "concat_ws(E'\\n', data ->> 'matter', data ->> 'request',
    (SELECT string_agg(concat_ws(E'\\n', v ->> 'name', v ->> 'address'), E'\\n')
     FROM jsonb_array_elements(data -> 'visitors') v))";

fn main() {
    let receptions = env("SEARCH_RECEPTIONS", 100_000);
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = liaison_testkit::empty_town_and_station(dir.path());
    let made = Instant::now();
    casebook_demo::fill(
        &mut station,
        &casebook_demo::DemoOptions {
            receptions,
            seed: 11,
        },
        |_, _| {},
    )
    .unwrap();
    liaison_testkit::enroll(&mut town, &mut station);
    let sealed = station.seal_bundle("QX").unwrap().unwrap();
    println!("receptions: {receptions} count");
    println!("demo_made_in: {:.1} s", made.elapsed().as_secs_f64());
    let opener: BundleOpener = town.bundle_opener().unwrap();
    let prepared = opener.prepare(&sealed.bytes).unwrap();

    let server = TempPostgres::start(true);
    let url = server.create_database("region");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let store = PgStore::connect(&url, "QX", 2).await.unwrap();
        let imported = Instant::now();
        store.import(&prepared, None).await.unwrap();
        println!("imported_in: {:.1} s", imported.elapsed().as_secs_f64());
        let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(connection);
        client
            .batch_execute(&format!(
                "ALTER TABLE records ADD COLUMN fields text;
                 UPDATE records SET fields = {FIELDS} WHERE entity = 'reception';"
            ))
            .await
            .unwrap();
        client.batch_execute("VACUUM ANALYZE records").await.unwrap();
        let queries = queries(&client).await;
        // The first page of 50, and every hit, as SQL on the fields.
        let like = |query: &str, limit: &str| {
            format!(
                "SELECT data FROM records WHERE entity = 'reception'
                 AND fields LIKE '%{}%' ORDER BY data ->> 'received_at' DESC, id {limit}",
                query.replace('\'', "''")
            )
        };
        let mut scans = Vec::new();
        for query in &queries {
            let (page, all) = (like(query, "LIMIT 50"), like(query, ""));
            scans.push((
                median(|| async { client.query(&page, &[]).await.unwrap().len() }).await,
                median(|| async { client.query(&all, &[]).await.unwrap().len() }).await,
            ));
        }
        client
            .batch_execute(
                "CREATE EXTENSION pg_trgm;
                 CREATE INDEX records_trigrams ON records USING gin (fields gin_trgm_ops)
                     WHERE entity = 'reception';
                 ANALYZE records;",
            )
            .await
            .unwrap();
        let sizes = client
            .query_one(
                "SELECT pg_relation_size('records_terms'), pg_relation_size('records_trigrams')",
                &[],
            )
            .await
            .unwrap();
        println!(
            "index_size_terms: {:.1} MB",
            sizes.get::<_, i64>(0) as f64 / 1e6
        );
        println!(
            "index_size_trigram: {:.1} MB",
            sizes.get::<_, i64>(1) as f64 / 1e6
        );
        for (query, scan) in queries.iter().zip(scans) {
            let hits: i64 = client
                .query_one(
                    &format!(
                        "SELECT count(*) FROM records WHERE entity = 'reception'
                         AND strpos(fields, '{}') > 0",
                        query.replace('\'', "''")
                    ),
                    &[],
                )
                .await
                .unwrap()
                .get(0);
            let (page, all) = (like(query, "LIMIT 50"), like(query, ""));
            let trigram = (
                median(|| async { client.query(&page, &[]).await.unwrap().len() }).await,
                median(|| async { client.query(&all, &[]).await.unwrap().len() }).await,
            );
            let terms = (
                median(|| async { store.search_receptions(query, 50).await.unwrap().len() })
                    .await,
                median(|| async {
                    store
                        .search_receptions(query, usize::MAX)
                        .await
                        .unwrap()
                        .len()
                })
                .await,
            );
            let chars = query.chars().count();
            println!(
                "query_{chars}_chars {query}: hits {hits}; first 50: terms {:.1} ms, trigram {:.1} ms, scan {:.1} ms; all: terms {:.1} ms, trigram {:.1} ms, scan {:.1} ms",
                ms(terms.0),
                ms(trigram.0),
                ms(scan.0),
                ms(terms.1),
                ms(trigram.1),
                ms(scan.1)
            );
        }
    });
}

/// Pieces of 1 to 4 characters of the stored matters, two of each length.
async fn queries(client: &tokio_postgres::Client) -> Vec<String> {
    let matters: Vec<String> = client
        .query(
            "SELECT data ->> 'matter' FROM records WHERE entity = 'reception'
             ORDER BY id LIMIT 2000",
            &[],
        )
        .await
        .unwrap()
        .iter()
        .map(|row| row.get(0))
        .collect();
    let mut queries = Vec::new();
    for len in 1..=4 {
        for pick in [len * 97, len * 389 + 500] {
            let chars: Vec<char> = matters[pick % matters.len()].chars().collect();
            let from = (pick * 7) % (chars.len() + 1 - len).max(1);
            queries.push(chars[from..(from + len).min(chars.len())].iter().collect());
        }
    }
    queries
}

/// The median of 7 runs of `run`.
async fn median<F, Fut>(run: F) -> Duration
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = usize>,
{
    let mut times = Vec::new();
    for _ in 0..7 {
        let started = Instant::now();
        std::hint::black_box(run().await);
        times.push(started.elapsed());
    }
    times.sort();
    times[3]
}

fn ms(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}
