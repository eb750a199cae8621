//! The hub on a real socket (127.0.0.1, a free port), with real books on disk on both sides.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;
use std::time::Duration;

use casebook::bundle::{Refusal, UploadAnswer};
use casebook::store::BookKind;
use casebook::{Book, ErrorKind};
use liaison_hub::{AdminToken, HubConfig, NONCE_HEADER, SIGNATURE_HEADER, TIME_HEADER, serve};
use liaison_testkit::enroll;
use reqwest::StatusCode;
use tempfile::TempDir;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

struct Running {
    dir: TempDir,
    store: common::TestStore,
    station: Book,
    base: String,
    client: reqwest::Client,
    stop: Option<oneshot::Sender<()>>,
    server: Option<JoinHandle<std::io::Result<()>>>,
}

/// A town hub with one enrolled station (BX) that already has the town's roster.
async fn start(config: HubConfig) -> Running {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = liaison_testkit::town_and_station(dir.path());
    start_with(dir, town, station, config).await
}

/// A hub over `town`, for `station`.
async fn start_with(dir: TempDir, town: Book, station: Book, config: HubConfig) -> Running {
    let (config, store) = common::with_test_store(config, &town.origin().code).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = oneshot::channel();
    let server = tokio::spawn(serve(listener, town, config, async {
        let _ = stopped.await;
    }));
    Running {
        dir,
        store,
        station,
        base,
        client: reqwest::Client::new(),
        stop: Some(stop),
        server: Some(server),
    }
}

impl Running {
    async fn upload(&self, bytes: Vec<u8>) -> reqwest::Response {
        self.client
            .post(format!("{}/api/v1/bundles", self.base))
            .body(bytes)
            .send()
            .await
            .unwrap()
    }

    async fn pull(&self, request: &casebook::bundle::PullRequest) -> reqwest::Response {
        self.client
            .get(format!("{}/api/v1/bundles/outgoing", self.base))
            .query(&[("station", request.station.as_str())])
            .header(TIME_HEADER, &request.time)
            .header(NONCE_HEADER, &request.nonce)
            .header(SIGNATURE_HEADER, &request.signature)
            .send()
            .await
            .unwrap()
    }

