//! The app's memory as a station PC sees it (issue 18): the release app, started on a demo book,
//! measured as the proportional set size (PSS, `/proc/PID/smaps_rollup`) of the app and of every
//! WebKit process it started, each printed with its share.
//!
//! `xvfb-run -a -s "-screen 0 1366x768x24" cargo bench -p liaison-e2e --bench memory`
//!
//! Two measurements per book:
//! 1. idle: the app started as a deputy starts it, 15 s after its first screen;
//! 2. a tour, under WebDriver (tauri-driver): 15 s after its first screen, then after each of
//!    BENCH_TOURS rounds (default 3) that open every screen of the menu once and come back to
//!    今日值班, 15 s later. Memory that grows round after round is a leak.
//!
//! BENCH_RECEPTIONS: book sizes, comma-separated (default `20000,1000000`); BENCH_BOOK_DIR keeps
//! the books between runs (`receptions-N.db`); BENCH_APP: the app to measure (default: built
//! here, `cargo build --release -p liaison-station --features custom-protocol`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "../desktop/driver.rs"]
#[allow(dead_code)] // the bench drives the window with a few of the suite's steps
mod driver;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// How long the app idles before it is measured.
const IDLE: Duration = Duration::from_secs(15);

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert!(
        std::env::var_os("DISPLAY").is_some(),
        "run under a display: xvfb-run -a -s \"-screen 0 1366x768x24\" cargo bench …"
    );
    let sizes: Vec<usize> = std::env::var("BENCH_RECEPTIONS")
        .unwrap_or_else(|_| "20000,1000000".into())
        .split(',')
        .map(|n| n.trim().parse().expect("BENCH_RECEPTIONS: numbers"))
        .collect();
    let tours: usize = std::env::var("BENCH_TOURS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(3);
    let app = std::env::var_os("BENCH_APP").map_or_else(release_app, PathBuf::from);
    let scratch = tempfile::tempdir().unwrap();
    let books =
        std::env::var_os("BENCH_BOOK_DIR").map_or_else(|| scratch.path().to_owned(), PathBuf::from);
    println!("app: {}", app.display());

    for receptions in sizes {
        let book = books.join(format!("receptions-{receptions}.db"));
        if !book.exists() {
            let started = Instant::now();
            casebook_demo::make_station_book(&book, receptions, 3).unwrap();
            println!(
                "made a book of {receptions} receptions in {:.0} s",
                started.elapsed().as_secs_f64()
            );
        }
        println!("\n## {receptions} receptions");
        let idle = idle(&app, &book);
        print_memory("idle, 15 s after the first screen", &idle);
        tour(&app, &book, tours).await;
    }
}

/// Builds the release app with its UI embedded, as `scripts/app` does, and returns its path.
fn release_app() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args([
            "build",
            "--release",
            "--locked",
            "-p",
            "liaison-station",
            "--features",
            "custom-protocol",
            "--message-format=json-render-diagnostics",
        ])
        .stderr(Stdio::inherit())
        .output()
        .expect("cargo runs");
    assert!(output.status.success(), "the release app builds");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["target"]["name"] == "liaison-station")
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .expect("cargo names the app's executable")
}

/// Starts the app on `book`, waits for its first screen and [`IDLE`], and measures it.
fn idle(app: &Path, book: &Path) -> Vec<Share> {
    let started = Instant::now();
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
    println!(
        "first screen {} ms after start (with sign-in asked, if the book asks)",
        started.elapsed().as_millis()
    );
    std::thread::sleep(IDLE);
    let shares = memory_of(child.id());
    let _ = child.kill();
    let _ = child.wait();
    shares
}

/// Drives the app through every screen `rounds` times and measures it after each round.
async fn tour(app: &Path, book: &Path, rounds: usize) {
    let args = vec!["--db".to_owned(), book.display().to_string()];
    let window = driver::launch(app, &args).await;
    tokio::time::sleep(IDLE).await;
    let mut before = memory_of(window.process());
    print_memory("under WebDriver, 15 s after the first screen", &before);
    let screens: Vec<(String, String)> = serde_json::from_value(
        window
            .js(
                "return [...document.querySelectorAll('[data-testid^=nav-]')]
                   .map((item) => [item.dataset.testid, item.innerText.trim()])",
            )
            .await,
    )
    .expect("the menu's items");
    for round in 1..=rounds {
        for (nav, title) in screens.iter().skip(1).chain(screens.first()) {
            window.open(nav, title).await;
            window.settle().await;
            if round == 1 {
                // Which screen takes what: a quick look, before the idle measurement below.
                tokio::time::sleep(Duration::from_secs(2)).await;
                println!(
                    "  after {title}: {:.1} MB PSS in all",
                    mb(total(&memory_of(window.process())))
                );
            }
        }
        tokio::time::sleep(IDLE).await;
        let after = memory_of(window.process());
        print_memory(
            &format!(
                "after tour {round} of {} screens, back on 今日值班, 15 s later",
                screens.len()
            ),
            &after,
        );
        println!(
            "growth over the round: {:+} KiB; the page holds {} elements ({} under <body>'s \
             top level)",
            total(&after) as i64 - total(&before) as i64,
            window
                .js("return document.getElementsByTagName('*').length")
                .await,
            window.js("return document.body.children.length").await,
        );
        before = after;
    }
    window.close().await;
}

/// One process's part: its name, pid and PSS in KiB.
struct Share {
    name: String,
    pid: u32,
    pss_kib: u64,
}

fn total(shares: &[Share]) -> u64 {
    shares.iter().map(|share| share.pss_kib).sum()
}

fn print_memory(when: &str, shares: &[Share]) {
    println!("{when}:");
    let ours: Vec<u32> = shares.iter().map(|share| share.pid).collect();
    let others = webkit_processes()
        .into_iter()
        .filter(|pid| !ours.contains(pid))
        .count();
    if others > 0 {
        // PSS divides a shared page among the processes that map it: another WebKit on the
        // machine takes part of the libraries' pages, and the figures come out too low.
        println!("  warning: {others} other WebKit processes run here: measure on a quiet machine");
    }
    for share in shares {
        println!(
            "  {:<18} pid {:>7}  {:>7.1} MB PSS",
            share.name,
            share.pid,
            mb(share.pss_kib)
        );
    }
    println!(
        "  total              {:>20.1} MB PSS ({:.1} MiB; goal ≤ 200 MB)",
        mb(total(shares)),
        total(shares) as f64 / 1024.0
    );
}

/// KiB to MB (10⁶ bytes), the unit of the goal.
fn mb(kib: u64) -> f64 {
    kib as f64 * 1024.0 / 1e6
}

/// The app's process and every process under it, with their PSS.
fn memory_of(app: u32) -> Vec<Share> {
    std::iter::once(app)
        .chain(descendants(app))
        .map(|pid| Share {
            name: std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .map(|name| name.trim_end().to_owned())
                .unwrap_or_default(),
            pid,
            pss_kib: pss_kib(pid),
        })
        .collect()
}

/// Every WebKit process on the machine but WebDriver's own (`WebKitWebDriver` links none of
/// WebKit's libraries, so it shares no pages with the app).
fn webkit_processes() -> Vec<u32> {
    std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_to_string(format!("/proc/{pid}/comm"))
                .is_ok_and(|name| name.starts_with("WebKit") && !name.starts_with("WebKitWebDriv"))
        })
        .collect()
}

/// The `Pss:` line of `/proc/PID/smaps_rollup`, in KiB.
fn pss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup"))
        .ok()
        .and_then(|text| {
            text.lines()
                .find_map(|line| line.strip_prefix("Pss:"))
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
