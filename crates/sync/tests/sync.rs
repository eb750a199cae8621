//! The station's sync cycle and worker against a real hub on 127.0.0.1, directly and through a
//! proxy that fails the way networks do (5xx, a dropped connection after the hub applied).
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use casebook::Book;
use liaison_hub::{HubConfig, PgStore, serve};
use liaison_sync::{Hub, SharedBook, SyncError, WorkerConfig, WorkerState, run_worker, sync_once};
use liaison_testkit::postgres::TempPostgres;
use tokio::sync::oneshot;

/// A town book and a station book (with the roster and three receptions), enrolled.
fn books(dir: &Path) -> (PathBuf, SharedBook) {
    let (town, mut station) = liaison_testkit::town_and_station(dir);
    drop(town);
    let town_path = dir.join("town.db");
    for matter in ["路灯", "水渠", "低保"] {
        station
            .add_reception(liaison_testkit::reception("陈建国", matter))
            .unwrap();
    }
    (town_path, Arc::new(Mutex::new(station)))
}

/// Starts the hub over the town book at `path`; returns its URL and a stop handle that waits
/// for the hub to finish (so the book file can be read afterwards).
async fn start_hub(
    path: &Path,
    listener: Option<tokio::net::TcpListener>,
) -> (String, impl FnOnce() -> tokio::task::JoinHandle<()>) {
    let listener = match listener {
        Some(listener) => listener,
        None => tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap(),
    };
    let url = format!("http://{}", listener.local_addr().unwrap());
    let book = Book::open(path).unwrap();
    let config = match store_name(path) {
        Some(name) => {
            let url = TempPostgres::shared().database(&name);
            HubConfig {
                shared_store: Some(PgStore::connect(&url, "QX", 4).await.unwrap()),
                ..HubConfig::default()
            }
        }
        None => HubConfig::default(),
    };
    let (stop, stopped) = oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, book, config, async {
        let _ = stopped.await;
    }));
    let stop = move || {
        tokio::spawn(async move {
            let _ = stop.send(());
            server.await.unwrap().unwrap();
        })
    };
    (url, stop)
}

