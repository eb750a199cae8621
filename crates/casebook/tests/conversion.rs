//! A plain book with many receptions, encrypted in place (`Book::encrypt_in_place`): the same
//! records, the same search results, the plain file gone and nothing readable left beside it.
//!
//! The book holds `CONVERSION_RECEPTIONS` receptions made by the demo (default 2,000, for the
//! test suite on two cores). Run it once by hand at 100,000 for docs/benchmarks.md:
//!
//! ```sh
//! CONVERSION_RECEPTIONS=100000 cargo test --release -p casebook --test conversion -- --nocapture
//! ```
//!
//! It prints how long each step took; no step is timed against a limit.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::time::Instant;

use casebook::Book;
use casebook::domain::CaseStatus;
use casebook::store::BookKind;
use casebook::store::lock::{self, slots_path};
use casebook::store::read::{CaseFilter, StatusFilter};
use casebook_demo::{self as demo, DemoOptions};
use liaison_testkit::leaks;

const PASSPHRASE: &str = "东岭村2026年修渡槽";
const STATION_NAME: &str = "东岭村人大代表联络站";

fn receptions() -> usize {
    std::env::var("CONVERSION_RECEPTIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(2_000)
}

/// The book's records, as a hash of its canonical dump (a 100,000-reception dump is too large
/// to keep twice), and how long the dump is.
fn records(book: &Book) -> (u64, usize) {
    let dump = book.canonical_dump().unwrap();
    let mut hasher = DefaultHasher::new();
    dump.hash(&mut hasher);
    (hasher.finish(), dump.len())
}

/// What the case list shows for text searches of one to four characters (some with no hits),
/// alone and with the filters the screen offers: every hit's case number, every page.
fn searches(book: &Book) -> Vec<(String, Vec<String>)> {
    let texts = [
        "路",
        "梁",
        "赡",
        "路灯",
        "低保",
        "欠薪",
        "出嫁女",
        "梁秀英",
        "土地分红",
        "青苗补偿",
        "火星基地",
    ];
    let filters: [(&str, Option<StatusFilter>, Option<&str>); 4] = [
        ("all", None, None),
        ("closed", Some(StatusFilter::Is(CaseStatus::Closed)), None),
        ("overdue", Some(StatusFilter::Overdue), None),
        (
            "referred in 村务管理",
            Some(StatusFilter::Is(CaseStatus::Referred)),
            Some("村务管理"),
        ),
    ];
    let mut found = Vec::new();
    for (name, status, category) in filters {
        for text in texts.iter().copied().map(Some).chain([None]) {
            let mut hits = Vec::new();
            loop {
                let page = book
                    .list_cases(&CaseFilter {
                        status,
                        category: category.map(str::to_owned),
                        query: text.map(str::to_owned),
                        limit: 200,
                        offset: hits.len(),
                    })
                    .unwrap();
                let done = page.len() < 200;
                hits.extend(page.into_iter().map(|case| case.case_no));
                if done {
                    break;
                }
            }
            found.push((format!("{name} / {}", text.unwrap_or("-")), hits));
        }
    }
    found
}

/// Texts of the book that must not be readable in any file once it is encrypted: the station's
/// name, the newest cases' numbers and matters, their visitors' phones and ID numbers. Only
/// texts of 5 characters or more, so that no encoding of one is short enough to turn up in
/// random ciphertext by chance.
fn secrets(book: &Book) -> Vec<String> {
    let mut secrets = vec![STATION_NAME.to_owned()];
    let newest = book
        .list_cases(&CaseFilter {
            limit: 20,
            ..CaseFilter::default()
        })
        .unwrap();
    for case in newest {
        let detail = book.case(&case.case_no).unwrap();
        secrets.push(case.case_no);
        secrets.push(detail.reception.matter.chars().take(12).collect());
        for visitor in detail.reception.visitors {
            secrets.extend(visitor.phone);
            secrets.extend(visitor.id_number);
        }
    }
    secrets.retain(|text| text.chars().count() >= 5);
    secrets.sort();
    secrets.dedup();
    secrets
}

fn names(dir: &Path) -> BTreeSet<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

#[test]
fn a_plain_book_of_many_receptions_encrypted_in_place_keeps_every_record_and_search() {
    let receptions = receptions();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dl.db");

    let started = Instant::now();
    let mut book = Book::create(&path, "DL", STATION_NAME, BookKind::Station).unwrap();
    demo::fill(
        &mut book,
        &DemoOptions {
            receptions,
            seed: 7,
        },
        |_, _| {},
    )
    .unwrap();
    drop(book);
    println!(
        "conversion_fill: {receptions} receptions in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let plain_bytes = std::fs::metadata(&path).unwrap().len();
    #[cfg(unix)]
    let plain_inode = inode(&path);

    let book = Book::open(&path).unwrap();
    let started = Instant::now();
    let (records_before, dump_len) = records(&book);
    let searches_before = searches(&book);
    let secrets = secrets(&book);
    println!(
        "conversion_read_before: {:.1} s ({dump_len} bytes of records, {} searches, {} hits)",
        started.elapsed().as_secs_f64(),
        searches_before.len(),
        searches_before
            .iter()
            .map(|(_, hits)| hits.len())
            .sum::<usize>()
    );
    assert!(
        searches_before.iter().any(|(_, hits)| hits.len() > 1),
        "the searches find something to compare"
    );
    drop(book);
    // The plain book shows its texts as they are: the check below can see them.
    assert!(
        !leaks(dir.path(), &secrets).is_empty(),
        "the secrets are readable in the plain book"
    );

    let started = Instant::now();
    Book::encrypt_in_place(&path, PASSPHRASE).unwrap();
    let took = started.elapsed();
    println!(
        "conversion_time: {:.1} s for {receptions} receptions ({:.1} MB plain)",
        took.as_secs_f64(),
        plain_bytes as f64 / 1e6
    );

    // The plain file is gone: only the encrypted book and its slots are left, under the old
    // name, and the file at that name is a new one.
    assert_eq!(
        names(dir.path()),
        BTreeSet::from(["dl.db".to_owned(), "dl.db-slots".to_owned()])
    );
    assert!(lock::is_encrypted(&path).unwrap());
    assert!(slots_path(&path).is_file());
    #[cfg(unix)]
    assert_ne!(inode(&path), plain_inode, "the plain file was replaced");
    assert!(
        Book::open(&path).is_err(),
        "no longer opens without the passphrase"
    );
    let started = Instant::now();
    let leaked = leaks(dir.path(), &secrets);
    println!(
        "conversion_leak_scan: {} texts in {:.1} s",
        secrets.len(),
        started.elapsed().as_secs_f64()
    );
    assert_eq!(leaked, Vec::<String>::new());

    let started = Instant::now();
    let book = Book::open_with_passphrase(&path, Some(PASSPHRASE)).unwrap();
    assert!(book.is_encrypted());
    let (records_after, dump_len_after) = records(&book);
    assert_eq!(dump_len_after, dump_len, "the same records");
    assert_eq!(records_after, records_before, "the same records");
    let searches_after = searches(&book);
    assert_eq!(searches_after.len(), searches_before.len());
    for ((query, before), (_, after)) in searches_before.iter().zip(&searches_after) {
        assert_eq!(after, before, "the same results for {query}");
    }
    println!(
        "conversion_read_after: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    drop(book);
    // Opening it made a WAL for a while; closed, nothing but the two files again.
    assert_eq!(
        names(dir.path()),
        BTreeSet::from(["dl.db".to_owned(), "dl.db-slots".to_owned()])
    );
}

#[cfg(unix)]
fn inode(path: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(path).unwrap().ino()
}
