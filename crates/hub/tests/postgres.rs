//! The hub with its stations' records in a real PostgreSQL (a throwaway cluster started by the
//! test): two hub processes sharing one store apply a bundle once, ownership is refused and
//! kept aside as in the book, and a hub killed mid-import leaves nothing half-applied.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::time::Duration;

use casebook::bundle::{Refusal, UploadAnswer};
use casebook::{Book, ErrorKind};
use liaison_hub::{HubConfig, PgStore, serve};
use liaison_testkit::postgres::TempPostgres;
use reqwest::StatusCode;

/// A hub on 127.0.0.1 over `town` with `store`; answers its base URL and its stop switch.
async fn start_hub(town: Book, store: PgStore) -> (String, tokio::sync::oneshot::Sender<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let config = HubConfig {
        shared_store: Some(store),
        ..HubConfig::default()
    };
    tokio::spawn(serve(listener, town, config, async {
        let _ = stopped.await;
    }));
    (base, stop)
}

async fn upload(base: &str, bytes: Vec<u8>) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/bundles"))
        .body(bytes)
        .send()
        .await
        .unwrap()
}

/// A copy of the town's book, as a second hub machine holds it.
fn second_copy(town: &mut Book, path: &Path) -> Book {
    town.backup_to(path).unwrap();
    Book::open(path).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_bundle_through_two_hubs_sharing_one_store_is_applied_once() {
    let server = TempPostgres::start(false);
    let url = server.create_database("town");
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = liaison_testkit::town_and_station(dir.path());
    let town_b = second_copy(&mut town, &dir.path().join("town-b.db"));
    // Two processes starting together migrate the store once.
    let (store_a, store_b) = tokio::join!(
        PgStore::connect(&url, "QX", 4),
        PgStore::connect(&url, "QX", 4)
    );
    let (hub_a, _stop_a) = start_hub(town, store_a.unwrap()).await;
    let (hub_b, _stop_b) = start_hub(town_b, store_b.unwrap()).await;

    for week in 0..3 {
        for visit in 0..5 {
            let matter = format!("第{week}周第{visit}件：村道路灯损坏");
            station
                .add_reception(liaison_testkit::reception("陈建国", &matter))
                .unwrap();
        }
        let sealed = station.seal_bundle("QX").unwrap().unwrap();
        station.record_export("QX", &sealed).unwrap();
        let (a, b) = tokio::join!(
            upload(&hub_a, sealed.bytes.clone()),
            upload(&hub_b, sealed.bytes.clone())
        );
        assert_eq!((a.status(), b.status()), (StatusCode::OK, StatusCode::OK));
        let a: UploadAnswer = a.json().await.unwrap();
        let b: UploadAnswer = b.json().await.unwrap();
        assert_eq!(
            a.imported.applied + b.imported.applied,
            sealed.changes,
            "week {week}: applied once between the two: {a:?} {b:?}"
        );
        assert!(
            a.imported.applied == 0 || b.imported.applied == 0,
            "one applied it, the other found duplicates: {a:?} {b:?}"
        );
        for answer in [&a, &b] {
            let receipt = answer.receipt.as_ref().expect("a receipt");
            assert_eq!(receipt.acked_to, sealed.to_seq);
            station.take_receipt(receipt).unwrap();
        }
    }
    let status = station.bundle_status().unwrap();
    assert_eq!(status[0].unacknowledged, 0, "everything acknowledged");
    let head = status[0].last_exported_seq;
    assert_eq!(
        server.psql(
            "town",
            "SELECT count(*), count(DISTINCT seq), max(seq) FROM change_log WHERE origin = 'BX'"
        ),
        format!("{head}|{head}|{head}"),
        "every entry of the station's log held once"
    );
    assert_eq!(
        server.psql(
            "town",
            "SELECT count(*) FROM records WHERE entity = 'reception' AND station = 'BX'"
        ),
        "15"
    );
    // Each of the store's two migrations ran once, though two hubs started on it.
    assert_eq!(server.psql("town", "SELECT count(*) FROM hub_schema"), "2");
}

/// A station that edits its own book to file a case under another station's code is refused
/// as `not_owner` by the shared store too, the bundle kept aside with why on the status page;
/// once the book is honest again the same numbers go through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn another_station_s_number_is_refused_and_kept_aside_in_the_shared_store() {
    let server = TempPostgres::start(false);
    let url = server.create_database("town");
    let dir = tempfile::tempdir().unwrap();
    let (town, mut station) = liaison_testkit::town_and_station(dir.path());
    let store = PgStore::connect(&url, "QX", 2).await.unwrap();
    let (hub, _stop) = start_hub(town, store).await;
    let case = station
        .add_reception(liaison_testkit::reception("陈建国", "村道路灯损坏"))
        .unwrap()
        .case_no;
    let squatted = case.replacen("BX-", "NT-", 1);
    let book = dir.path().join("bx.db");
    let swap = |from: &str, to: &str| liaison_testkit::hostile::rewrite_receptions(&book, from, to);
    swap(&case, &squatted);
    let forged = station.seal_bundle("QX").unwrap().unwrap();
    let response = upload(&hub, forged.bytes).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let refusal: Refusal = response.json().await.unwrap();
    assert_eq!(refusal.kind, ErrorKind::NotOwner);
    assert!(refusal.message.contains(&squatted), "{}", refusal.message);
    assert_eq!(
        server.psql(
            "town",
            "SELECT count(*), min(refusal_kind) FROM quarantine WHERE origin = 'BX'"
        ),
        "1|not_owner"
    );
    assert_eq!(
        server.psql("town", "SELECT count(*) FROM change_log"),
        "0",
        "nothing of the refused bundle applied"
    );
    let page = status_page(&hub).await;
    assert!(
        page.contains("1（最近拒收："),
        "kept aside, with why: {page}"
    );
    assert!(!page.contains("村道路灯损坏"), "no record text on the page");

    swap(&squatted, &case);
    let honest = station.seal_bundle("QX").unwrap().unwrap();
    let answer: UploadAnswer = upload(&hub, honest.bytes).await.json().await.unwrap();
    assert_eq!(answer.imported.applied, 1);
    let page = status_page(&hub).await;
    assert!(
        page.contains("<td>1</td>"),
        "the station's log held to 1: {page}"
    );
}