    async fn stop(mut self) {
        self.stop.take().unwrap().send(()).unwrap();
        let server = self.server.take().unwrap();
        tokio::time::timeout(Duration::from_secs(10), server)
            .await
            .expect("the hub stops on the signal")
            .unwrap()
            .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn upload_answers_with_a_signed_receipt_and_a_repeat_changes_nothing() {
    let mut hub = start(HubConfig::default()).await;
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "村道路灯损坏"))
        .unwrap();
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "水渠堵塞"))
        .unwrap();
    let sealed = hub.station.seal_bundle("QX").unwrap().unwrap();
    hub.station.record_export("QX", &sealed).unwrap();

    let response = hub.upload(sealed.bytes.clone()).await;
    assert_eq!(response.status(), StatusCode::OK);
    let answer: UploadAnswer = response.json().await.unwrap();
    assert_eq!(answer.imported.applied, sealed.changes);
    let receipt = answer.receipt.expect("a receipt");
    assert_eq!(
        receipt.last_entry.as_ref().map(|last| last.seq),
        Some(sealed.to_seq),
        "the receipt names the station's last entry by its hash"
    );
    hub.station.take_receipt(&receipt).unwrap();
    let status = hub.station.bundle_status().unwrap();
    assert!(status[0].held_back.is_none(), "{:?}", status[0].held_back);
    assert_eq!(
        (status[0].acknowledged_seq, status[0].unacknowledged),
        (sealed.to_seq, 0)
    );

    let again: UploadAnswer = hub.upload(sealed.bytes).await.json().await.unwrap();
    assert_eq!(
        (again.imported.applied, again.imported.duplicates),
        (0, sealed.changes)
    );

    let page = hub
        .client
        .get(format!("{}/", hub.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let page = page.text().await.unwrap();
    assert!(page.contains("同步状态") && page.contains("BX"), "{page}");
    assert!(
        !page.contains("梁秀英"),
        "no visitor data on the status page"
    );
    let health = hub
        .client
        .get(format!("{}/healthz", hub.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_signed_pull_gets_the_towns_bundle_once() {
    let mut hub = start(HubConfig::default()).await;
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "村道路灯损坏"))
        .unwrap();
    let sealed = hub.station.seal_bundle("QX").unwrap().unwrap();
    assert_eq!(hub.upload(sealed.bytes).await.status(), StatusCode::OK);

    let request = hub.station.pull_request().unwrap();
    let response = hub.pull(&request).await;
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = response.bytes().await.unwrap();
    let imported = hub.station.import_bundle(&bytes).unwrap();
    assert_eq!(
        imported.receipts, 1,
        "the town's bundle carries the receipt"
    );

    let replayed = hub.pull(&request).await;
    assert_eq!(replayed.status(), StatusCode::FORBIDDEN);
    let refusal: Refusal = replayed.json().await.unwrap();
    assert_eq!(refusal.kind, ErrorKind::BadSignature);

    let unsigned = hub
        .client
        .get(format!("{}/api/v1/bundles/outgoing?station=BX", hub.base))
        .send()
        .await
        .unwrap();
    assert_eq!(unsigned.status(), StatusCode::BAD_REQUEST);

    let nothing = hub.pull(&hub.station.pull_request().unwrap()).await;
    assert_eq!(nothing.status(), StatusCode::NO_CONTENT);
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tampered_unknown_oversized_and_too_fast_uploads_are_refused() {
    let config = HubConfig {
        max_upload: 64 * 1024,
        uploads_per_minute: 3,
        ..HubConfig::default()
    };
    let mut hub = start(config).await;
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "篡改"))
        .unwrap();
    let bytes = hub.station.seal_bundle("QX").unwrap().unwrap().bytes;

    let mut tampered = bytes.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 1;
    let response = hub.upload(tampered).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json::<Refusal>().await.unwrap().kind,
        ErrorKind::BadBundle
    );

    let dir = tempfile::tempdir().unwrap();
    let mut stranger = Book::create(
        &dir.path().join("nt.db"),
        "NT",
        "南塘村联络站",
        BookKind::Station,
    )
    .unwrap();
    let mut lookalike =
        Book::create(&dir.path().join("qx.db"), "QX", "假镇", BookKind::Town).unwrap();
    enroll(&mut stranger, &mut lookalike);
    let roster = liaison_testkit::roster();
    stranger.import_roster(&roster).unwrap();
    stranger
        .add_reception(liaison_testkit::reception("陈建国", "陌生站点"))
        .unwrap();
    let foreign = stranger.seal_bundle("QX").unwrap().unwrap().bytes;
    assert_eq!(hub.upload(foreign).await.status(), StatusCode::FORBIDDEN);

    let oversized = vec![0u8; 128 * 1024];
    assert_eq!(
        hub.upload(oversized).await.status(),
        StatusCode::PAYLOAD_TOO_LARGE
    );

    // Only authenticated uploads that add something count: the tampered one did not; three
    // are admitted this minute (each sealed anew), the fourth is not.
    assert_eq!(hub.upload(bytes.clone()).await.status(), StatusCode::OK);
    for _ in 0..2 {
        let resealed = hub.station.seal_bundle("QX").unwrap().unwrap().bytes;
        assert_eq!(hub.upload(resealed).await.status(), StatusCode::OK);
    }
    let resealed = hub.station.seal_bundle("QX").unwrap().unwrap().bytes;
    let too_fast = hub.upload(resealed).await;
    assert_eq!(too_fast.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(too_fast.headers().contains_key("retry-after"));
    // A file already imported is still answered: it costs nothing.
    assert_eq!(hub.upload(bytes).await.status(), StatusCode::OK);
    hub.stop().await;
}

/// The `liaison-hub` binary as an operator runs it: prints its address, serves, stops on SIGTERM.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_process_serves_and_stops_on_sigterm() {
    let store = common::test_store_args();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("town.db");
    drop(Book::create(&db, "QX", "清溪镇人大", BookKind::Town).unwrap());
    let (mut child, url) = hub_process(&db, &[], &store);
    let health = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "a graceful stop exits 0: {exit:?}");
}

