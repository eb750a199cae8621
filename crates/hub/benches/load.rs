//! Load benchmark: many stations, each with its own keys, upload a week's bundle to one hub on
//! loopback at the same time. Prints throughput, latency percentiles, lost and duplicated
//! changes, and the hub's import rate against a raw import of the same bundles.
//!
//! `cargo bench -p liaison-hub --bench load` (LOAD_STATIONS, default 1000; LOAD_RECEPTIONS per
//! station and week, default 20).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use casebook::Book;
use casebook::bundle::UploadAnswer;
use liaison_hub::{HubConfig, serve};

mod common;

use common::{env, percentile, town_and_stations};

fn main() {
    let stations = env("LOAD_STATIONS", 1000);
    let receptions = env("LOAD_RECEPTIONS", 20);
    let dir = tempfile::tempdir().unwrap();
    println!("stations: {stations} count");

    // Stations, the town with every station enrolled, and each station's sealed week.
    let town_path = dir.path().join("town.db");
    let (mut town, books) = town_and_stations(&town_path, stations, receptions);
    let bundles: Vec<_> = books
        .into_iter()
        .map(|mut station| {
            let sealed = station.seal_bundle("QX").unwrap().unwrap();
            (station.origin().code.clone(), sealed.changes, sealed.bytes)
        })
        .collect();
    let total_changes: usize = bundles.iter().map(|b| b.1).sum();
    println!("changes_per_station: {} count", total_changes / stations);
    println!("changes_total: {total_changes} count");
    let raw_copy = dir.path().join("town-raw.db");
    town.backup_to(&raw_copy).unwrap();
    drop(town);

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (uploads, elapsed) = runtime.block_on(async {
        let listener = liaison_hub::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let url = format!("http://{}/api/v1/bundles", listener.local_addr().unwrap());
        let book = Book::open(&town_path).unwrap();
        let config = HubConfig {
            uploads_per_minute: 10,
            ..HubConfig::default()
        };
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let server = tokio::spawn(serve(listener, book, config, async {
            let _ = stopped.await;
        }));
        let client = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap();
        let started = Instant::now();
        let tasks: Vec<_> = bundles
            .iter()
            .map(|(_, _, bytes)| {
                let (client, url, bytes) = (client.clone(), url.clone(), bytes.clone());
                tokio::spawn(async move {
                    let sent = Instant::now();
                    let response = client.post(url).body(bytes).send().await.expect("upload");
                    assert!(response.status().is_success(), "{}", response.status());
                    let answer: UploadAnswer = response.json().await.unwrap();
                    (sent.elapsed(), answer)
                })
            })
            .collect();
        let mut uploads = Vec::new();
        for task in tasks {
            uploads.push(task.await.unwrap());
        }
        let elapsed = started.elapsed();
        stop.send(()).unwrap();
        server.await.unwrap().unwrap();
        (uploads, elapsed)
    });

    let mut latencies: Vec<Duration> = uploads.iter().map(|u| u.0).collect();
    latencies.sort();
    let applied: usize = uploads.iter().map(|u| u.1.imported.applied).sum();
    let duplicated: usize = uploads.iter().map(|u| u.1.imported.duplicates).sum();
    let town = Book::open(&town_path).unwrap();
    let mut held = 0;
    for (code, changes, _) in &bundles {
        let log = town.changes_since(Some(code), 0, None).unwrap();
        assert_eq!(log.len(), *changes, "{code}");
        held += log.len();
    }
    println!("upload_wall_time: {:.2} s", elapsed.as_secs_f64());
    println!(
        "uploads_per_second: {:.1} uploads/s",
        stations as f64 / elapsed.as_secs_f64()
    );
    println!(
        "changes_per_second: {:.0} changes/s",
        applied as f64 / elapsed.as_secs_f64()
    );
    println!("latency_p50: {:.0} ms", percentile(&latencies, 0.5));
    println!("latency_p99: {:.0} ms", percentile(&latencies, 0.99));
    println!("latency_max: {:.0} ms", percentile(&latencies, 1.0));
    println!("lost_changes: {} count", total_changes - held);
    println!("duplicated_changes: {duplicated} count");

    // The same bundles imported straight into a copy of the same town book, one after another.
    let mut raw = Book::open(&raw_copy).unwrap();
    let started = Instant::now();
    for (_, _, bytes) in &bundles {
        raw.import_bundle(bytes).unwrap();
    }
    let raw_rate = total_changes as f64 / started.elapsed().as_secs_f64();
    println!("direct_import_rate: {raw_rate:.0} changes/s");
    println!(
        "hub_vs_direct_import: {:.2} ratio",
        applied as f64 / elapsed.as_secs_f64() / raw_rate
    );
}
