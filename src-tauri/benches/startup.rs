//! Start-up and idle memory of the real app on a large book, under a display (Xvfb):
//! `xvfb-run -a cargo bench -p liaison-station --features custom-protocol --bench startup`.
//!
//! BENCH_RECEPTIONS sets the book size (default 1,000,000), BENCH_BOOK reuses a book made by an
//! earlier run (it is kept when set), BENCH_RUNS the number of starts (default 5). Prints the
//! time from process start to the first screen drawn with its data (the window calls
//! `first_screen_shown`), and the memory of the app and of its WebKit processes after ten idle
//! seconds: resident (RSS, which counts the shared WebKit libraries once in every process) and
//! proportional (PSS, which shares them out: the processes' true total).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use casebook::Book;
use casebook::store::BookKind;
use casebook_demo::{self as demo, DemoOptions};

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

    let memory = idle_memory(app, &book);
    println!(
        "idle memory after 10 s: app {} MiB RSS; app + WebKit processes {} MiB RSS, {} MiB PSS (goal ≤ 250 MB)",
        memory.app_rss / 1024,
        memory.total_rss / 1024,
        memory.total_pss / 1024
    );
}

fn make_book(path: &Path, receptions: usize) {
    let started = Instant::now();
    let mut book = Book::create(path, "DL", "东岭村人大代表联络站", BookKind::Station).unwrap();
    demo::fill(
        &mut book,
        &DemoOptions {
            receptions,
            seed: 3,
        },
        |_, _| {},
    )
    .unwrap();
    println!(
        "made a book of {receptions} receptions in {:.0} s",
        started.elapsed().as_secs_f64()
    );
}

/// Memory in KiB.
struct Memory {
    app_rss: u64,
    total_rss: u64,
    total_pss: u64,
}

/// Starts the app, waits for its first screen and ten idle seconds, and reads the memory of
/// the app and of every process under it.
fn idle_memory(app: &Path, book: &Path) -> Memory {
    let mut child = Command::new(app)
        .arg("--db")
        .arg(book)
        .env("RUST_LOG", "info")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let (shown, seen) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            if line.contains("first screen shown") {
                let _ = shown.send(());
            }
        }
    });
    seen.recv_timeout(Duration::from_secs(60))
        .expect("the first screen within a minute");
    std::thread::sleep(Duration::from_secs(10));
    let mut processes = descendants(child.id());
    processes.push(child.id());
    let memory = Memory {
        app_rss: kib(child.id(), "status", "VmRSS:"),
        total_rss: processes
            .iter()
            .map(|pid| kib(*pid, "status", "VmRSS:"))
            .sum(),
        total_pss: processes
            .iter()
            .map(|pid| kib(*pid, "smaps_rollup", "Pss:"))
            .sum(),
    };
    let _ = child.kill();
    let _ = child.wait();
    memory
}

/// The `field` line of `/proc/PID/FILE`, in KiB.
fn kib(pid: u32, file: &str, field: &str) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/{file}"))
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix(field))
                .and_then(|value| value.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// Every process whose parent chain reaches `root`.
fn descendants(root: u32) -> Vec<u32> {
    let parents: Vec<(u32, u32)> = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter_map(|pid| {
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // The command name may hold spaces: the parent pid is the second field after ')'.
            let after = stat.rsplit_once(')')?.1;
            let ppid = after.split_whitespace().nth(1)?.parse().ok()?;
            Some((pid, ppid))
        })
        .collect();
    let mut found = vec![root];
    let mut index = 0;
    while index < found.len() {
        let parent = found[index];
        found.extend(
            parents
                .iter()
                .filter(|(_, p)| *p == parent)
                .map(|(pid, _)| *pid),
        );
        index += 1;
    }
    found.remove(0);
    found
}