/// The hub binary on the book at `db`, with `extra` arguments; its process and base URL.
fn hub_process(
    db: &Path,
    extra: &[&std::ffi::OsStr],
    store: &common::StoreArgs,
) -> (std::process::Child, String) {
    let args: Vec<&std::ffi::OsStr> = extra
        .iter()
        .copied()
        .chain(store.args.iter().map(std::ffi::OsStr::new))
        .collect();
    let (child, address) = common::spawn_hub(db, &args);
    (child, format!("http://{address}"))
}

/// The hub killed (SIGKILL) while it imports a large upload: after a restart the retry applies
/// every change exactly once, whether or not the first import had committed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hub_killed_during_an_upload_applies_the_retry_once() {
    let store = common::test_store_args();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("town.db");
    let (mut town, mut station) = liaison_testkit::empty_town_and_station(dir.path());
    casebook_demo::fill(
        &mut station,
        &casebook_demo::DemoOptions {
            receptions: 1500,
            seed: 4,
        },
        |_, _| {},
    )
    .unwrap();
    enroll(&mut town, &mut station);
    drop(town);
    let sealed = station.seal_bundle("QX").unwrap().unwrap();

    let (mut hub, url) = hub_process(&db, &[], &store);
    let client = reqwest::Client::new();
    let upload = tokio::spawn({
        let (client, url, bytes) = (client.clone(), url.clone(), sealed.bytes.clone());
        async move {
            client
                .post(format!("{url}/api/v1/bundles"))
                .body(bytes)
                .send()
                .await
        }
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    hub.kill().unwrap();
    hub.wait().unwrap();
    let first = upload.await.unwrap();
    let first_applied = match first {
        Ok(response) if response.status().is_success() => response
            .json::<UploadAnswer>()
            .await
            .map_or(0, |a| a.imported.applied),
        _ => 0,
    };

    let (mut hub, url) = hub_process(&db, &[], &store);
    let retry: UploadAnswer = client
        .post(format!("{url}/api/v1/bundles"))
        .body(sealed.bytes.clone())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        retry.imported.applied + retry.imported.duplicates,
        sealed.changes
    );
    assert!(first_applied == 0 || retry.imported.applied == 0);
    hub.kill().unwrap();
    hub.wait().unwrap();
    assert_eq!(
        common::entries_held(&db, &store.server, "BX"),
        sealed.changes
    );
    assert_eq!(
        common::case_numbers_held(&db, &store.server).len(),
        1500,
        "each reception once"
    );
}

/// Stations enrolled or revoked (by `casebook peer …` on the same book) while the hub runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn enrolment_and_revocation_while_running_take_effect() {
    let mut hub = start(HubConfig::default()).await;
    let town_path = hub.dir.path().join("town.db");
    let mut operator = Book::open(&town_path).unwrap();

    let dir = tempfile::tempdir().unwrap();
    let mut newcomer = Book::create(
        &dir.path().join("nt.db"),
        "NT",
        "南塘村联络站",
        BookKind::Station,
    )
    .unwrap();
    let roster = liaison_testkit::roster();
    newcomer.import_roster(&roster).unwrap();
    newcomer
        .add_reception(liaison_testkit::reception("陈建国", "新站点的第一件"))
        .unwrap();
    enroll(&mut operator, &mut newcomer);
    let bytes = newcomer.seal_bundle("QX").unwrap().unwrap().bytes;
    assert_eq!(
        hub.upload(bytes).await.status(),
        StatusCode::OK,
        "a station enrolled after start"
    );

    operator.revoke_peer("BX").unwrap();
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "吊销之后"))
        .unwrap();
    let bytes = hub.station.seal_bundle("QX").unwrap().unwrap().bytes;
    let refused = hub.upload(bytes).await;
    assert_eq!(
        refused.status(),
        StatusCode::FORBIDDEN,
        "revoked after the hub read the keys"
    );
    assert_eq!(
        refused.json::<Refusal>().await.unwrap().kind,
        ErrorKind::UnknownOrigin
    );
    hub.stop().await;
}

