//! Abuse benchmark: honest stations sync with the real `liaison-hub` binary while slow
//! connections and large unauthenticated uploads hit it. Prints the honest stations' p99 sync
//! time, the hub's peak RSS (VmHWM), lost and duplicated changes, and what the attackers got.
//!
//! `cargo bench -p liaison-hub --bench abuse` (ABUSE_STATIONS 100, ABUSE_SLOW 2000,
//! ABUSE_UPLOADS 50, ABUSE_UPLOAD_MIB 200; ABUSE_SECONDS, default 60, bounds the whole attack).
//! Traffic goes to 127.0.0.1 only.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use casebook::Book;
use casebook::bundle::format;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod common;

use common::{env, percentile, town_and_stations};

const MIB: u64 = 1024 * 1024;

/// What the attackers saw.
#[derive(Default)]
struct Tally {
    slow_connections: AtomicU64,
    slow_cut_off: AtomicU64,
    uploads: AtomicU64,
    upload_bytes: AtomicU64,
    refused: AtomicU64,
}

fn main() {
    let stations = env("ABUSE_STATIONS", 100);
    let slow = env("ABUSE_SLOW", 2000);
    let uploads = env("ABUSE_UPLOADS", 50);
    let upload_mib = env("ABUSE_UPLOAD_MIB", 200) as u64;
    let limit = Duration::from_secs(env("ABUSE_SECONDS", 60) as u64);
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let dir = tempfile::tempdir().unwrap();
    let town_path = dir.path().join("town.db");
    let (town, mut books) = town_and_stations(&town_path, stations, 20);
    drop(town);
    // What each station will send; and what an attacker can forge from one bundle it saw: a
    // known station's header.
    let sealed: Vec<_> = books
        .iter_mut()
        .map(|book| book.seal_bundle("QX").unwrap().unwrap())
        .collect();
    let seen = sealed[0].bytes.clone();
    let expected: Vec<(String, usize)> = books
        .iter()
        .zip(&sealed)
        .map(|(book, sealed)| (book.origin().code.clone(), sealed.changes))
        .collect();
    drop(sealed);
    println!("stations: {stations} count");
    println!("slow_connections: {slow} count");
    println!("unauthenticated_uploads: {uploads} count of {upload_mib} MiB");

    let mut hub = std::process::Command::new(env!("CARGO_BIN_EXE_liaison-hub"))
        .arg("--db")
        .arg(&town_path)
        .args(["--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let address: SocketAddr = {
        use std::io::{BufRead, BufReader};
        let mut line = String::new();
        BufReader::new(hub.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        line.split("://")
            .nth(1)
            .unwrap()
            .trim()
            .trim_end_matches('/')
            .parse()
            .unwrap()
    };
    let pid = hub.id();

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    let (latencies, applied, duplicated, retries) = runtime.block_on(async {
        let stop = Arc::new(AtomicBool::new(false));
        let tally = Arc::new(Tally::default());
        let deadline = Instant::now() + limit;
        let mut attackers = Vec::new();
        for _ in 0..slow {
            attackers.push(tokio::spawn(slowloris(
                address,
                Arc::clone(&stop),
                Arc::clone(&tally),
                deadline,
            )));
        }
        for i in 0..uploads {
            let head = if i % 2 == 0 {
                forged_head(&seen, upload_mib * MIB)
            } else {
                b"not a bundle at all".to_vec()
            };
            attackers.push(tokio::spawn(flood(
                address,
                head,
                upload_mib * MIB,
                Arc::clone(&stop),
                Arc::clone(&tally),
                deadline,
            )));
        }
        // Let the attack build up before the stations come.
        tokio::time::sleep(Duration::from_secs(3)).await;
        println!(
            "slow_connections_open_at_start: {} count",
            tally.slow_connections.load(Ordering::Relaxed)
        );

        let client = liaison_sync::client();
        let target = liaison_sync::Hub {
            url: format!("http://{address}"),
            code: "QX".into(),
        };
        let honest: Vec<_> = books
            .drain(..)
            .map(|book| {
                let (client, target) = (client.clone(), target.clone());
                tokio::spawn(async move {
                    let book = Arc::new(Mutex::new(book));
                    let started = Instant::now();
                    let mut retries = 0;
                    // As the worker does after a 503 or a reset, but sooner (bounded).
                    loop {
                        match liaison_sync::sync_once(&book, &target, &client).await {
                            Ok(outcome) => {
                                let push = outcome.push.unwrap_or_default();
                                return (started.elapsed(), push.applied, push.duplicates, retries);
                            }
                            Err(err) if err.is_transient() && Instant::now() < deadline => {
                                retries += 1;
                                tokio::time::sleep(Duration::from_millis(500)).await;
                            }
                            Err(err) => panic!("an honest station failed: {err}"),
                        }
                    }
                })
            })
            .collect();
        let mut results = Vec::new();
        for station in honest {
            results.push(station.await.unwrap());
        }
        stop.store(true, Ordering::Relaxed);
        for attacker in attackers {
            attacker.abort();
        }
        println!(
            "slow_connections_opened: {} count",
            tally.slow_connections.load(Ordering::Relaxed)
        );
        println!(
            "slow_connections_cut_off: {} count",
            tally.slow_cut_off.load(Ordering::Relaxed)
        );
        println!(
            "attack_uploads: {} count, {} MiB sent, {} refused",
            tally.uploads.load(Ordering::Relaxed),
            tally.upload_bytes.load(Ordering::Relaxed) / MIB,
            tally.refused.load(Ordering::Relaxed)
        );
        let mut latencies: Vec<Duration> = results.iter().map(|r| r.0).collect();
        latencies.sort();
        let applied: usize = results.iter().map(|r| r.1).sum();
        let duplicated: usize = results.iter().map(|r| r.2).sum();
        let retries: usize = results.iter().map(|r| r.3).sum();
        (latencies, applied, duplicated, retries)
    });
    let peak = peak_rss(pid);
    let _ = hub.kill();
    let _ = hub.wait();

    let town = Book::open(&town_path).unwrap();
    let mut lost = 0;
    for (code, changes) in &expected {
        let held = town.changes_since(Some(code), 0, None).unwrap().len();
        lost += changes.saturating_sub(held);
    }
    println!("honest_sync_p50: {:.0} ms", percentile(&latencies, 0.5));
    println!("honest_sync_p99: {:.0} ms", percentile(&latencies, 0.99));
    println!("honest_sync_max: {:.0} ms", percentile(&latencies, 1.0));
    println!("honest_retries: {retries} count");
    println!("honest_changes_applied: {applied} count");
    println!("hub_peak_rss: {:.0} MB", peak as f64 / 1e6);
    println!("lost_changes: {lost} count");
    println!("duplicated_changes: {duplicated} count");
}

/// The hub's peak resident memory (VmHWM), in bytes.
fn peak_rss(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kib| kib.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib * 1024)
}

/// A known station's bundle header declaring `payload_len` bytes, unsigned.
fn forged_head(seen: &[u8], payload_len: u64) -> Vec<u8> {
    let mut header = format::parse(seen).unwrap().header;
    header.payload_len = payload_len;
    let json = serde_json::to_vec(&header).unwrap();
    let mut head = format::MAGIC.to_vec();
    head.extend_from_slice(&format::FORMAT_VERSION.to_le_bytes());
    head.extend_from_slice(&u32::try_from(json.len()).unwrap().to_le_bytes());
    head.extend_from_slice(&json);
    head
}

/// Keeps one connection open that sends a request head a byte a second, opening another when
/// the hub cuts it off.
async fn slowloris(
    address: SocketAddr,
    stop: Arc<AtomicBool>,
    tally: Arc<Tally>,
    deadline: Instant,
) {
    let head = b"POST /api/v1/bundles HTTP/1.1\r\nHost: hub\r\nX-Padding: ";
    while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
        let Ok(mut stream) = TcpStream::connect(address).await else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        tally.slow_connections.fetch_add(1, Ordering::Relaxed);
        for byte in head.iter().cycle() {
            if stop.load(Ordering::Relaxed) || Instant::now() >= deadline {
                return;
            }
            if stream.write_all(&[*byte]).await.is_err() {
                break;
            }
            let mut buf = [0u8; 256];
            let read = tokio::time::timeout(Duration::from_secs(1), stream.read(&mut buf)).await;
            if let Ok(Ok(0) | Err(_)) = read {
                break;
            }
        }
        tally.slow_cut_off.fetch_add(1, Ordering::Relaxed);
    }
}

