//! What the hub's test files share: the `liaison-hub` binary started as an operator starts it.
#![allow(clippy::unwrap_used, dead_code)]

use std::ffi::OsStr;
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};

/// Starts the hub binary on the book at `db` on a free port, with `extra` arguments; answers
/// the process and the address it printed.
pub fn spawn_hub<S: AsRef<OsStr>>(db: &Path, extra: &[S]) -> (Child, SocketAddr) {
    use std::io::{BufRead, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_liaison-hub"))
        .arg("--db")
        .arg(db)
        .args(["--listen", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let address = line
        .split("://")
        .nth(1)
        .unwrap()
        .trim()
        .trim_end_matches('/')
        .parse()
        .unwrap();
    (child, address)
}

/// Which store the suite runs against: the town's book, or with `LIAISON_HUB_STORE=postgres` a
/// real PostgreSQL (a throwaway cluster per hub), so that every test of the hub runs on both
/// (scripts/test runs the suite twice).
pub fn on_postgres() -> bool {
    std::env::var("LIAISON_HUB_STORE").is_ok_and(|store| store == "postgres")
}

/// The server behind a hub under test, kept as long as the hub runs; `None` on the book.
pub type TestStore = Option<liaison_testkit::postgres::TempPostgres>;

/// `config` with the store this run uses for the town `town`, and the server to keep.
pub async fn with_test_store(
    mut config: liaison_hub::HubConfig,
    town: &str,
) -> (liaison_hub::HubConfig, TestStore) {
    if !on_postgres() {
        return (config, None);
    }
    let server = liaison_testkit::postgres::TempPostgres::start(false);
    let url = server.create_database("hub");
    let store = liaison_hub::PgStore::connect(&url, town, 8).await.unwrap();
    config.shared_store = Some(store);
    (config, Some(server))
}

/// The `--store` argument of the hub binaries of one test, and the server behind it.
pub struct StoreArgs {
    /// `--store URL`, or nothing on the book.
    pub args: Vec<String>,
    /// The server behind it.
    pub server: TestStore,
}

/// The store the hub binaries of one test share (each restart of the hub finds it again).
pub fn test_store_args() -> StoreArgs {
    if !on_postgres() {
        return StoreArgs {
            args: Vec::new(),
            server: None,
        };
    }
    let server = liaison_testkit::postgres::TempPostgres::start(false);
    let url = server.create_database("hub");
    StoreArgs {
        args: vec!["--store".to_owned(), url],
        server: Some(server),
    }
}

/// How many entries of `origin`'s log the hub holds: in the town's book at `book`, or in the
/// store on `server`.
pub fn entries_held(book: &Path, server: &TestStore, origin: &str) -> usize {
    match server {
        Some(server) => server
            .psql(
                "hub",
                &format!("SELECT count(*) FROM change_log WHERE origin = '{origin}'"),
            )
            .parse()
            .unwrap(),
        None => casebook::Book::open(book)
            .unwrap()
            .changes_since(Some(origin), 0, None)
            .unwrap()
            .len(),
    }
}

/// The case numbers the hub holds, in the town's book at `book` or in the store on `server`.
pub fn case_numbers_held(book: &Path, server: &TestStore) -> Vec<String> {
    match server {
        Some(server) => server
            .psql(
                "hub",
                "SELECT data ->> 'case_no' FROM records WHERE entity = 'reception' ORDER BY 1",
            )
            .lines()
            .map(str::to_owned)
            .collect(),
        None => casebook::Book::open(book)
            .unwrap()
            .list_cases(&casebook::store::read::CaseFilter {
                limit: 100_000,
                ..casebook::store::read::CaseFilter::default()
            })
            .unwrap()
            .into_iter()
            .map(|case| case.case_no)
            .collect(),
    }
}