/// A town restored from an older backup learns it from a station's signed receipt and stops
/// sending; a station's pull is then told to wait (503), not shown the town's own trouble.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_town_behind_its_stations_asks_them_to_wait() {
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = liaison_testkit::empty_town_and_station(dir.path());
    enroll(&mut town, &mut station);
    let backup = dir.path().join("town-backup.db");
    town.backup_to(&backup).unwrap();
    town.import_roster(&liaison_testkit::roster()).unwrap();
    let roster = town.seal_bundle("BX").unwrap().unwrap();
    station.import_bundle(&roster.bytes).unwrap();
    drop(town);

    // The town's disk dies; the backup is from before the roster.
    let restored = Book::open(&backup).unwrap();
    let mut hub = start_with(dir, restored, station, HubConfig::default()).await;
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "村道路灯损坏"))
        .unwrap();
    let sealed = hub.station.seal_bundle("QX").unwrap().unwrap();
    let upload = hub.upload(sealed.bytes).await;
    assert_eq!(
        upload.status(),
        StatusCode::OK,
        "the station's records arrive"
    );
    let pull = hub.pull(&hub.station.pull_request().unwrap()).await;
    assert_eq!(pull.status(), StatusCode::SERVICE_UNAVAILABLE);
    let refusal: Refusal = pull.json().await.unwrap();
    assert_eq!(refusal.kind, ErrorKind::TownNeedsRecovery);
    assert!(refusal.message.contains("稍后"), "{}", refusal.message);
    hub.stop().await;
}

/// A station restored from an older backup sends a record under a number the town holds for
/// another: 409 with the reason, and the status page shows it to the town office until the
/// station's next accepted upload.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reused_number_is_refused_409_and_shown_on_the_status_page() {
    let mut hub = start(HubConfig::default()).await;
    let backup = hub.dir.path().join("bx-backup.db");
    hub.station.backup_to(&backup).unwrap();
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "备份之后的一件"))
        .unwrap();
    let first = hub.station.seal_bundle("QX").unwrap().unwrap();
    assert_eq!(hub.upload(first.bytes).await.status(), StatusCode::OK);

    let mut restored = Book::open(&backup).unwrap();
    restored
        .add_reception(liaison_testkit::reception("陈建国", "恢复之后的一件"))
        .unwrap();
    let reused = restored.seal_bundle("QX").unwrap().unwrap();
    let response = hub.upload(reused.bytes).await;
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let refusal: Refusal = response.json().await.unwrap();
    assert_eq!(refusal.kind, ErrorKind::LogBehindPeer);
    assert!(refusal.message.contains("备份"), "{}", refusal.message);

    let page = hub
        .client
        .get(format!("{}/", hub.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("最近一次拒收"), "{page}");
    assert!(page.contains("未导入"), "the reason is on the page: {page}");
    assert!(
        !page.contains("恢复之后的一件"),
        "no record text on the page"
    );
    hub.stop().await;
}

/// A station that edits its own book to file a case under another station's code: 400
/// `not_owner`, the bundle kept aside with the reason on the status page, and once the book is
/// honest again the same numbers go through.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_record_of_another_station_is_refused_as_not_owner_and_shown_on_the_status_page() {
    let mut hub = start(HubConfig::default()).await;
    let case = hub
        .station
        .add_reception(liaison_testkit::reception("陈建国", "村道路灯损坏"))
        .unwrap()
        .case_no;
    let squatted = case.replacen("BX-", "NT-", 1);
    let book = hub.dir.path().join("bx.db");
    let swap = |from: &str, to: &str| liaison_testkit::hostile::rewrite_receptions(&book, from, to);
    swap(&case, &squatted);
    let forged = hub.station.seal_bundle("QX").unwrap().unwrap();
    let response = hub.upload(forged.bytes).await;
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let refusal: Refusal = response.json().await.unwrap();
    assert_eq!(refusal.kind, ErrorKind::NotOwner);
    assert!(refusal.message.contains(&squatted), "{}", refusal.message);

    let page = hub
        .client
        .get(format!("{}/", hub.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("1（最近拒收："),
        "kept aside, with why: {page}"
    );
    assert!(!page.contains("村道路灯损坏"), "no record text on the page");

    swap(&squatted, &case);
    let honest = hub.station.seal_bundle("QX").unwrap().unwrap();
    let answer: UploadAnswer = hub.upload(honest.bytes).await.json().await.unwrap();
    assert_eq!(answer.imported.applied, 1);
    hub.stop().await;
}