/// The `liaison-hub` process with `--store`, killed (SIGKILL) while its import waits inside the
/// store's transaction, leaves nothing of the bundle; started again, it takes the bundle whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_killed_mid_import_leaves_nothing_half_applied() {
    let server = TempPostgres::start(false);
    let url = server.create_database("town");
    let dir = tempfile::tempdir().unwrap();
    let (town, mut station) = liaison_testkit::town_and_station(dir.path());
    drop(town);
    let mut last = None;
    for visit in 0..10 {
        let matter = format!("第{visit}件：水渠堵塞");
        last = Some(
            station
                .add_reception(liaison_testkit::reception("陈建国", &matter))
                .unwrap(),
        );
    }
    let sealed = station.seal_bundle("QX").unwrap().unwrap();
    let blocker_id = last.unwrap().id;

    // Another session holds the last reception's row, uncommitted: the hub's import writes the
    // entries before it and then waits for that row, inside its own transaction.
    let (blocker, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(connection);
    let db = dir.path().join("town.db");
    let (mut hub, base) = hub_with_store(&db, &url);
    blocker.batch_execute("BEGIN").await.unwrap();
    blocker
        .execute(
            "INSERT INTO records (entity, id, station, origin, seq, hlc, data)
             VALUES ('reception', $1, 'BX', 'BX', 0, 0, '{}')",
            &[&blocker_id],
        )
        .await
        .unwrap();
    let uploading = tokio::spawn(upload_raw(base, sealed.bytes.clone()));
    let waiting = "SELECT count(*) FROM pg_stat_activity
                   WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO records%'";
    let mut waited = Duration::ZERO;
    while server.psql("town", waiting) != "1" {
        assert!(waited < Duration::from_secs(30), "the import never waited");
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
    hub.kill().unwrap();
    hub.wait().unwrap();
    assert!(
        uploading.await.unwrap().is_err(),
        "the upload got no answer"
    );
    blocker.batch_execute("ROLLBACK").await.unwrap();
    // The server ends the dead process's transaction once it sees the connection gone.
    let mut waited = Duration::ZERO;
    let busy = "SELECT count(*) FROM pg_stat_activity
                WHERE state <> 'idle' AND backend_type = 'client backend'";
    while server.psql("town", busy) != "1" {
        assert!(
            waited < Duration::from_secs(30),
            "the dead hub's session lingers"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
        waited += Duration::from_millis(50);
    }
    assert_eq!(
        server.psql(
            "town",
            "SELECT (SELECT count(*) FROM change_log) + (SELECT count(*) FROM records)
                    + (SELECT coalesce(sum(acked_to), 0) FROM inbound)"
        ),
        "0",
        "nothing of the bundle was applied"
    );

    let (mut hub, base) = hub_with_store(&db, &url);
    let answer: UploadAnswer = upload_raw(base, sealed.bytes.clone())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(answer.imported.applied, sealed.changes);
    assert_eq!(
        server.psql(
            "town",
            "SELECT count(*) FROM records WHERE entity = 'reception'"
        ),
        "10"
    );
    hub.kill().unwrap();
    hub.wait().unwrap();
}

/// The hub binary on the book at `db` with the store at `url`; its process and base URL.
fn hub_with_store(db: &Path, url: &str) -> (std::process::Child, String) {
    let (child, address) = common::spawn_hub(db, &["--store", url]);
    (child, format!("http://{address}"))
}

/// The status page, as the town office sees it on the hub's machine.
async fn status_page(base: &str) -> String {
    reqwest::get(format!("{base}/"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

async fn upload_raw(base: String, bytes: Vec<u8>) -> reqwest::Result<reqwest::Response> {
    reqwest::Client::new()
        .post(format!("{base}/api/v1/bundles"))
        .body(bytes)
        .send()
        .await
}

/// A pull request answered by one hub process is a replay at every other: the nonce is taken
/// in the shared store. The bundle pulled carries the store's receipt of the station's log.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pull_answered_by_one_hub_is_refused_as_a_replay_by_the_other() {
    let server = TempPostgres::start(false);
    let url = server.create_database("town");
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = liaison_testkit::town_and_station(dir.path());
    let town_b = second_copy(&mut town, &dir.path().join("town-b.db"));
    let (hub_a, _stop_a) = start_hub(town, PgStore::connect(&url, "QX", 2).await.unwrap()).await;
    let (hub_b, _stop_b) = start_hub(town_b, PgStore::connect(&url, "QX", 2).await.unwrap()).await;
    station
        .add_reception(liaison_testkit::reception("陈建国", "村道路灯损坏"))
        .unwrap();
    let sealed = station.seal_bundle("QX").unwrap().unwrap();
    station.record_export("QX", &sealed).unwrap();
    assert_eq!(upload(&hub_a, sealed.bytes).await.status(), StatusCode::OK);

    let request = station.pull_request().unwrap();
    let pulled = pull(&hub_b, &request).await;
    assert_eq!(pulled.status(), StatusCode::OK);
    let bytes = pulled.bytes().await.unwrap();
    let imported = station.import_bundle(&bytes).unwrap();
    assert_eq!(
        imported.receipts, 1,
        "the store's receipt of the station's log"
    );
    assert_eq!(station.bundle_status().unwrap()[0].unacknowledged, 0);

    let replayed = pull(&hub_a, &request).await;
    assert_eq!(replayed.status(), StatusCode::FORBIDDEN);
    let refusal: Refusal = replayed.json().await.unwrap();
    assert_eq!(refusal.kind, ErrorKind::BadSignature);
    assert!(refusal.message.contains("重放"), "{}", refusal.message);
}

async fn pull(base: &str, request: &casebook::bundle::PullRequest) -> reqwest::Response {
    reqwest::Client::new()
        .get(format!("{base}/api/v1/bundles/outgoing"))
        .query(&[("station", request.station.as_str())])
        .header(liaison_hub::TIME_HEADER, &request.time)
        .header(liaison_hub::NONCE_HEADER, &request.nonce)
        .header(liaison_hub::SIGNATURE_HEADER, &request.signature)
        .send()
        .await
        .unwrap()
}

/// The shared store answers 1 to 4 character queries with exactly the receptions the town's
/// own book finds for them (the station's search), over the demo town's visits.
/// A demo station's 400 receptions (with its mediations and their events) in a town book, by
/// import, and in a shared store, by a real hub's upload: the same records in both stores.
async fn demo_in_book_and_store(dir: &Path, url: &str) -> (Book, PgStore) {
    let (mut town, mut station) = liaison_testkit::empty_town_and_station(dir);
    casebook_demo::fill(
        &mut station,
        &casebook_demo::DemoOptions {
            receptions: 400,
            seed: 7,
        },
        |_, _| {},
    )
    .unwrap();
    liaison_testkit::enroll(&mut town, &mut station);
    let sealed = station.seal_bundle("QX").unwrap().unwrap();
    town.import_bundle(&sealed.bytes).unwrap();
    let store = PgStore::connect(url, "QX", 2).await.unwrap();
    let (hub, stop) = start_hub(
        second_copy(&mut town, &dir.join("town-b.db")),
        store.clone(),
    )
    .await;
    assert_eq!(upload(&hub, sealed.bytes).await.status(), StatusCode::OK);
    drop(stop);
    (town, store)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_store_counts_the_ministry_table_as_the_town_book_does() {
    let server = TempPostgres::start(false);
    let url = server.create_database("town");
    let dir = tempfile::tempdir().unwrap();
    let (mut town, store) = demo_in_book_and_store(dir.path(), &url).await;
    // The town's roster names the station, so that its figures can be asked for by its code.
    town.import_roster(&liaison_testkit::roster()).unwrap();
    let (whole, _) = town.mediation_table(None, None, None).unwrap();
    assert!(whole.accepted > 10, "the demo has mediations: {whole:?}");
    assert!(whole.succeeded > 0 && whole.open > 0, "{whole:?}");
    let stations = ["BX".to_owned()];
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2026, m, d);
    for (scope, from, to) in [
        (None, None, None),
        (Some(&stations[..]), None, None),
        (None, day(11, 1), day(11, 30)),
        (Some(&stations[..]), day(10, 1), day(10, 31)),
    ] {
        let in_book = town.mediation_table(scope.map(|_| "BX"), from, to).unwrap();
        let in_store = store.mediation_table(scope, from, to).await.unwrap();
        assert_eq!(
            serde_json::to_value(&in_store).unwrap(),
            serde_json::to_value(&in_book).unwrap(),
            "{scope:?} {from:?}..{to:?}"
        );
    }
    let (nobody, _) = store
        .mediation_table(Some(&["ZZ".to_owned()]), None, None)
        .await
        .unwrap();
    assert_eq!(nobody.accepted, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_store_finds_what_the_town_book_finds() {
    let server = TempPostgres::start(false);
    let url = server.create_database("town");
    let dir = tempfile::tempdir().unwrap();
    let (town, store) = demo_in_book_and_store(dir.path(), &url).await;

    let everything = casebook::store::read::CaseFilter {
        limit: 100_000,
        ..casebook::store::read::CaseFilter::default()
    };
    let matters: Vec<String> = town
        .list_cases(&everything)
        .unwrap()
        .into_iter()
        .map(|case| case.matter)
        .collect();
    let mut queries = std::collections::BTreeSet::new();
    // Pieces of 1 to 4 characters from all over the matters.
    for (index, matter) in matters.iter().enumerate().step_by(13) {
        let chars: Vec<char> = matter.chars().collect();
        for len in 1..=4 {
            if let Some(starts) = (chars.len() + 1).checked_sub(len).filter(|n| *n > 0) {
                let from = (index * 7 + len * 3) % starts;
                queries.insert(chars[from..from + len].iter().collect::<String>());
            }
        }
    }
    queries.extend(["村", "路灯", "不存在的", "x"].map(str::to_owned));
    assert!(queries.len() >= 20, "{queries:?}");
    for query in &queries {
        let filter = casebook::store::read::CaseFilter {
            query: Some(query.clone()),
            ..everything.clone()
        };
        let mut in_book: Vec<String> = town
            .list_cases(&filter)
            .unwrap()
            .into_iter()
            .map(|case| case.case_no)
            .collect();
        let mut in_store: Vec<String> = store
            .search_receptions(query, 100_000)
            .await
            .unwrap()
            .into_iter()
            .map(|found| found.case_no)
            .collect();
        // A first page is the first of the whole answer, page by page through the candidates.
        let first_page: Vec<String> = store
            .search_receptions(query, 3)
            .await
            .unwrap()
            .into_iter()
            .map(|found| found.case_no)
            .collect();
        assert_eq!(first_page, in_store[..in_store.len().min(3)], "{query:?}");
        in_book.sort();
        in_store.sort();
        assert_eq!(in_store, in_book, "query {query:?}");
        if matters.iter().any(|matter| matter.contains(query.as_str())) {
            assert!(!in_store.is_empty(), "query {query:?} is in a matter");
        }
    }
}
