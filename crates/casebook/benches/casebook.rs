//! Case book benchmarks. Prints `name: value unit` lines; figures go to docs/benchmarks.md.
//!
//! `cargo bench -p casebook --bench casebook` (BENCH_RECEPTIONS sets the book size, default
//! 1,000,000; BENCH_DIR the scratch folder, default the system temp dir).
//!
//! - save one reception (record + change log, synchronous=FULL) against one bare single-row
//!   commit on the same file, interleaved so both see the same disk;
//! - `demo` throughput against a raw bulk insert of the very rows it wrote (plain INSERTs
//!   into an empty book with prepared statements, search index rows included);
//! - first page of `case list --query` for 1- to 4-character queries, with and without filters;
//! - bundles (BENCH_ONLY=bundle): export and import of about a million changes against
//!   serde_json + zstd and a plain SQLite upsert of the same rows; a station's week.
//!
//! - unlock (BENCH_ONLY=unlock): opening an encrypted book with its passphrase, which is
//!   Argon2id at the slot's cost (`store::lock::PASSPHRASE_KDF`) and SQLCipher's first read.
//! - backup (BENCH_ONLY=backup): `casebook backup` of the BENCH_BOOK demo book (made first if
//!   missing) against copying its file, and a restore from that backup.
//! - recovery (BENCH_ONLY=recovery): a station of BENCH_RECOVERY_RECEPTIONS (default 10,000)
//!   gets its book back from the town on a new PC: the town writes its enrolment file (which
//!   carries the station's log), the new PC makes the book from it.
//!
//! BENCH_ENCRYPTED=1 makes and opens every book of the run encrypted (the raw-insert baselines
//! stay plain SQLite): run once without and once with it to compare.
//!
//! BENCH_ONLY=core|bundle runs one half; BENCH_ONLY=save or search one part of the core.
//! BENCH_ONLY=save_compare saves in a plain and an encrypted book in turn, in one process (the
//! encrypted-against-plain ratio with both under the same load; BENCH_SAVE_ROUNDS, default 1,000).
//! BENCH_ONLY=first_screen times the core's part of the app's first screen (open, today's duty
//! and cases, the counts) on BENCH_BOOK, made first if missing (BENCH_RUNS opens, default 5).
//! BENCH_SAVE_SCHEMA_SQL runs SQL on the save benchmark's book first (drop an index, say).
//! BENCH_BOOK=PATH keeps the demo book there: made on the first run, searched as it is on later
//! runs (the demo and raw-insert figures then come only from the run that made it).

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use casebook::domain::ReceptionInput;
use casebook::store::BookKind;
use casebook::store::read::{CaseFilter, StatusFilter};
use casebook::{Book, search};
use casebook_demo::{self as demo, DemoOptions};
use rusqlite::Connection;
use rusqlite::types::Value;

/// The passphrase of the run's encrypted books.
const BENCH_PASSPHRASE: &str = "东岭村2026年修渡槽";

/// Whether the run's books are encrypted (BENCH_ENCRYPTED=1).
fn encrypted() -> bool {
    std::env::var_os("BENCH_ENCRYPTED").is_some()
}

/// A new book for the run: encrypted with BENCH_ENCRYPTED=1, else plain.
fn new_book(path: &Path, code: &str, name: &str, kind: BookKind) -> Book {
    if encrypted() {
        Book::create_encrypted(path, code, name, kind, BENCH_PASSPHRASE).unwrap()
    } else {
        Book::create(path, code, name, kind).unwrap()
    }
}