impl Running {
    async fn status_page(
        &self,
        build: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
    ) -> reqwest::Response {
        build(self.client.get(format!("{}/", self.base)))
            .send()
            .await
            .unwrap()
    }
}

/// Without a token the status page opens on the hub's own machine only: not for another
/// machine, nor through a reverse proxy (whose requests come from loopback too).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_token_the_status_page_is_for_this_machine_only() {
    let hub = start(HubConfig::default()).await;
    assert_eq!(hub.status_page(|r| r).await.status(), StatusCode::OK);
    let proxied = hub
        .status_page(|r| r.header("X-Forwarded-For", "203.0.113.9"))
        .await;
    assert_eq!(proxied.status(), StatusCode::FORBIDDEN);
    let refusal: Refusal = proxied.json().await.unwrap();
    assert_eq!(refusal.kind, ErrorKind::Forbidden);
    assert!(
        refusal.message.contains("--admin-token-file"),
        "{}",
        refusal.message
    );
    hub.stop().await;
}

/// With a token file set, the token is needed from anywhere, this machine included; a browser
/// is asked for it (HTTP Basic), and a wrong one is refused like none.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_a_token_the_status_page_needs_it_even_from_this_machine() {
    const TOKEN: &str = "k3Vq-7fJz-Wm2p-Xr9d";
    let config = HubConfig {
        admin_token: Some(AdminToken::new(TOKEN).unwrap()),
        ..HubConfig::default()
    };
    let hub = start(config).await;

    let none = hub.status_page(|r| r).await;
    assert_eq!(none.status(), StatusCode::UNAUTHORIZED);
    let challenge = none.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_owned();
    assert!(challenge.starts_with("Basic "), "{challenge}");
    assert_eq!(
        none.json::<Refusal>().await.unwrap().kind,
        ErrorKind::Unauthorized
    );

    let wrong = hub
        .status_page(|r| r.basic_auth("admin", Some("k3Vq-7fJz-Wm2p-Xr9e")))
        .await;
    assert_eq!(wrong.status(), StatusCode::UNAUTHORIZED);
    let in_the_url = hub
        .client
        .get(format!("{}/?token={TOKEN}", hub.base))
        .send()
        .await
        .unwrap();
    assert_eq!(in_the_url.status(), StatusCode::UNAUTHORIZED);

    let right = hub
        .status_page(|r| r.basic_auth("镇人大", Some(TOKEN)))
        .await;
    assert_eq!(right.status(), StatusCode::OK);
    assert!(right.text().await.unwrap().contains("同步状态"));
    let health = hub
        .client
        .get(format!("{}/healthz", hub.base))
        .send()
        .await
        .unwrap();
    assert_eq!(
        health.status(),
        StatusCode::OK,
        "the health check stays open"
    );
    hub.stop().await;
}

