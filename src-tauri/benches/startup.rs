//! Start-up time of the real app on a large book, under a display (Xvfb):
//! `xvfb-run -a cargo bench -p liaison-station --features custom-protocol --bench startup`.
//!
//! BENCH_RECEPTIONS sets the book size (default 1,000,000), BENCH_BOOK reuses a book made by an
//! earlier run (it is kept when set), BENCH_RUNS the number of starts (default 5). Prints the
//! time from process start to the first screen drawn with its data (the window calls
//! `first_screen_shown`). Its memory has a bench of its own (`liaison-e2e`'s `memory`), which
//! also visits every screen.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use casebook_demo as demo;

fn main() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "run under a display: xvfb-run -a cargo bench …"
    );
    let receptions: usize = std::env::var("BENCH_RECEPTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let scratch = tempfile::tempdir().unwrap();
    let book =
        std::env::var("BENCH_BOOK").map_or_else(|_| scratch.path().join("bench.db"), PathBuf::from);
    if !book.exists() {
        make_book(&book, receptions);
    }
    let app = Path::new(env!("CARGO_BIN_EXE_liaison-station"));
    println!("book: {}", book.display());

    let mut times = Vec::new();
    for run in 1..=runs {
        let output = Command::new(app)
            .arg("--db")
            .arg(&book)
            .env("LIAISON_STATION_EXIT_AFTER_FIRST_SCREEN", "1")
            .env("RUST_LOG", "warn")
            .stderr(Stdio::null())
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout);
        let millis: u64 = stdout
            .lines()
            .find_map(|line| line.strip_prefix("first_screen_ms="))
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or_else(|| panic!("the app reported no first screen: {stdout}"));
        println!("start {run}: first screen after {millis} ms");
        times.push(millis);
    }
    times.sort_unstable();
    println!(
        "first screen: median {} ms, min {} ms, max {} ms (goal ≤ 1500 ms)",
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );

    println!("memory: cargo bench -p liaison-e2e --bench memory");
}

fn make_book(path: &Path, receptions: usize) {
    let started = Instant::now();
    demo::make_station_book(path, receptions, 3).unwrap();
    println!(
        "made a book of {receptions} receptions in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}