/// With `LIAISON_HUB_STORE=postgres` (scripts/test runs this suite again so) every hub over
/// the town book at `town` keeps the stations' records in one database of a cluster shared by
/// the suite; `None` on the book.
fn store_name(town: &Path) -> Option<String> {
    use std::hash::{Hash, Hasher};
    if !std::env::var("LIAISON_HUB_STORE").is_ok_and(|store| store == "postgres") {
        return None;
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    town.hash(&mut hasher);
    Some(format!("town_{:x}", hasher.finish()))
}

/// What the town holds once its hub has stopped: in its book, or in the hub's store.
struct Held {
    book: Book,
    store: Option<String>,
}

impl Held {
    fn of(town: &Path) -> Held {
        Held {
            book: Book::open(town).unwrap(),
            store: store_name(town),
        }
    }

    fn count(&self, store: &str, sql: &str) -> i64 {
        TempPostgres::shared().psql(store, sql).parse().unwrap()
    }

    /// Receptions of `station`, each once.
    fn receptions(&self, station: &str) -> i64 {
        match &self.store {
            Some(store) => self.count(
                store,
                &format!(
                    "SELECT count(*) FROM records WHERE entity = 'reception' AND station = '{station}'"
                ),
            ),
            None => self.book.stats(Some(station), None, None).unwrap().receptions,
        }
    }

    /// Entries of `station`'s log.
    fn entries(&self, station: &str) -> i64 {
        match &self.store {
            Some(store) => self.count(
                store,
                &format!("SELECT count(*) FROM change_log WHERE origin = '{station}'"),
            ),
            None => self
                .book
                .changes_since(Some(station), 0, None)
                .unwrap()
                .len() as i64,
        }
    }

    /// The newest bundle format `station` is known to read.
    fn reads(&self, station: &str) -> Option<u16> {
        match &self.store {
            Some(store) => u16::try_from(self.count(
                store,
                &format!("SELECT coalesce(reads, 0) FROM inbound WHERE origin = '{station}'"),
            ))
            .ok()
            .filter(|reads| *reads > 0),
            None => self.book.peer_format(station).unwrap(),
        }
    }

    /// No record edited by two origins. The shared store keeps the newest by the clock and
    /// notes no conflicts, so this holds only of the book.
    fn assert_no_conflicts(&self) {
        if self.store.is_none() {
            assert!(self.book.conflicts().unwrap().is_empty());
        }
    }
}

fn unacknowledged(book: &SharedBook) -> i64 {
    book.lock().unwrap().bundle_status().unwrap()[0].unacknowledged
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn push_and_pull_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = books(dir.path());
    let (url, stop) = start_hub(&town, None).await;
    let hub = Hub {
        url,
        code: "QX".into(),
    };
    let client = reqwest::Client::new();
    let before = unacknowledged(&station);
    assert!(before > 0);
    let outcome = sync_once(&station, &hub, &client).await.unwrap();
    assert_eq!(outcome.pushed as i64, before);
    assert_eq!(outcome.push.unwrap().applied as i64, before);
    assert_eq!(unacknowledged(&station), 0);
    assert_eq!(
        outcome.pulled.unwrap().receipts,
        1,
        "the town's bundle came back with a receipt"
    );
    let again = sync_once(&station, &hub, &client).await.unwrap();
    assert_eq!(
        (again.pushed, again.pulled.is_none()),
        (0, true),
        "in sync: nothing moves"
    );
    stop().await.unwrap();
    let held = Held::of(&town);
    assert_eq!(held.receptions("BX"), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hub_down_fails_cleanly_and_later_succeeds_with_nothing_lost() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = books(dir.path());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    let hub = Hub {
        url: format!("http://{address}"),
        code: "QX".into(),
    };
    let client = reqwest::Client::new();
    let before = unacknowledged(&station);
    let err = sync_once(&station, &hub, &client).await.unwrap_err();
    assert!(matches!(err, SyncError::Unreachable(_)), "{err}");
    assert!(err.to_string().contains("稍后自动重试"));
    assert_eq!(unacknowledged(&station), before, "the queue is untouched");

    let listener = tokio::net::TcpListener::bind(address).await.unwrap();
    let (_, stop) = start_hub(&town, Some(listener)).await;
    let outcome = sync_once(&station, &hub, &client).await.unwrap();
    assert_eq!(outcome.push.unwrap().applied as i64, before);
    stop().await.unwrap();
}

/// What the flaky proxy does to uploads.
#[derive(Clone)]
struct Flaky {
    hub: String,
    /// Uploads answered 503 before any reaches the hub.
    fail_first: usize,
    /// Uploads whose answer is cut off after the hub applied them.
    drop_first: usize,
    seen: Arc<AtomicUsize>,
}

async fn flaky(State(flaky): State<Flaky>, uri: Uri, headers: HeaderMap, body: Bytes) -> Response {
    let client = reqwest::Client::new();
    let url = format!(
        "{}{}",
        flaky.hub,
        uri.path_and_query().map_or("", |p| p.as_str())
    );
    let is_upload = uri.path() == "/api/v1/bundles";
    let n = if is_upload {
        flaky.seen.fetch_add(1, Ordering::SeqCst)
    } else {
        usize::MAX
    };
    if n < flaky.fail_first {
        return StatusCode::SERVICE_UNAVAILABLE.into_response();
    }
    let mut request = if body.is_empty() {
        client.get(&url)
    } else {
        client.post(&url).body(body)
    };
    for name in ["x-liaison-time", "x-liaison-nonce", "x-liaison-signature"] {
        if let Some(value) = headers.get(name) {
            request = request.header(name, value.to_str().unwrap());
        }
    }
    let answer = request.send().await.unwrap();
    let status = answer.status();
    let bytes = answer.bytes().await.unwrap();
    if is_upload && n < flaky.fail_first + flaky.drop_first {
        // The hub applied the bundle; the answer never arrives.
        let broken =
            futures_util::stream::once(async { Err::<Bytes, _>(std::io::Error::other("cut")) });
        return (status, Body::from_stream(broken)).into_response();
    }
    (status, bytes).into_response()
}

async fn start_proxy(flaky_config: Flaky) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let app = axum::Router::new().fallback(flaky).with_state(flaky_config);
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_is_retried_and_applied_once() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = books(dir.path());
    let (hub_url, stop) = start_hub(&town, None).await;
    let proxy = start_proxy(Flaky {
        hub: hub_url,
        fail_first: 0,
        drop_first: 1,
        seen: Arc::default(),
    })
    .await;
    let hub = Hub {
        url: proxy,
        code: "QX".into(),
    };
    let client = reqwest::Client::new();
    let before = unacknowledged(&station);
    let err = sync_once(&station, &hub, &client).await.unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert_eq!(
        unacknowledged(&station),
        before,
        "not marked sent without a receipt"
    );
    let retry = sync_once(&station, &hub, &client).await.unwrap();
    let push = retry.push.unwrap();
    assert_eq!(
        (push.applied, push.duplicates as i64),
        (0, before),
        "the hub already had them"
    );
    assert_eq!(unacknowledged(&station), 0);
    stop().await.unwrap();
    let held = Held::of(&town);
    assert_eq!(held.entries("BX"), before);
    assert_eq!(held.receptions("BX"), 3, "each reception once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_backs_off_through_5xx_and_then_syncs() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = books(dir.path());
    let (hub_url, stop) = start_hub(&town, None).await;
    let seen = Arc::new(AtomicUsize::new(0));
    let proxy = start_proxy(Flaky {
        hub: hub_url,
        fail_first: 2,
        drop_first: 0,
        seen: Arc::clone(&seen),
    })
    .await;
    let (state, mut watch) = tokio::sync::watch::channel(WorkerState::default());
    let (quit, quitting) = oneshot::channel::<()>();
    let config = WorkerConfig {
        interval: Duration::from_secs(3600),
        backoff_start: Duration::from_millis(50),
        backoff_max: Duration::from_secs(1),
    };
    let worker = tokio::spawn(run_worker(
        Arc::clone(&station),
        Hub {
            url: proxy,
            code: "QX".into(),
        },
        config,
        state,
        async {
            let _ = quitting.await;
        },
    ));
    let last = tokio::time::timeout(Duration::from_secs(20), watch.wait_for(|s| s.cycles >= 1))
        .await
        .expect("the worker got through")
        .unwrap()
        .clone();
    assert_eq!(
        seen.load(Ordering::SeqCst),
        3,
        "two 503s, then the upload that went through"
    );
    assert_eq!(last.failures, 0);
    assert_eq!(unacknowledged(&station), 0);
    quit.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), worker)
        .await
        .unwrap()
        .unwrap();
    stop().await.unwrap();
}