/// An unknown station and a revoked one get the same 403, for uploads and for pulls.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_and_revoked_stations_get_the_same_answer() {
    let mut hub = start(HubConfig::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let mut stranger = Book::create(
        &dir.path().join("nt.db"),
        "NT",
        "南塘村联络站",
        BookKind::Station,
    )
    .unwrap();
    let mut lookalike =
        Book::create(&dir.path().join("qx.db"), "QX", "假镇", BookKind::Town).unwrap();
    enroll(&mut stranger, &mut lookalike);
    stranger.import_roster(&liaison_testkit::roster()).unwrap();
    stranger
        .add_reception(liaison_testkit::reception("陈建国", "陌生站点"))
        .unwrap();
    let unknown_upload = hub
        .upload(stranger.seal_bundle("QX").unwrap().unwrap().bytes)
        .await;
    let unknown_pull = hub.pull(&stranger.pull_request().unwrap()).await;

    let mut operator = Book::open(&hub.dir.path().join("town.db")).unwrap();
    operator.revoke_peer("BX").unwrap();
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "吊销之后"))
        .unwrap();
    let bytes = hub.station.seal_bundle("QX").unwrap().unwrap().bytes;
    let revoked_upload = hub.upload(bytes).await;
    let revoked_pull = hub.pull(&hub.station.pull_request().unwrap()).await;

    let mut answers = Vec::new();
    for response in [unknown_upload, revoked_upload, unknown_pull, revoked_pull] {
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let refusal: Refusal = response.json().await.unwrap();
        answers.push((refusal.kind, refusal.message));
    }
    assert_eq!(answers[0].0, ErrorKind::UnknownOrigin);
    assert!(
        answers.iter().all(|answer| *answer == answers[0]),
        "{answers:?}"
    );
    assert!(!answers[0].1.contains("吊销"), "{}", answers[0].1);
    hub.stop().await;
}

/// A captured bundle posted 100 times is answered with the receipt each time, is not imported
/// again, and does not use up the station's minute: its next real bundle is taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bundle_replayed_100_times_leaves_the_station_free_to_sync() {
    let config = HubConfig {
        uploads_per_minute: 3,
        ..HubConfig::default()
    };
    let mut hub = start(config).await;
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "村道路灯损坏"))
        .unwrap();
    let captured = hub.station.seal_bundle("QX").unwrap().unwrap();
    hub.station.record_export("QX", &captured).unwrap();
    let first: UploadAnswer = hub
        .upload(captured.bytes.clone())
        .await
        .json()
        .await
        .unwrap();
    hub.station
        .take_receipt(first.receipt.as_ref().unwrap())
        .unwrap();
    let town = Book::open(&hub.dir.path().join("town.db")).unwrap();
    let imported_at = |town: &Book| {
        town.bundle_status()
            .unwrap()
            .into_iter()
            .find(|s| s.peer == "BX")
            .unwrap()
            .last_import_at
    };
    let before = imported_at(&town);

    for _ in 0..100 {
        let response = hub.upload(captured.bytes.clone()).await;
        assert_eq!(response.status(), StatusCode::OK);
        let answer: UploadAnswer = response.json().await.unwrap();
        assert_eq!(
            (answer.imported.applied, answer.imported.duplicates),
            (0, captured.changes)
        );
        assert_eq!(
            answer.receipt.unwrap().acked_to,
            first.receipt.as_ref().unwrap().acked_to
        );
    }
    assert_eq!(imported_at(&town), before, "the replays were not imported");

    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "水渠堵塞"))
        .unwrap();
    let next = hub.station.seal_bundle("QX").unwrap().unwrap();
    let response = hub.upload(next.bytes).await;
    assert_eq!(response.status(), StatusCode::OK, "the station still syncs");
    let answer: UploadAnswer = response.json().await.unwrap();
    assert_eq!(answer.imported.applied, next.changes);
    hub.stop().await;
}

/// Pulls count per station, once their signature is checked: a forged pull naming the station
/// does not use up its minute.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pulls_are_rate_limited_per_station() {
    let config = HubConfig {
        pulls_per_minute: 2,
        ..HubConfig::default()
    };
    let hub = start(config).await;
    let mut forged = hub.station.pull_request().unwrap();
    forged.nonce = "AAAAAAAAAAAAAAAAAAAAAA==".into();
    for _ in 0..5 {
        assert_eq!(hub.pull(&forged).await.status(), StatusCode::FORBIDDEN);
    }
    for _ in 0..2 {
        let pulled = hub.pull(&hub.station.pull_request().unwrap()).await;
        assert!(pulled.status().is_success(), "{}", pulled.status());
    }
    let too_fast = hub.pull(&hub.station.pull_request().unwrap()).await;
    assert_eq!(too_fast.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = too_fast.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=61).contains(&wait), "{wait}");
    assert_eq!(
        too_fast.json::<Refusal>().await.unwrap().kind,
        ErrorKind::TooFast
    );
    hub.stop().await;
}

