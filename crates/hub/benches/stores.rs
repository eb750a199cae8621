//! The two stores under one load: STORE_STATIONS stations (default 10,000), each with its own
//! keys, upload a week's bundle (STORE_RECEPTIONS receptions with an acceptance each, default
//! 20), at most STORE_IN_FLIGHT at once (default 1,000): first to one `liaison-hub` process on
//! the town's SQLite book, then through two `liaison-hub` processes sharing one PostgreSQL (a
//! throwaway cluster of Debian's server, fsync on). Prints for each store the uploads per
//! second, latency percentiles, and the changes lost and duplicated (every station's log
//! counted in the store afterwards).
//!
//! `cargo bench -p liaison-hub --bench stores` (needs the `postgresql` package).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Child, Command};
use std::sync::Arc;
use std::time::{Duration, Instant};

use casebook::Book;
use casebook::bundle::UploadAnswer;
use casebook::store::BookKind;
use liaison_testkit::postgres::TempPostgres;

mod common;
/// The hub binary started as the tests start it.
#[path = "../tests/common/mod.rs"]
mod started;

use common::{enrolled_station_week, env, percentile};
use started::spawn_hub;

/// One station's sealed week.
struct Week {
    code: String,
    changes: usize,
    bytes: Vec<u8>,
}

fn main() {
    let stations = env("STORE_STATIONS", 10_000);
    let receptions = env("STORE_RECEPTIONS", 20);
    let in_flight = env("STORE_IN_FLIGHT", 1_000);
    let dir = tempfile::tempdir().unwrap();
    println!("stations: {stations} count");
    println!("in_flight: {in_flight} count");

    // Each station is made, enrolled and sealed, then dropped: only its bundle is kept.
    let town_path = dir.path().join("town.db");
    let mut town = Book::create(&town_path, "QX", "清溪镇人大", BookKind::Town).unwrap();
    let town_keys = town.public_keys();
    let made = Instant::now();
    let weeks: Vec<Week> = (0..stations)
        .map(|i| {
            let code = format!("S{i:05}");
            let mut station = enrolled_station_week(&mut town, &town_keys, &code, receptions);
            let sealed = station.seal_bundle("QX").unwrap().unwrap();
            Week {
                code,
                changes: sealed.changes,
                bytes: sealed.bytes,
            }
        })
        .collect();
    let total: usize = weeks.iter().map(|week| week.changes).sum();
    println!("stations_made_in: {:.1} s", made.elapsed().as_secs_f64());
    println!("changes_total: {total} count");
    let copies: Vec<_> = ["town-sqlite.db", "town-pg-a.db", "town-pg-b.db"]
        .iter()
        .map(|name| {
            let path = dir.path().join(name);
            town.backup_to(&path).unwrap();
            path
        })
        .collect();
    drop(town);
    let weeks = Arc::new(weeks);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();

    // One hub process on the town's SQLite book.
    let (mut hub, address) = spawn_hub(&copies[0], &[] as &[&str]);
    let run = runtime.block_on(load(&[address], &weeks, in_flight));
    stop(&mut hub);
    let book = Book::open(&copies[0]).unwrap();
    let held: usize = weeks
        .iter()
        .map(|week| {
            let log = book.changes_since(Some(&week.code), 0, None).unwrap();
            assert_eq!(log.len(), week.changes, "{}", week.code);
            log.len()
        })
        .sum();
    report("sqlite_one_hub", &run, total, held);

    // Two hub processes on one PostgreSQL.
    let server = TempPostgres::start(true);
    let url = server.create_database("region");
    let store = ["--store", url.as_str(), "--store-connections", "16"];
    let (mut hub_a, address_a) = spawn_hub(&copies[1], &store);
    let (mut hub_b, address_b) = spawn_hub(&copies[2], &store);
    let run = runtime.block_on(load(&[address_a, address_b], &weeks, in_flight));
    stop(&mut hub_a);
    stop(&mut hub_b);
    let counted = server.psql(
        "region",
        "SELECT count(*), count(DISTINCT (origin, seq)) FROM change_log",
    );
    let (rows, distinct) = counted.split_once('|').unwrap();
    let (rows, distinct): (usize, usize) = (rows.parse().unwrap(), distinct.parse().unwrap());
    assert_eq!(rows, distinct, "an entry held twice");
    report("postgres_two_hubs", &run, total, rows);
}

/// What one load gave: each upload's latency and the store's answer.
struct Run {
    elapsed: Duration,
    uploads: Vec<(Duration, UploadAnswer)>,
}

/// Every week uploaded once, to the hubs in turn, at most `in_flight` at once.
async fn load(hubs: &[std::net::SocketAddr], weeks: &Arc<Vec<Week>>, in_flight: usize) -> Run {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let slots = Arc::new(tokio::sync::Semaphore::new(in_flight));
    let started = Instant::now();
    let tasks: Vec<_> = (0..weeks.len())
        .map(|i| {
            let url = format!("http://{}/api/v1/bundles", hubs[i % hubs.len()]);
            let (client, weeks, slots) = (client.clone(), Arc::clone(weeks), Arc::clone(&slots));
            tokio::spawn(async move {
                let _slot = slots.acquire_owned().await.unwrap();
                let sent = Instant::now();
                let response = client
                    .post(url)
                    .body(weeks[i].bytes.clone())
                    .send()
                    .await
                    .expect("upload");
                assert!(response.status().is_success(), "{}", response.status());
                let answer: UploadAnswer = response.json().await.unwrap();
                (sent.elapsed(), answer)
            })
        })
        .collect();
    let mut uploads = Vec::with_capacity(tasks.len());
    for task in tasks {
        uploads.push(task.await.unwrap());
    }
    Run {
        elapsed: started.elapsed(),
        uploads,
    }
}

fn report(store: &str, run: &Run, total: usize, held: usize) {
    let mut latencies: Vec<Duration> = run.uploads.iter().map(|upload| upload.0).collect();
    latencies.sort();
    let applied: usize = run.uploads.iter().map(|u| u.1.imported.applied).sum();
    let duplicated: usize = run.uploads.iter().map(|u| u.1.imported.duplicates).sum();
    let seconds = run.elapsed.as_secs_f64();
    println!("{store}_wall_time: {seconds:.2} s");
    println!(
        "{store}_uploads_per_second: {:.1} uploads/s",
        run.uploads.len() as f64 / seconds
    );
    println!(
        "{store}_changes_per_second: {:.0} changes/s",
        applied as f64 / seconds
    );
    println!("{store}_latency_p50: {:.0} ms", percentile(&latencies, 0.5));
    println!(
        "{store}_latency_p99: {:.0} ms",
        percentile(&latencies, 0.99)
    );
    println!("{store}_lost_changes: {} count", total - held);
    println!("{store}_duplicated_changes: {duplicated} count");
}

/// Stops a hub gracefully (SIGTERM) and waits for it.
fn stop(hub: &mut Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &hub.id().to_string()])
        .status();
    let _ = hub.wait();
}
