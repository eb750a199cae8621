//! The hub's answer in the upload's own bundle format, on a real socket (127.0.0.1, a free
//! port): a station still on the release before format 3 reads it (its parse is strict: a
//! receipt with `last_entry` failed it, and its sync took the hub for unreachable and uploaded
//! the same again for ever); an upgraded one gets the hash. The status page says which
//! stations still run the old release.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use casebook::Book;
use casebook::bundle::UploadAnswer;
use casebook::bundle::format::FORMAT_VERSION;
use liaison_hub::{HubConfig, NONCE_HEADER, SIGNATURE_HEADER, TIME_HEADER, serve};
use liaison_testkit::hostile::seal_secret;
use liaison_testkit::previous_release::{
    self, enrolled_before_the_upgrade, read_answer, read_bundle, verifying_key,
};
use reqwest::StatusCode;

fn version(bytes: &[u8]) -> u16 {
    u16::from_le_bytes([bytes[8], bytes[9]])
}

struct Hub {
    base: String,
    client: reqwest::Client,
}

impl Hub {
    /// Posts a bundle; the status and the answer's body as it came.
    async fn upload(&self, bytes: &[u8]) -> (StatusCode, Vec<u8>) {
        let response = self
            .client
            .post(format!("{}/api/v1/bundles", self.base))
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        (response.status(), response.bytes().await.unwrap().to_vec())
    }

    /// The status page (this machine: no admin token is set).
    async fn status_page(&self) -> String {
        let response = self.client.get(format!("{}/", self.base)).send().await;
        response.unwrap().text().await.unwrap()
    }

    /// The town's bundle for the station, by a signed pull.
    async fn pull(&self, station: &Book) -> Vec<u8> {
        let request = station.pull_request().unwrap();
        let response = self
            .client
            .get(format!("{}/api/v1/bundles/outgoing", self.base))
            .query(&[("station", request.station.as_str())])
            .header(TIME_HEADER, &request.time)
            .header(NONCE_HEADER, &request.nonce)
            .header(SIGNATURE_HEADER, &request.signature)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::OK);
        response.bytes().await.unwrap().to_vec()
    }
}

/// The town's hub upgraded first; its station, enrolled before, still on the previous release:
/// the answer to its format-1 upload carries the receipt without the hash, which that
/// release's strict parse takes and whose signature it checks, and its pull gets format 1.
/// After the station's PC is upgraded, its first upload (still format 1) is answered the same
/// way, its pull is format 3, and its next upload (format 3) gets the hash, which the old parse
/// would refuse. The old file posted again is answered as it was, without the hash.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_answer_carries_the_hash_only_to_an_upload_of_format_3() {
    let dir = tempfile::tempdir().unwrap();
    let (town_path, bx_path) = (dir.path().join("town.db"), dir.path().join("bx.db"));
    let (town, mut station) = liaison_testkit::town_and_station(dir.path());
    enrolled_before_the_upgrade(&town_path, "BX");
    let town_key = verifying_key(&town);
    for matter in ["村道路灯损坏", "水渠堵塞"] {
        station
            .add_reception(liaison_testkit::reception("陈建国", matter))
            .unwrap();
    }
    let old = previous_release::seal_bundle(&mut station, &bx_path, &town, &town_path).unwrap();
    assert_eq!(version(&old), 1);

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let hub = Hub {
        base: format!("http://{}", listener.local_addr().unwrap()),
        client: reqwest::Client::new(),
    };
    let (config, _store) = common::with_test_store(HubConfig::default(), "QX").await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve(listener, town, config, async {
        let _ = stopped.await;
    }));
    let town = Book::open(&town_path).unwrap();

    let (status, body) = hub.upload(&old).await;
    assert_eq!(status, StatusCode::OK);
    let text = String::from_utf8(body.clone()).unwrap();
    assert!(!text.contains("last_entry"), "{text}");
    let answer = read_answer(&body).expect("the previous release reads the answer");
    let receipt = answer.receipt.expect("a receipt");
    receipt.verify(&town_key).unwrap();
    assert_eq!(receipt.acked_to, 2);
    let pulled = hub.pull(&station).await;
    assert_eq!(version(&pulled), 1);
    let reading = read_bundle(&pulled, &town_key, &seal_secret(&bx_path)).unwrap();
    assert!(reading.kept_as_newer, "its log version is this version's");
    // The town office sees which stations' PCs still need the new release.
    let page = hub.status_page().await;
    assert!(page.contains("<td>1（站点软件尚未升级）</td>"), "{page}");

    // The station's PC is upgraded (migration 013: the town known at the older formats).
    enrolled_before_the_upgrade(&bx_path, "QX");
    station
        .add_reception(liaison_testkit::reception("陈建国", "低保"))
        .unwrap();
    let first = station.seal_bundle("QX").unwrap().unwrap();
    station.record_export("QX", &first).unwrap();
    assert_eq!(version(&first.bytes), 1);
    let (status, body) = hub.upload(&first.bytes).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        read_answer(&body).is_ok(),
        "an upload of format 1 is answered without the hash"
    );
    let answer: UploadAnswer = serde_json::from_slice(&body).unwrap();
    station.take_receipt(&answer.receipt.unwrap()).unwrap();
    let pulled = hub.pull(&station).await;
    assert_eq!(version(&pulled), FORMAT_VERSION);
    station.import_bundle(&pulled).unwrap();
    if !common::on_postgres() {
        // A shared store keeps it instead of the book: the status page below shows it.
        assert_eq!(town.peer_format("BX").unwrap(), Some(3));
    }

    station
        .add_reception(liaison_testkit::reception("陈建国", "噪音"))
        .unwrap();
    let modern = station.seal_bundle("QX").unwrap().unwrap();
    station.record_export("QX", &modern).unwrap();
    assert_eq!(version(&modern.bytes), FORMAT_VERSION);
    let (status, body) = hub.upload(&modern.bytes).await;
    assert_eq!(status, StatusCode::OK);
    let err = read_answer(&body).unwrap_err();
    assert!(err.to_string().contains("last_entry"), "{err}");
    let answer: UploadAnswer = serde_json::from_slice(&body).unwrap();
    let receipt = answer.receipt.unwrap();
    assert_eq!(
        receipt.last_entry.as_ref().map(|last| last.seq),
        Some(modern.to_seq)
    );
    station.take_receipt(&receipt).unwrap();

    // Replays are answered from memory, each in its own format.
    let (status, body) = hub.upload(&old).await;
    assert_eq!(status, StatusCode::OK);
    let replayed = read_answer(&body).expect("still without the hash");
    assert_eq!(replayed.imported["duplicates"], 2);
    let (_, body) = hub.upload(&modern.bytes).await;
    let replayed: UploadAnswer = serde_json::from_slice(&body).unwrap();
    assert!(replayed.receipt.unwrap().last_entry.is_some());
    assert!(station.bundle_status().unwrap()[0].held_back.is_none());
    let page = hub.status_page().await;
    assert!(
        !page.contains("尚未升级") && page.contains("<td>3</td>"),
        "{page}"
    );

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), server)
        .await
        .unwrap()
        .unwrap()
        .unwrap();
}