/// A station's own keys sign and seal zstd bombs: the hub refuses each as `bad_bundle` (its
/// per-upload cap), and the station's real bundle is still taken.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_zstd_bombs_are_refused_and_the_station_still_syncs() {
    use liaison_testkit::hostile::{BOMB_PREFIX, seal_compressed, zstd_bomb};
    const GIB: u64 = 1024 * 1024 * 1024;
    let config = HubConfig {
        max_payload_bytes: 8 * 1024 * 1024,
        ..HubConfig::default()
    };
    let mut hub = start(config).await;
    let town = Book::open(&hub.dir.path().join("town.db")).unwrap();
    let station_path = hub.dir.path().join("bx.db");
    let total = BOMB_PREFIX.len() as u64 + 16 * GIB;
    for (name, declared) in [("honest", Some(total)), ("lying", Some(4 * 1024 * 1024))] {
        let bomb = zstd_bomb(16 * GIB, declared);
        let bundle = seal_compressed(&hub.station, &station_path, &town, &bomb, (1, 0));
        let response = hub.upload(bundle).await;
        assert_eq!(response.status(), StatusCode::BAD_REQUEST, "{name}");
        assert_eq!(
            response.json::<Refusal>().await.unwrap().kind,
            ErrorKind::BadBundle
        );
    }
    // Just over the cap is refused too; the same frame under it is a valid (empty) bundle.
    let over = zstd_bomb(
        8 * 1024 * 1024,
        Some(BOMB_PREFIX.len() as u64 + 8 * 1024 * 1024),
    );
    let bundle = seal_compressed(&hub.station, &station_path, &town, &over, (1, 0));
    assert_eq!(hub.upload(bundle).await.status(), StatusCode::BAD_REQUEST);
    let under = zstd_bomb(1024, Some(BOMB_PREFIX.len() as u64 + 1024));
    let bundle = seal_compressed(&hub.station, &station_path, &town, &under, (1, 0));
    assert_eq!(hub.upload(bundle).await.status(), StatusCode::OK);

    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "村道路灯损坏"))
        .unwrap();
    let sealed = hub.station.seal_bundle("QX").unwrap().unwrap();
    let answer: UploadAnswer = hub.upload(sealed.bytes).await.json().await.unwrap();
    assert_eq!(answer.imported.applied, sealed.changes);
    hub.stop().await;
}

/// The binary reads the token from `--admin-token-file`, refuses a short one, and then asks for
/// it on the status page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_process_takes_its_admin_token_from_a_file() {
    let store = common::test_store_args();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("town.db");
    drop(Book::create(&db, "QX", "清溪镇人大", BookKind::Town).unwrap());
    let token_file = dir.path().join("admin.token");

    std::fs::write(&token_file, "short\n").unwrap();
    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_liaison-hub"))
        .arg("--db")
        .arg(&db)
        .args(["--listen", "127.0.0.1:0", "--admin-token-file"])
        .arg(&token_file)
        .output()
        .unwrap();
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("太短"), "{said}");

    std::fs::write(&token_file, "k3Vq-7fJz-Wm2p-Xr9d\n").unwrap();
    let (mut hub, url) = hub_process(
        &db,
        &["--admin-token-file".as_ref(), token_file.as_ref()],
        &store,
    );
    let client = reqwest::Client::new();
    let page = |token: Option<&'static str>| {
        let request = client.get(format!("{url}/"));
        let request = match token {
            Some(token) => request.basic_auth("admin", Some(token)),
            None => request,
        };
        request.send()
    };
    assert_eq!(page(None).await.unwrap().status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        page(Some("k3Vq-7fJz-Wm2p-Xr9d")).await.unwrap().status(),
        StatusCode::OK,
        "the file's last newline is not part of the token"
    );
    hub.kill().unwrap();
    hub.wait().unwrap();
}