/// A station copied back from an older backup file (not restored), with a new reception under a
/// number the town already holds: the hub refuses it (409) with the reason, the cycle still
/// takes the town's bundle, whose receipt names the town's entry at that number (not the
/// station's), so the station stops sending; the next cycle brings the town's copy back and the
/// reception follows it under a new number, and the one after sends it: nothing lost, nothing
/// doubled.
/// A town and a station both upgraded from a version-12 book (migration 013 knows each at the
/// older formats): the first cycle still works in format 1 (the hub answers the station's
/// format-1 upload without the hash), and its upload's log version tells the town that the
/// station reads 3, so the pull of the same cycle is format 3; from the next cycle both write 3.
/// Nothing is sent twice, nothing held back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn books_upgraded_on_both_sides_reach_format_3_in_one_cycle() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = books(dir.path());
    liaison_testkit::previous_release::enrolled_before_the_upgrade(&town, "BX");
    liaison_testkit::previous_release::enrolled_before_the_upgrade(&dir.path().join("bx.db"), "QX");
    let (url, stop) = start_hub(&town, None).await;
    let hub = Hub {
        url,
        code: "QX".into(),
    };
    let client = reqwest::Client::new();
    let first = sync_once(&station, &hub, &client).await.unwrap();
    assert_eq!(first.pushed, 3);
    assert_eq!(first.pulled.expect("the town's bundle").receipts, 1);
    assert_eq!(station.lock().unwrap().peer_format("QX").unwrap(), Some(3));
    station
        .lock()
        .unwrap()
        .add_reception(liaison_testkit::reception("陈建国", "升级之后"))
        .unwrap();
    let second = sync_once(&station, &hub, &client).await.unwrap();
    assert_eq!((second.pushed, second.push.unwrap().applied), (1, 1));
    assert_eq!(unacknowledged(&station), 0);
    assert!(
        station.lock().unwrap().bundle_status().unwrap()[0]
            .held_back
            .is_none()
    );
    stop().await.unwrap();
    let held = Held::of(&town);
    assert_eq!(held.reads("BX"), Some(3));
    assert_eq!(held.receptions("BX"), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_restored_from_an_old_backup_holds_back_and_loses_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = books(dir.path());
    let backup = dir.path().join("station-backup.db");
    station.lock().unwrap().backup_to(&backup).unwrap();
    station
        .lock()
        .unwrap()
        .add_reception(liaison_testkit::reception("陈建国", "备份之后的一件"))
        .unwrap();
    let (url, stop) = start_hub(&town, None).await;
    let hub = Hub {
        url,
        code: "QX".into(),
    };
    let client = reqwest::Client::new();
    sync_once(&station, &hub, &client).await.unwrap();

    // The station's disk dies; the backup lacks the fourth reception. A new one reuses its number.
    let restored: SharedBook = Arc::new(Mutex::new(Book::open(&backup).unwrap()));
    let added = restored
        .lock()
        .unwrap()
        .add_reception(liaison_testkit::reception("陈建国", "恢复之后新登记的一件"))
        .unwrap();
    let first = sync_once(&restored, &hub, &client).await.unwrap_err();
    assert!(first.is_log_behind_peer(), "{first}");
    assert!(!first.is_transient());
    assert!(
        matches!(first, SyncError::Refused { .. }),
        "the hub refused: {first}"
    );
    assert!(first.to_string().contains("备份"), "{first}");
    // The hub's refusal is not signed and is not kept; the town's receipt in its bundle is.
    let held_back = restored.lock().unwrap().bundle_status().unwrap()[0]
        .held_back
        .clone();
    assert!(
        held_back.as_deref().is_some_and(|why| why.contains("不同")),
        "{held_back:?}"
    );
    // The next cycle sends no record and takes the town's copy back: the record typed since
    // follows it under a new number. The cycle after sends it.
    let second = sync_once(&restored, &hub, &client).await.unwrap();
    assert_eq!(second.pushed, 0, "held back: only the receipt goes up");
    assert_eq!(second.pulled.expect("the town's copy").renumbered, 1);
    let renumbered = restored.lock().unwrap().renumbered().unwrap();
    assert_eq!(renumbered.len(), 1);
    assert_eq!(renumbered[0].former, added.case_no);
    assert_eq!(
        restored
            .lock()
            .unwrap()
            .case(&renumbered[0].number)
            .unwrap()
            .reception
            .matter,
        "恢复之后新登记的一件",
        "kept at the station, under its new number"
    );
    let third = sync_once(&restored, &hub, &client).await.unwrap();
    assert_eq!(third.pushed, 1, "the typed one goes up now");
    stop().await.unwrap();
    let held = Held::of(&town);
    assert_eq!(held.receptions("BX"), 5);
    held.assert_no_conflicts();
}