fn main() {
    let receptions: usize = std::env::var("BENCH_RECEPTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1_000_000);
    let base = std::env::var("BENCH_DIR").map_or_else(|_| std::env::temp_dir(), Into::into);
    let dir = tempfile::tempdir_in(base).expect("scratch dir");
    println!("receptions: {receptions} count");

    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let core = only.is_empty() || only == "core";
    if core || only == "save" {
        save_one_reception(dir.path());
    }
    if only == "save_compare" {
        save_plain_against_encrypted(dir.path());
    }
    if core || only == "search" {
        let book_path =
            std::env::var("BENCH_BOOK").map_or_else(|_| dir.path().join("demo.db"), Into::into);
        if !book_path.exists() {
            demo_against_raw_insert(dir.path(), &book_path, receptions);
        }
        search_first_page(&book_path);
    }
    if only == "first_screen" {
        let book_path =
            std::env::var("BENCH_BOOK").map_or_else(|_| dir.path().join("demo.db"), Into::into);
        if !book_path.exists() {
            make_demo_book(&book_path, receptions);
        }
        first_screen(&book_path);
    }
    if only == "backup" {
        let book_path =
            std::env::var("BENCH_BOOK").map_or_else(|_| dir.path().join("demo.db"), Into::into);
        if !book_path.exists() {
            make_demo_book(&book_path, receptions);
        }
        backup_against_copy(dir.path(), &book_path);
    }
    if only == "recovery" {
        let receptions = std::env::var("BENCH_RECOVERY_RECEPTIONS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(10_000);
        recovery_from_the_town(dir.path(), receptions);
    }
    if only.is_empty() || only == "unlock" {
        unlock_encrypted_book(dir.path());
    }
    if only.is_empty() || only == "bundle" {
        let receptions = std::env::var("BENCH_BUNDLE_RECEPTIONS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(150_000);
        bundle_export_and_import(dir.path(), receptions);
        a_week_of_one_station(dir.path());
    }
}

/// A station book `code` filled by `demo`, and a town book, enrolled with each other.
fn station_and_town(
    dir: &Path,
    name: &str,
    code: &str,
    demo: DemoOptions,
) -> (Book, Book, PathBuf) {
    let mut station = new_book(
        &dir.join(format!("{name}-station.db")),
        code,
        "东岭村人大代表联络站",
        BookKind::Station,
    );
    demo::fill(&mut station, &demo, |_, _| {}).unwrap();
    let town_path = dir.join(format!("{name}-town.db"));
    let mut town = new_book(&town_path, "QX", "清溪镇人大", BookKind::Town);
    let (ks, kt) = (station.public_keys(), town.public_keys());
    station
        .add_peer(&kt.origin, &kt.sign_public, &kt.seal_public)
        .unwrap();
    town.add_peer(&ks.origin, &ks.sign_public, &ks.seal_public)
        .unwrap();
    (station, town, town_path)
}

fn bundle_export_and_import(dir: &Path, receptions: usize) {
    let demo = DemoOptions {
        receptions,
        seed: 2,
    };
    let (mut station, mut town, town_path) = station_and_town(dir, "bulk", "DL", demo);
    let entries = station.changes_since(None, 0, None).unwrap();
    println!("bundle_changes: {} count", entries.len());

    let started = Instant::now();
    let exported = station.export_bundle("QX", &dir.join("out")).unwrap();
    let export_time = started.elapsed();
    let started = Instant::now();
    let json = serde_json::to_vec(&entries).unwrap();
    let compressed = zstd::bulk::compress(&json, 3).unwrap();
    let raw_export_time = started.elapsed();
    let export_rate = exported.changes as f64 / export_time.as_secs_f64();
    let raw_export_rate = entries.len() as f64 / raw_export_time.as_secs_f64();
    println!("bundle_export_time: {:.2} s", export_time.as_secs_f64());
    println!("bundle_export_throughput: {export_rate:.0} changes/s");
    println!("raw_json_zstd_throughput: {raw_export_rate:.0} changes/s");
    println!(
        "bundle_export_vs_raw_json_zstd: {:.2} ratio",
        export_rate / raw_export_rate
    );
    println!("bundle_bytes: {} bytes", exported.bytes);
    println!("raw_json_bytes: {} bytes", json.len());
    println!("raw_json_zstd_bytes: {} bytes", compressed.len());
    println!(
        "bundle_size_vs_raw_json: {:.3} ratio",
        exported.bytes as f64 / json.len() as f64
    );

    let bytes = std::fs::read(exported.path.unwrap()).unwrap();
    let started = Instant::now();
    let imported = town.import_bundle(&bytes).unwrap();
    let import_time = started.elapsed();
    drop(town);
    let import_rate = imported.applied as f64 / import_time.as_secs_f64();
    println!("bundle_import_time: {:.2} s", import_time.as_secs_f64());
    println!("bundle_import_throughput: {import_rate:.0} changes/s");
    // The raw baselines read the book with a plain connection: the plain run gives them.
    if encrypted() {
        return;
    }
    let raw_time = raw_insert_time(&town_path, dir, "raw-import.db", "INSERT OR REPLACE");
    let raw_rate = imported.applied as f64 / raw_time.as_secs_f64();
    println!("raw_upsert_time: {:.2} s", raw_time.as_secs_f64());
    println!("raw_upsert_throughput: {raw_rate:.0} changes/s");
    println!(
        "bundle_import_vs_raw_upsert: {:.2} ratio",
        import_rate / raw_rate
    );
}

/// A station's week (about 1,000 changes): export, and import into a fresh town, five times.
fn a_week_of_one_station(dir: &Path) {
    let mut exports = Vec::new();
    let mut imports = Vec::new();
    let mut changes = 0;
    for run in 0..5 {
        let demo = DemoOptions {
            receptions: 150,
            seed: 2,
        };
        let (mut station, mut town, _) = station_and_town(dir, &format!("week{run}"), "DL", demo);
        let started = Instant::now();
        let exported = station
            .export_bundle("QX", &dir.join(format!("week{run}")))
            .unwrap();
        exports.push(started.elapsed());
        changes = exported.changes;
        let bytes = std::fs::read(exported.path.unwrap()).unwrap();
        let started = Instant::now();
        town.import_bundle(&bytes).unwrap();
        imports.push(started.elapsed());
    }
    exports.sort();
    imports.sort();
    println!("week_changes: {changes} count");
    println!(
        "week_export_median: {:.1} ms",
        exports[2].as_secs_f64() * 1000.0
    );
    println!(
        "week_import_median: {:.1} ms",
        imports[2].as_secs_f64() * 1000.0
    );
}

fn reception_input(deputy: &str) -> ReceptionInput {
    liaison_testkit::reception(deputy, "村道路灯损坏多日，夜间出行不便")
}

fn save_one_reception(dir: &Path) {
    let path = dir.join("save.db");
    let mut book = new_book(&path, "DL", "东岭村人大代表联络站", BookKind::Station);
    demo::fill(
        &mut book,
        &DemoOptions {
            receptions: 0,
            seed: 1,
        },
        |_, _| {},
    )
    .unwrap();
    let deputy = book.deputies().unwrap()[0].deputy.id.to_string();
    // What a schema change would save, measured before making it (docs/benchmarks.md).
    if let Ok(sql) = std::env::var("BENCH_SAVE_SCHEMA_SQL") {
        Connection::open(&path)
            .unwrap()
            .execute_batch(&sql)
            .unwrap();
    }
    // A separate file: two connections writing one WAL file reset each other's page cache.
    let bare = Connection::open(dir.join("bare.db")).unwrap();
    bare.pragma_update(None, "journal_mode", "WAL").unwrap();
    bare.pragma_update(None, "synchronous", "FULL").unwrap();
    bare.execute_batch("CREATE TABLE bare_commit (id INTEGER PRIMARY KEY, payload TEXT)")
        .unwrap();
    let rounds = std::env::var("BENCH_SAVE_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300);
    let (mut save, mut commit) = (Duration::ZERO, Duration::ZERO);
    // What each commit writes explains the ratio: every page a transaction touches is one WAL
    // frame (two write calls), and the fsync is the same for both.
    // (Counted on plain books only: the spy's connection cannot read an encrypted one.)
    if !encrypted() {
        let save_pages = wal_pages_per_commit(&path, || {
            book.add_reception(reception_input(&deputy)).unwrap();
        });
        let bare_pages = wal_pages_per_commit(&dir.join("bare.db"), || {
            bare.execute("INSERT INTO bare_commit (payload) VALUES ('x')", [])
                .unwrap();
        });
        println!("save_reception_wal_pages: {save_pages} count");
        println!("bare_single_row_commit_wal_pages: {bare_pages} count");
    }
    for i in 0..rounds {
        let input = reception_input(&deputy);
        let started = Instant::now();
        book.add_reception(input).unwrap();
        save += started.elapsed();
        let payload = format!("row {i}");
        let started = Instant::now();
        // Prepared once, as the book's own statements are.
        bare.prepare_cached("INSERT INTO bare_commit (payload) VALUES (?1)")
            .unwrap()
            .execute([payload])
            .unwrap();
        commit += started.elapsed();
    }
    let save_ms = save.as_secs_f64() * 1000.0 / f64::from(rounds);
    let commit_ms = commit.as_secs_f64() * 1000.0 / f64::from(rounds);
    println!("save_reception_mean: {save_ms:.3} ms");
    println!("bare_single_row_commit_mean: {commit_ms:.3} ms");
    println!(
        "save_reception_vs_bare_commit: {:.2} ratio",
        save_ms / commit_ms
    );
}

/// A station book with the demo's roster and no receptions, plain or encrypted; and the id of a
/// deputy to receive visitors.
fn roster_book(path: &Path, encrypted: bool) -> (Book, String) {
    let mut book = if encrypted {
        Book::create_encrypted(
            path,
            "DL",
            "东岭村人大代表联络站",
            BookKind::Station,
            BENCH_PASSPHRASE,
        )
        .unwrap()
    } else {
        Book::create(path, "DL", "东岭村人大代表联络站", BookKind::Station).unwrap()
    };
    demo::fill(
        &mut book,
        &DemoOptions {
            receptions: 0,
            seed: 1,
        },
        |_, _| {},
    )
    .unwrap();
    let deputy = book.deputies().unwrap()[0].deputy.id.to_string();
    (book, deputy)
}

/// One reception saved in a plain book and one in an encrypted book, in turn, BENCH_SAVE_ROUNDS
/// times (default 1,000) in one process: both see the same disk and the same load from the
/// machine's other work (BENCH_ONLY=save_compare). Prints each mean and the ratio, and the
/// ratio of each tenth of the rounds, to show the noise.
fn save_plain_against_encrypted(dir: &Path) {
    let (mut plain, plain_deputy) = roster_book(&dir.join("save-plain.db"), false);
    let (mut locked, locked_deputy) = roster_book(&dir.join("save-encrypted.db"), true);
    let rounds: usize = std::env::var("BENCH_SAVE_ROUNDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1000);
    let tenth = (rounds / 10).max(1);
    let (mut plain_times, mut locked_times) = (Vec::new(), Vec::new());
    for i in 0..rounds {
        // Which book goes first alternates, so neither always follows the other's fsync.
        let order = if i % 2 == 0 {
            [false, true]
        } else {
            [true, false]
        };
        for encrypted in order {
            let (book, deputy, times) = if encrypted {
                (&mut locked, &locked_deputy, &mut locked_times)
            } else {
                (&mut plain, &plain_deputy, &mut plain_times)
            };
            let input = reception_input(deputy);
            let started = Instant::now();
            book.add_reception(input).unwrap();
            times.push(started.elapsed());
        }
    }
    let mean = |times: &[Duration]| {
        times.iter().sum::<Duration>().as_secs_f64() * 1000.0 / times.len() as f64
    };
    let parts: Vec<String> = plain_times
        .chunks(tenth)
        .zip(locked_times.chunks(tenth))
        .map(|(p, l)| format!("{:.2}", mean(l) / mean(p)))
        .collect();
    println!("save_plain_mean: {:.3} ms", mean(&plain_times));
    println!("save_encrypted_mean: {:.3} ms", mean(&locked_times));
    println!(
        "save_encrypted_vs_plain: {:.2} ratio",
        mean(&locked_times) / mean(&plain_times)
    );
    println!("save_encrypted_vs_plain_by_tenth: {}", parts.join(" "));
    plain_times.sort();
    locked_times.sort();
    println!(
        "save_median_plain_encrypted: {:.3} {:.3} ms",
        percentile(&plain_times, 0.5),
        percentile(&locked_times, 0.5)
    );
}

/// WAL frames one call of `commit` adds to the book at `path` (after a truncating checkpoint).
fn wal_pages_per_commit(path: &Path, mut commit: impl FnMut()) -> u64 {
    let spy = Connection::open(path).unwrap();
    spy.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    commit();
    let wal = std::fs::metadata(path.with_extension("db-wal"))
        .unwrap()
        .len();
    // A 32-byte file header, then a 24-byte header and the page for each frame.
    (wal - 32) / (24 + 4096)
}

/// Tables a demo writes, in an order that satisfies foreign keys.
const TABLES: [&str; 13] = [
    "book_meta",
    "change_log",
    "grids",
    "stations",
    "deputies",
    "duty_shifts",
    "receptions",
    "reception_deputies",
    "case_events",
    "meetings",
    "meeting_cases",
    "mediations",
    "mediation_events",
];

fn demo_against_raw_insert(dir: &Path, book_path: &Path, receptions: usize) {
    let mut book = new_book(book_path, "DL", "东岭村人大代表联络站", BookKind::Station);
    let started = Instant::now();
    let summary = demo::fill(
        &mut book,
        &DemoOptions {
            receptions,
            seed: 1,
        },
        |_, _| {},
    )
    .unwrap();
    let demo_time = started.elapsed();
    drop(book);
    let demo_rate = summary.receptions as f64 / demo_time.as_secs_f64();
    println!("demo_time: {:.1} s", demo_time.as_secs_f64());
    println!("demo_throughput: {demo_rate:.0} receptions/s");
    println!(
        "demo_changes: {} count",
        summary.receptions
            + summary.case_events
            + summary.meetings
            + summary.mediations
            + summary.mediation_events
    );

    if encrypted() {
        return;
    }
    let raw_time = raw_insert_time(book_path, dir, "raw.db", "INSERT");
    let raw_rate = summary.receptions as f64 / raw_time.as_secs_f64();
    println!("raw_bulk_insert_time: {:.1} s", raw_time.as_secs_f64());
    println!("raw_bulk_insert_throughput: {raw_rate:.0} receptions/s");
    println!("demo_vs_raw_bulk_insert: {:.2} ratio", demo_rate / raw_rate);
}

/// Time to write every row of the book at `source` into an empty book with plain prepared
/// statements (`verb` is `INSERT` or `INSERT OR REPLACE`) in one transaction. Rows are loaded
/// first, untimed; the contentless search index's rows are rebuilt from the receptions.
fn raw_insert_time(source: &Path, dir: &Path, name: &str, verb: &str) -> Duration {
    let source = Connection::open(source).unwrap();
    let mut tables: Vec<(String, Vec<Vec<Value>>)> = TABLES
        .iter()
        .map(|table| {
            let rows = load_rows(&source, &format!("SELECT * FROM main.{table}"));
            let width = rows.first().map_or(0, Vec::len);
            let marks: Vec<String> = (1..=width).map(|i| format!("?{i}")).collect();
            (
                format!("{verb} INTO {table} VALUES ({})", marks.join(", ")),
                rows,
            )
        })
        .collect();
    let mut search_rows = Vec::new();
    let mut select = source
        .prepare("SELECT rid, status, body FROM receptions")
        .unwrap();
    let mut query = select.query([]).unwrap();
    while let Some(row) = query.next().unwrap() {
        let reception: casebook::domain::Reception =
            serde_json::from_str(&row.get::<_, String>(2).unwrap()).unwrap();
        let status =
            casebook::domain::CaseStatus::parse(&row.get::<_, String>(1).unwrap()).unwrap();
        let terms = format!(
            "{} {}",
            search::reception_terms(&reception),
            search::status_term(status)
        );
        search_rows.push(vec![row.get::<_, Value>(0).unwrap(), Value::Text(terms)]);
    }
    tables.push((
        "INSERT INTO reception_search (rowid, terms) VALUES (?1, ?2)".into(),
        search_rows,
    ));
    let path = dir.join(name);
    drop(Book::create(&path, "RAW", "raw", BookKind::Station).unwrap());
    let mut raw = Connection::open(&path).unwrap();
    raw.pragma_update(None, "journal_mode", "WAL").unwrap();
    raw.pragma_update(None, "synchronous", "FULL").unwrap();
    raw.pragma_update(None, "cache_size", -32_768).unwrap();
    raw.execute_batch("DELETE FROM book_meta").unwrap();
    let started = Instant::now();
    let tx = raw.transaction().unwrap();
    for (sql, rows) in tables.iter().filter(|(_, rows)| !rows.is_empty()) {
        let mut insert = tx.prepare(sql).unwrap();
        for row in rows {
            insert.execute(rusqlite::params_from_iter(row)).unwrap();
        }
    }
    tx.commit().unwrap();
    started.elapsed()
}

fn load_rows(conn: &Connection, sql: &str) -> Vec<Vec<Value>> {
    let mut select = conn.prepare(sql).unwrap();
    let width = select.column_count();
    select
        .query_map([], |row| {
            (0..width).map(|i| row.get::<_, Value>(i)).collect()
        })
        .unwrap()
        .collect::<rusqlite::Result<Vec<_>>>()
        .unwrap()
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index].as_secs_f64() * 1000.0
}

fn search_first_page(book_path: &Path) {
    let book = Book::open_with_passphrase(book_path, Some(BENCH_PASSPHRASE)).unwrap();
    let queries: [(&str, &[&str]); 4] = [
        (
            "1char",
            &[
                "路", "灯", "梁", "谭", "赡", "渠", "鱼", "薪", "猪", "宽", "邝", "冒", "火",
            ],
        ),
        (
            "2char",
            &[
                "路灯", "低保", "鱼塘", "宅基", "欠薪", "赡养", "青苗", "商标", "宽带", "停车",
                "陈志", "火星",
            ],
        ),
        (
            "3char",
            &[
                "出嫁女",
                "排水渠",
                "养猪场",
                "低保申",
                "宅基地",
                "工伤后",
                "村民小",
                "梁秀英",
                "火星人",
            ],
        ),
        (
            "4char",
            &[
                "土地分红",
                "青苗补偿",
                "工伤认定",
                "山林界址",
                "电梯经常",
                "第三村民",
                "火星基地",
                "路灯分红",
            ],
        ),
    ];
    let filters: [(&str, Option<StatusFilter>, Option<&str>); 4] = [
        ("", None, None),
        (
            "_status_closed",
            Some(StatusFilter::Is(casebook::domain::CaseStatus::Closed)),
            None,
        ),
        ("_overdue", Some(StatusFilter::Overdue), None),
        (
            "_category_and_status",
            Some(StatusFilter::Is(casebook::domain::CaseStatus::Referred)),
            Some("村务管理"),
        ),
    ];
    for (filter_name, status, category) in filters {
        for (class, texts) in queries {
            let mut times = Vec::new();
            let mut per_text = vec![Duration::ZERO; texts.len()];
            let mut hits = 0;
            for _ in 0..15 {
                for (text, spent) in texts.iter().zip(per_text.iter_mut()) {
                    let filter = CaseFilter {
                        status,
                        category: category.map(str::to_owned),
                        query: Some((*text).to_owned()),
                        limit: 20,
                        offset: 0,
                    };
                    let started = Instant::now();
                    hits += book.list_cases(&filter).unwrap().len();
                    times.push(started.elapsed());
                    *spent += started.elapsed();
                }
            }
            times.sort();
            println!(
                "search_{class}{filter_name}_p50: {:.3} ms",
                percentile(&times, 0.50)
            );
            println!(
                "search_{class}{filter_name}_p95: {:.3} ms",
                percentile(&times, 0.95)
            );
            println!(
                "search_{class}{filter_name}_max: {:.3} ms",
                percentile(&times, 1.0)
            );
            println!("search_{class}{filter_name}_hits: {} count", hits / 15);
            let (slowest, spent) = texts
                .iter()
                .zip(&per_text)
                .max_by_key(|(_, spent)| **spent)
                .unwrap();
            println!(
                "search_{class}{filter_name}_slowest_mean: {:.3} ms ({slowest})",
                spent.as_secs_f64() * 1000.0 / 15.0
            );
        }
    }
}

/// Opens the book at `path` as the run's books are opened (with the passphrase when encrypted).
fn open_book(path: &Path) -> Book {
    let passphrase = encrypted().then_some(BENCH_PASSPHRASE);
    Book::open_with_passphrase(path, passphrase).unwrap()
}

/// `backup_into` of the book at `book_path` (a consistent copy while open, checked with
/// `integrity_check`, renamed into place) against `std::fs::copy` of its file (the book closed,
/// its WAL folded in), and a restore from the backup: what a deputy waits for at close.
fn backup_against_copy(dir: &Path, book_path: &Path) {
    let book_bytes = std::fs::metadata(book_path).unwrap().len();
    let copy_started = Instant::now();
    std::fs::copy(book_path, dir.join("copy.db")).unwrap();
    let copy = copy_started.elapsed();
    std::fs::remove_file(dir.join("copy.db")).unwrap();
    let mut book = open_book(book_path);
    let started = Instant::now();
    let made = book.backup_into(&dir.join("usb"), Some(10)).unwrap();
    let backup = started.elapsed();
    drop(book);
    let restored_path = dir.join("restored.db");
    let started = Instant::now();
    let passphrase = encrypted().then_some(BENCH_PASSPHRASE);
    drop(Book::restore(Path::new(&made.path), &restored_path, passphrase).unwrap());
    let restore = started.elapsed();
    println!("book_size: {:.1} MB", book_bytes as f64 / 1e6);
    println!("backup_size: {:.1} MB", made.bytes as f64 / 1e6);
    println!("backup_time: {:.1} s", backup.as_secs_f64());
    println!("file_copy_time: {:.1} s", copy.as_secs_f64());
    println!(
        "backup_to_copy_ratio: {:.2}",
        backup.as_secs_f64() / copy.as_secs_f64()
    );
    println!("restore_time: {:.1} s", restore.as_secs_f64());
    if !encrypted() {
        // What the check that both run costs alone, on the backup's file.
        let started = Instant::now();
        let verdict: String = Connection::open(&made.path)
            .unwrap()
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .unwrap();
        assert_eq!(verdict, "ok");
        println!(
            "integrity_check_time: {:.1} s",
            started.elapsed().as_secs_f64()
        );
    }
}

/// A station of `receptions` that synced with the town loses its PC: the town writes its
/// enrolment file again, which carries the station's log back, and the new PC makes its book
/// from it. Times both halves and gives the file's size.
fn recovery_from_the_town(dir: &Path, receptions: usize) {
    let demo = DemoOptions {
        receptions,
        seed: 3,
    };
    let (mut station, mut town, _) = station_and_town(dir, "recovery", "BX", demo);
    town.import_roster(&liaison_testkit::roster()).unwrap();
    let up = station.seal_bundle("QX").unwrap().unwrap();
    town.import_bundle(&up.bytes).unwrap();
    let head = station.own_last_seq().unwrap();
    drop(station);

    let started = Instant::now();
    let written = town.write_enrolment("BX", &dir.join("stick")).unwrap();
    let write = started.elapsed();
    let file_bytes = std::fs::metadata(&written.path).unwrap().len();
    let started = Instant::now();
    let enrolment = casebook::bundle::Enrolment::read_file(&written.path).unwrap();
    let passphrase = encrypted().then_some(BENCH_PASSPHRASE);
    let recovered =
        Book::create_from_enrolment(&dir.join("new-pc.db"), &enrolment, passphrase).unwrap();
    let create = started.elapsed();
    assert_eq!(recovered.own_last_seq().unwrap(), head);
    println!("recovery_receptions: {receptions} count");
    println!("recovery_changes: {} count", written.recovered);
    println!("recovery_enrolment_file: {:.1} MB", file_bytes as f64 / 1e6);
    println!("recovery_town_writes_file: {:.2} s", write.as_secs_f64());
    println!("recovery_new_pc_makes_book: {:.2} s", create.as_secs_f64());
}

/// A demo book of `receptions` (seed 1, as the search benchmark's), made without the raw-insert
/// baseline: for the first-screen benchmark on a large book.
fn make_demo_book(path: &Path, receptions: usize) {
    let mut book = new_book(path, "DL", "东岭村人大代表联络站", BookKind::Station);
    let started = Instant::now();
    demo::fill(
        &mut book,
        &DemoOptions {
            receptions,
            seed: 1,
        },
        |_, _| {},
    )
    .unwrap();
    let demo_time = started.elapsed();
    println!("demo_time: {:.1} s", demo_time.as_secs_f64());
    println!(
        "demo_throughput: {:.0} receptions/s",
        receptions as f64 / demo_time.as_secs_f64()
    );
}

/// The core's part of the desktop app's first screen (今日值班), as `Station::today` in
/// src-tauri reads it: open the book (with its passphrase when encrypted: Argon2id, then
/// SQLCipher's first read), today's duty, today's receptions, the counts, and the 5 newest cases
/// awaiting a reply and overdue. BENCH_RUNS opens (default 5), each from a fresh process state
/// of the book (a new connection, an empty page cache; the OS file cache is as it is).
fn first_screen(book_path: &Path) {
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let (mut opens, mut screens, mut totals) = (Vec::new(), Vec::new(), Vec::new());
    for run in 1..=runs {
        let started = Instant::now();
        let book = Book::open_with_passphrase(book_path, Some(BENCH_PASSPHRASE)).unwrap();
        let opened = started.elapsed();
        let date = casebook::time::china_today();
        let waiting = |status| {
            book.list_cases(&CaseFilter {
                status: Some(status),
                limit: 5,
                ..CaseFilter::default()
            })
            .unwrap()
        };
        let shifts = book.duty_shifts(date, date).unwrap();
        if shifts.is_empty() {
            book.next_duty(date).unwrap();
        }
        let received = book.cases_received_on(date).unwrap();
        let counts = book.case_counts(date).unwrap();
        let awaiting = waiting(StatusFilter::Awaiting);
        let overdue = waiting(StatusFilter::Overdue);
        let total = started.elapsed();
        let screen = total - opened;
        if run == 1 {
            println!(
                "first_screen_data: {} shifts, {} received today, {} awaiting, {} overdue, counts {counts:?}",
                shifts.len(),
                received.len(),
                awaiting.len(),
                overdue.len()
            );
        }
        println!(
            "first_screen_run{run}: open {:.1} ms, queries {:.1} ms, total {:.1} ms",
            opened.as_secs_f64() * 1000.0,
            screen.as_secs_f64() * 1000.0,
            total.as_secs_f64() * 1000.0
        );
        drop(book);
        opens.push(opened);
        screens.push(screen);
        totals.push(total);
    }
    for (name, times) in [
        ("open", &mut opens),
        ("queries", &mut screens),
        ("total", &mut totals),
    ] {
        times.sort();
        println!(
            "first_screen_{name}_median: {:.1} ms (min {:.1}, max {:.1})",
            percentile(times, 0.5),
            percentile(times, 0.0),
            percentile(times, 1.0)
        );
    }
}

/// Opens an encrypted book with its passphrase five times: what a deputy waits for at start.
fn unlock_encrypted_book(dir: &Path) {
    let path = dir.join("unlock.db");
    let passphrase = BENCH_PASSPHRASE;
    drop(
        Book::create_encrypted(&path, "BX", "东岭村联络站", BookKind::Station, passphrase).unwrap(),
    );
    let mut times: Vec<Duration> = (0..5)
        .map(|_| {
            let started = Instant::now();
            let book = Book::open_with_passphrase(&path, Some(passphrase)).unwrap();
            let took = started.elapsed();
            drop(book);
            took
        })
        .collect();
    times.sort();
    let cost = casebook::store::lock::PASSPHRASE_KDF;
    println!(
        "unlock_kdf_cost: {} KiB, {} passes, {} lanes",
        cost.memory_kib, cost.iterations, cost.lanes
    );
    println!("unlock_min: {:.3} s", times[0].as_secs_f64());
    println!("unlock_median: {:.3} s", times[2].as_secs_f64());
    println!("unlock_max: {:.3} s", times[4].as_secs_f64());
}