/// An encrypted town book: the hub starts only with its passphrase, from `--passphrase-file` or
/// `CASEBOOK_PASSPHRASE`; without one it answers `locked`, with a wrong one `wrong_passphrase`,
/// exit 2, and serves nothing.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_hub_opens_an_encrypted_town_book_only_with_its_passphrase() {
    const PASSPHRASE: &str = "清溪镇人大2026年汇总";
    let store = common::test_store_args();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("town.db");
    drop(Book::create_encrypted(&db, "QX", "清溪镇人大", BookKind::Town, PASSPHRASE).unwrap());
    let before = std::fs::read(&db).unwrap();
    let refused = |passphrase: Option<&str>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_liaison-hub"));
        command
            .env_remove("CASEBOOK_PASSPHRASE")
            .arg("--db")
            .arg(&db)
            .args(["--listen", "127.0.0.1:0"])
            .stdin(std::process::Stdio::null());
        if let Some(passphrase) = passphrase {
            command.env("CASEBOOK_PASSPHRASE", passphrase);
        }
        let output = command.output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stderr).into_owned(),
        )
    };
    let (code, said) = refused(None);
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("错误（locked）"), "{said}");
    let (code, said) = refused(Some("清溪镇人大2026年汇冲"));
    assert_eq!(code, Some(2), "{said}");
    assert!(said.contains("错误（wrong_passphrase）"), "{said}");
    assert_eq!(std::fs::read(&db).unwrap(), before, "nothing written");

    let file = dir.path().join("town.pass");
    std::fs::write(&file, format!("{PASSPHRASE}\n")).unwrap();
    let (mut hub, url) = hub_process(&db, &["--passphrase-file".as_ref(), file.as_ref()], &store);
    let health = reqwest::get(format!("{url}/healthz")).await.unwrap();
    assert_eq!(health.text().await.unwrap(), "ok");
    hub.kill().unwrap();
    hub.wait().unwrap();
}

/// A station made from the town's enrolment file, its keys accepted from its keys file: its first
/// real sync cycle through the hub carries its reception up and the town's answer down, with no
/// key typed on either side.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_enrolled_from_its_file_syncs_through_the_hub() {
    let dir = tempfile::tempdir().unwrap();
    let mut town = Book::create(
        &dir.path().join("town.db"),
        "QX",
        "清溪镇人大",
        BookKind::Town,
    )
    .unwrap();
    town.import_roster(&liaison_testkit::roster()).unwrap();
    let stick = dir.path().join("usb");
    let written = town.write_enrolment("BX", &stick).unwrap();
    let enrolment = casebook::bundle::Enrolment::read_file(&written.path).unwrap();
    let (mut station, enrolled) =
        Book::enrol_new_station(&dir.path().join("bx.db"), &enrolment, None, &stick).unwrap();
    let keys = casebook::bundle::read_keys_file(&enrolled.keys_path).unwrap();
    town.accept_station_keys(&keys, false).unwrap();
    station
        .add_reception(liaison_testkit::reception("陈建国", "登记后的第一件"))
        .unwrap();

    let hub = start_with(dir, town, station, HubConfig::default()).await;
    let shared = std::sync::Arc::new(std::sync::Mutex::new(
        Book::open(&hub.dir.path().join("bx.db")).unwrap(),
    ));
    let outcome = liaison_sync::sync_once(
        &shared,
        &liaison_sync::Hub {
            url: hub.base.clone(),
            code: "QX".into(),
        },
        &reqwest::Client::new(),
    )
    .await
    .expect("the station syncs");
    assert_eq!(outcome.pushed, 1, "{outcome:?}");
    assert!(
        outcome.pulled.is_some(),
        "the town's bundle came down: {outcome:?}"
    );
    let cases = common::case_numbers_held(&hub.dir.path().join("town.db"), &hub.store);
    assert_eq!(cases.len(), 1);
    assert!(cases[0].starts_with("BX-"), "{}", cases[0]);
    hub.stop().await;
}