/// A station restored from an older backup before anyone typed: its first cycle through the
/// hub says how far it holds its log, the town's bundle in the same cycle brings back what the
/// backup missed, and the next reception is numbered after them, with nothing doubled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_restored_from_an_old_backup_gets_back_what_it_missed_through_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = books(dir.path());
    let (url, stop) = start_hub(&town, None).await;
    let hub = Hub {
        url,
        code: "QX".into(),
    };
    let client = reqwest::Client::new();
    sync_once(&station, &hub, &client).await.unwrap();
    let backup = station
        .lock()
        .unwrap()
        .backup_into(&dir.path().join("U盘"), Some(10))
        .unwrap();
    let mut lost = Vec::new();
    for matter in ["备份之后：村道塌方", "备份之后：饮水管破裂"] {
        let added = station
            .lock()
            .unwrap()
            .add_reception(liaison_testkit::reception("陈建国", matter))
            .unwrap();
        lost.push(added.case_no);
    }
    sync_once(&station, &hub, &client).await.unwrap();
    let head = station.lock().unwrap().own_last_seq().unwrap();
    drop(station);

    let restored = Book::restore(
        Path::new(&backup.path),
        &dir.path().join("restored.db"),
        None,
    )
    .unwrap();
    let restored: SharedBook = Arc::new(Mutex::new(restored));
    let outcome = sync_once(&restored, &hub, &client).await.unwrap();
    let pulled = outcome.pulled.expect("the town's bundle");
    assert!(pulled.recovered >= lost.len(), "{pulled:?}");
    let next = {
        let mut book = restored.lock().unwrap();
        for case_no in &lost {
            assert!(
                book.case(case_no)
                    .unwrap()
                    .reception
                    .matter
                    .starts_with("备份之后")
            );
        }
        assert_eq!(book.own_last_seq().unwrap(), head);
        book.add_reception(liaison_testkit::reception("陈建国", "恢复之后的一件"))
            .unwrap()
    };
    assert!(next.case_no > lost[1], "{} after {}", next.case_no, lost[1]);
    sync_once(&restored, &hub, &client).await.unwrap();
    stop().await.unwrap();
    let held = Held::of(&town);
    assert_eq!(held.receptions("BX"), 6);
    held.assert_no_conflicts();
}