/// Sends `head` then zeros up to `total` bytes as fast as the hub takes them, chunked (no
/// length up front), again and again.
async fn flood(
    address: SocketAddr,
    head: Vec<u8>,
    total: u64,
    stop: Arc<AtomicBool>,
    tally: Arc<Tally>,
    deadline: Instant,
) {
    let zeros = vec![0u8; MIB as usize];
    while !stop.load(Ordering::Relaxed) && Instant::now() < deadline {
        let Ok(stream) = TcpStream::connect(address).await else {
            tokio::time::sleep(Duration::from_millis(200)).await;
            continue;
        };
        tally.uploads.fetch_add(1, Ordering::Relaxed);
        let (mut reader, mut writer) = stream.into_split();
        let request = format!(
            "POST /api/v1/bundles HTTP/1.1\r\nHost: {address}\r\nTransfer-Encoding: chunked\r\n\r\n"
        );
        let sending = {
            let (head, zeros, tally) = (head.clone(), zeros.clone(), Arc::clone(&tally));
            tokio::spawn(async move {
                let frame = |piece: &[u8]| {
                    [
                        format!("{:x}\r\n", piece.len()).as_bytes(),
                        piece,
                        &b"\r\n"[..],
                    ]
                    .concat()
                };
                if writer.write_all(request.as_bytes()).await.is_err()
                    || writer.write_all(&frame(&head)).await.is_err()
                {
                    return;
                }
                let mut sent = head.len() as u64;
                while sent < total {
                    if writer.write_all(&frame(&zeros)).await.is_err() {
                        return;
                    }
                    sent += zeros.len() as u64;
                    tally
                        .upload_bytes
                        .fetch_add(zeros.len() as u64, Ordering::Relaxed);
                }
                let _ = writer.write_all(b"0\r\n\r\n").await;
            })
        };
        let mut answer = [0u8; 512];
        let answered =
            tokio::time::timeout(Duration::from_secs(60), reader.read(&mut answer)).await;
        if matches!(answered, Ok(Ok(n)) if n > 0) {
            tally.refused.fetch_add(1, Ordering::Relaxed);
        }
        sending.abort();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}