/// A station restored from an older backup, where the deputy typed two receptions before the
/// first sync: through the hub, the first cycle brings back what the backup missed and the two
/// follow it under new numbers (their old ones were the town's); the next cycle sends them,
/// and the town holds everything once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn receptions_typed_after_a_restore_take_new_numbers_through_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = books(dir.path());
    let (url, stop) = start_hub(&town, None).await;
    let hub = Hub {
        url,
        code: "QX".into(),
    };
    let client = reqwest::Client::new();
    sync_once(&station, &hub, &client).await.unwrap();
    let backup = station
        .lock()
        .unwrap()
        .backup_into(&dir.path().join("U盘"), None)
        .unwrap();
    for matter in ["备份之后：村道塌方", "备份之后：饮水管破裂"] {
        station
            .lock()
            .unwrap()
            .add_reception(liaison_testkit::reception("陈建国", matter))
            .unwrap();
    }
    sync_once(&station, &hub, &client).await.unwrap();
    drop(station);

    let restored = Book::restore(
        Path::new(&backup.path),
        &dir.path().join("restored.db"),
        None,
    )
    .unwrap();
    let restored: SharedBook = Arc::new(Mutex::new(restored));
    let typed: Vec<String> = ["恢复之后：路灯不亮", "恢复之后：垃圾清运"]
        .into_iter()
        .map(|matter| {
            restored
                .lock()
                .unwrap()
                .add_reception(liaison_testkit::reception("陈建国", matter))
                .unwrap()
                .case_no
        })
        .collect();
    let outcome = sync_once(&restored, &hub, &client).await.unwrap();
    assert_eq!(outcome.pushed, 0, "held back: only the receipt goes up");
    let pulled = outcome.pulled.expect("the town's bundle");
    assert_eq!(pulled.renumbered, 2, "{pulled:?}");
    {
        let book = restored.lock().unwrap();
        for case_no in &typed {
            assert!(
                book.case(case_no)
                    .unwrap()
                    .reception
                    .matter
                    .starts_with("备份之后"),
                "{case_no} is the town's again"
            );
        }
        let renumbered = book.renumbered().unwrap();
        let formers: Vec<&str> = renumbered.iter().map(|r| r.former.as_str()).collect();
        assert_eq!(formers, typed);
    }
    let second = sync_once(&restored, &hub, &client).await.unwrap();
    assert!(second.pushed > 0, "the typed ones go up now");
    stop().await.unwrap();
    let held = Held::of(&town);
    assert_eq!(held.receptions("BX"), 3 + 2 + 2);
    held.assert_no_conflicts();
}

/// A hub (here a fake one on 127.0.0.1) that answers a pull with more than the station takes:
/// the station stops reading past [`liaison_sync::MAX_PULL_BYTES`] and refuses it, whether the
/// length was announced or not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pulled_bundle_over_the_cap_is_refused_while_it_streams() {
    use std::sync::atomic::AtomicU64;
    let dir = tempfile::tempdir().unwrap();
    let (_, station) = books(dir.path());
    let sent = Arc::new(AtomicU64::new(0));
    let answer_upload = || async {
        axum::Json(casebook::bundle::UploadAnswer {
            imported: Default::default(),
            receipt: None,
        })
    };
    let giant = {
        let sent = Arc::clone(&sent);
        move || {
            let sent = Arc::clone(&sent);
            async move {
                let chunk = Bytes::from(vec![0u8; 1024 * 1024]);
                // Twice the cap, a MiB at a time, counting what actually left.
                let chunks = (0..2 * liaison_sync::MAX_PULL_BYTES / (1024 * 1024)).map(move |_| {
                    sent.fetch_add(1024 * 1024, Ordering::SeqCst);
                    Ok::<_, std::io::Error>(chunk.clone())
                });
                Body::from_stream(futures_util::stream::iter(chunks))
            }
        }
    };
    let app = axum::Router::new()
        .route("/api/v1/bundles", axum::routing::post(answer_upload))
        .route("/api/v1/bundles/outgoing", axum::routing::get(giant));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });

    let hub = Hub {
        url,
        code: "QX".into(),
    };
    let refused = sync_once(&station, &hub, &liaison_sync::client()).await;
    match refused {
        Err(SyncError::Refused { kind, .. }) => assert_eq!(kind, casebook::ErrorKind::TooLarge),
        other => panic!("expected a refusal, got {other:?}"),
    }
    let streamed = sent.load(Ordering::SeqCst);
    assert!(
        streamed < 2 * liaison_sync::MAX_PULL_BYTES,
        "the station stopped reading early ({streamed} bytes sent)"
    );
}
