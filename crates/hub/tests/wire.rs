//! The hub's transport under attack, on 127.0.0.1: uploads over the cap, many at once, slow
//! clients, clients that send nothing, a full upload slot, and HTTPS with the real sync client.
//! Where memory is measured the hub is the real `liaison-hub` binary, so its RSS is its own.
//! Every loop is bounded in count and time.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use casebook::Book;
use casebook::bundle::format;
use liaison_hub::{HubConfig, serve};
use tempfile::TempDir;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::oneshot;

const MIB: u64 = 1024 * 1024;

/// A hub served in this process over a town with one enrolled station (BX).
struct InProcess {
    _dir: TempDir,
    _store: common::TestStore,
    station: Book,
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    server: tokio::task::JoinHandle<std::io::Result<()>>,
}

async fn start(config: HubConfig) -> InProcess {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = liaison_testkit::town_and_station(dir.path());
    let (config, store) = common::with_test_store(config, &town.origin().code).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel();
    let server = tokio::spawn(serve(listener, town, config, async {
        let _ = stopped.await;
    }));
    InProcess {
        _dir: dir,
        _store: store,
        station,
        address,
        stop: Some(stop),
        server,
    }
}

impl InProcess {
    async fn stop(mut self) {
        self.stop.take().unwrap().send(()).unwrap();
        tokio::time::timeout(Duration::from_secs(20), self.server)
            .await
            .expect("the hub stops")
            .unwrap()
            .unwrap();
    }
}

/// The first bytes of a bundle that claims to come from `like`'s sender, for its recipient,
/// with `payload_len` bytes of ciphertext: what anyone who has seen one bundle can forge (the
/// header is not secret), and only the signature at the end can unmask.
fn forged_head(like: &[u8], payload_len: u64) -> (Vec<u8>, u64) {
    let mut header = format::parse(like).unwrap().header;
    header.payload_len = payload_len;
    let json = serde_json::to_vec(&header).unwrap();
    let mut head = format::MAGIC.to_vec();
    head.extend_from_slice(&format::FORMAT_VERSION.to_le_bytes());
    head.extend_from_slice(&u32::try_from(json.len()).unwrap().to_le_bytes());
    head.extend_from_slice(&json);
    let total = format::file_len(json.len(), &header).unwrap();
    (head, total)
}

/// The request head of an upload of `length` bytes (`None`: chunked).
fn upload_head(address: SocketAddr, length: Option<u64>) -> String {
    let framing = match length {
        Some(length) => format!("Content-Length: {length}"),
        None => "Transfer-Encoding: chunked".to_owned(),
    };
    format!(
        "POST /api/v1/bundles HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/octet-stream\r\n{framing}\r\n\r\n"
    )
}

/// Reads an HTTP answer's head (status and headers) within `limit`.
async fn read_head(stream: &mut TcpStream, limit: Duration) -> Option<(u16, String)> {
    let mut buf = Vec::new();
    let deadline = tokio::time::Instant::now() + limit;
    let mut chunk = [0u8; 4096];
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") && buf.len() < 64 * 1024 {
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => return None,
        }
    }
    let text = String::from_utf8_lossy(&buf).into_owned();
    let status = text.split(' ').nth(1)?.parse().ok()?;
    Some((status, text))
}

/// True when the server closes the connection within `limit`.
async fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    let mut chunk = [0u8; 4096];
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        match tokio::time::timeout_at(deadline, stream.read(&mut chunk)).await {
            Err(_) => return false,
            Ok(Ok(0) | Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

async fn healthz(address: SocketAddr) -> Result<Duration, String> {
    let started = Instant::now();
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let text = client
        .get(format!("http://{address}/healthz"))
        .send()
        .await
        .map_err(|err| err.to_string())?
        .text()
        .await
        .map_err(|err| err.to_string())?;
    if text == "ok" {
        Ok(started.elapsed())
    } else {
        Err(text)
    }
}

/// One real sync cycle of `station` with the hub at `url`.
async fn sync(
    station: Book,
    url: String,
    client: reqwest::Client,
) -> (Book, liaison_sync::SyncOutcome) {
    let shared = Arc::new(Mutex::new(station));
    let hub = liaison_sync::Hub {
        url,
        code: "QX".into(),
    };
    let outcome = liaison_sync::sync_once(&shared, &hub, &client)
        .await
        .expect("the station syncs");
    let station = Arc::try_unwrap(shared).unwrap().into_inner().unwrap();
    (station, outcome)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_upload_over_the_cap_is_refused_413_before_its_end() {
    let config = HubConfig {
        max_upload: MIB,
        ..HubConfig::default()
    };
    let mut hub = start(config).await;
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "超限"))
        .unwrap();
    let real = hub.station.seal_bundle("QX").unwrap().unwrap().bytes;

    // Declared too large by Content-Length: refused before one byte of body.
    let mut stream = TcpStream::connect(hub.address).await.unwrap();
    stream
        .write_all(upload_head(hub.address, Some(200 * MIB)).as_bytes())
        .await
        .unwrap();
    let (status, _) = read_head(&mut stream, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(status, 413);

    // Chunked, so no length up front: the bundle's own header declares 200 MiB; refused once
    // the header has arrived, with 199 MiB still unsent.
    let (head, total) = forged_head(&real, 200 * MIB);
    let mut stream = TcpStream::connect(hub.address).await.unwrap();
    stream
        .write_all(upload_head(hub.address, None).as_bytes())
        .await
        .unwrap();
    let mut sent = head.len() as u64;
    stream
        .write_all(format!("{:x}\r\n", head.len()).as_bytes())
        .await
        .unwrap();
    stream.write_all(&head).await.unwrap();
    stream.write_all(b"\r\n").await.unwrap();
    let (status, text) = read_head(&mut stream, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(status, 413, "{text}");
    assert!(sent < total);

    // Chunked, a header that declares little, then far more: cut off past the declared length.
    let (head, _) = forged_head(&real, 1000);
    let mut stream = TcpStream::connect(hub.address).await.unwrap();
    stream
        .write_all(upload_head(hub.address, None).as_bytes())
        .await
        .unwrap();
    let chunk = vec![0u8; 256 * 1024];
    let mut answer = None;
    sent = 0;
    for _ in 0..40 {
        let piece = if sent == 0 { &head[..] } else { &chunk[..] };
        let frame = [
            format!("{:x}\r\n", piece.len()).as_bytes(),
            piece,
            &b"\r\n"[..],
        ]
        .concat();
        if stream.write_all(&frame).await.is_err() {
            break;
        }
        sent += piece.len() as u64;
        tokio::time::sleep(Duration::from_millis(20)).await;
        let mut peek = [0u8; 1];
        if let Ok(Ok(n)) =
            tokio::time::timeout(Duration::from_millis(1), stream.peek(&mut peek)).await
            && n > 0
        {
            answer = read_head(&mut stream, Duration::from_secs(5)).await;
            break;
        }
    }
    let answer = match answer {
        Some(answer) => answer,
        None => read_head(&mut stream, Duration::from_secs(5))
            .await
            .unwrap(),
    };
    assert_eq!(answer.0, 400, "longer than its header says: {}", answer.1);
    assert!(
        sent < 4 * MIB,
        "refused while the client was still sending ({sent} bytes)"
    );

    // A body that is not a bundle at all: refused after its first bytes.
    let mut stream = TcpStream::connect(hub.address).await.unwrap();
    stream
        .write_all(upload_head(hub.address, Some(100 * 1024)).as_bytes())
        .await
        .unwrap();
    stream.write_all(b"GIF89a not a bundle....").await.unwrap();
    let (status, text) = read_head(&mut stream, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(status, 400, "{text}");
    assert!(text.contains("bad_bundle") || status == 400);
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stranger_is_refused_on_its_header_alone() {
    let mut hub = start(HubConfig::default()).await;
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "冒名"))
        .unwrap();
    let real = hub.station.seal_bundle("QX").unwrap().unwrap().bytes;
    let mut header = format::parse(&real).unwrap().header;
    for (origin, recipient) in [("ZZ", "QX"), ("BX", "XX")] {
        header.origin = origin.into();
        header.recipient = recipient.into();
        header.payload_len = 50 * MIB;
        let json = serde_json::to_vec(&header).unwrap();
        let mut head = format::MAGIC.to_vec();
        head.extend_from_slice(&format::FORMAT_VERSION.to_le_bytes());
        head.extend_from_slice(&u32::try_from(json.len()).unwrap().to_le_bytes());
        head.extend_from_slice(&json);
        let total = format::file_len(json.len(), &header).unwrap();
        let mut stream = TcpStream::connect(hub.address).await.unwrap();
        stream
            .write_all(upload_head(hub.address, Some(total)).as_bytes())
            .await
            .unwrap();
        stream.write_all(&head).await.unwrap();
        let (status, text) = read_head(&mut stream, Duration::from_secs(8))
            .await
            .expect("answered before the body");
        assert!(
            status == 403 || status == 400,
            "{origin}→{recipient}: {text}"
        );
    }
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_upload_slot_answers_503_with_retry_after() {
    let config = HubConfig {
        uploads_in_flight: 1,
        ..HubConfig::default()
    };
    let mut hub = start(config).await;
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "排队"))
        .unwrap();
    let real = hub.station.seal_bundle("QX").unwrap().unwrap().bytes;

    // The one slot is held by an upload that stops half-way.
    let mut holder = TcpStream::connect(hub.address).await.unwrap();
    holder
        .write_all(upload_head(hub.address, Some(real.len() as u64)).as_bytes())
        .await
        .unwrap();
    holder.write_all(&real[..real.len() / 2]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;

    let client = reqwest::Client::new();
    let url = format!("http://{}/api/v1/bundles", hub.address);
    let busy = client.post(&url).body(real.clone()).send().await.unwrap();
    assert_eq!(busy.status(), reqwest::StatusCode::SERVICE_UNAVAILABLE);
    let retry_after = busy.headers().get("retry-after").expect("Retry-After");
    assert!(retry_after.to_str().unwrap().parse::<u64>().unwrap() > 0);
    assert!(healthz(hub.address).await.is_ok());

    // The holder finishes: its upload is taken, and the slot is free again.
    holder.write_all(&real[real.len() / 2..]).await.unwrap();
    let (status, text) = read_head(&mut holder, Duration::from_secs(10))
        .await
        .unwrap();
    assert_eq!(status, 200, "{text}");
    let again = client.post(&url).body(real).send().await.unwrap();
    assert_eq!(again.status(), reqwest::StatusCode::OK);
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn clients_that_send_nothing_or_too_slowly_are_cut_off() {
    let config = HubConfig {
        header_timeout: Duration::from_secs(1),
        min_upload_rate: 1024 * 1024,
        ..HubConfig::default()
    };
    let mut hub = start(config).await;
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "慢"))
        .unwrap();
    let real = hub.station.seal_bundle("QX").unwrap().unwrap().bytes;

    // Connects and says nothing.
    let mut silent = TcpStream::connect(hub.address).await.unwrap();
    // Sends a request head one byte at a time, never finishing it.
    let mut dribbling = TcpStream::connect(hub.address).await.unwrap();
    let dribble = tokio::spawn(async move {
        for byte in b"POST /api/v1/bundles HTTP/1.1\r\nHost: x\r\nX-Slow: " {
            if dribbling.write_all(&[*byte]).await.is_err() {
                return true;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
        closed_within(&mut dribbling, Duration::from_secs(5)).await
    });
    // A whole head, then a bundle header, then a body byte every 200 ms.
    let (head, total) = forged_head(&real, 512 * 1024);
    let mut slow_body = TcpStream::connect(hub.address).await.unwrap();
    slow_body
        .write_all(upload_head(hub.address, Some(total)).as_bytes())
        .await
        .unwrap();
    slow_body.write_all(&head).await.unwrap();
    let trickle = tokio::spawn(async move {
        let started = Instant::now();
        for _ in 0..50 {
            if slow_body.write_all(&[0]).await.is_err() {
                break;
            }
            let mut peek = [0u8; 1];
            if let Ok(Ok(n)) =
                tokio::time::timeout(Duration::from_millis(200), slow_body.peek(&mut peek)).await
                && n > 0
            {
                break;
            }
        }
        (
            read_head(&mut slow_body, Duration::from_secs(3)).await,
            started.elapsed(),
        )
    });

    assert!(
        closed_within(&mut silent, Duration::from_secs(4)).await,
        "a silent client is disconnected after the header timeout"
    );
    assert!(dribble.await.unwrap(), "a dribbling head is cut off");
    let (answer, took) = trickle.await.unwrap();
    let (status, text) = answer.expect("the slow body is answered");
    assert_eq!(status, 408, "{text}");
    assert!(took < Duration::from_secs(6), "{took:?}");
    assert!(healthz(hub.address).await.is_ok());
    hub.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_slow_connections_leave_healthz_answering_and_a_station_syncing() {
    let _ = rlimit::increase_nofile_limit(u64::MAX);
    let config = HubConfig {
        header_timeout: Duration::from_secs(8),
        ..HubConfig::default()
    };
    let mut hub = start(config).await;
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "攻击中同步"))
        .unwrap();
    let address = hub.address;
    let mut slow = Vec::with_capacity(1000);
    for _ in 0..1000 {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"POST /api/v1/bundles HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
        slow.push(stream);
    }
    // They are all still open (none timed out yet): the hub answers others meanwhile.
    for _ in 0..3 {
        let took = healthz(address).await.expect("healthz answers");
        assert!(took < Duration::from_secs(2), "{took:?}");
    }
    let station = std::mem::replace(
        &mut hub.station,
        Book::create_in_memory("ZZ", "占位", casebook::store::BookKind::Station).unwrap(),
    );
    let (station, outcome) =
        sync(station, format!("http://{address}"), reqwest::Client::new()).await;
    assert!(outcome.pushed > 0);
    assert_eq!(outcome.push.unwrap().applied, outcome.pushed);
    hub.station = station;
    // And then the header timeout closes every one of them.
    let mut closed = 0;
    for stream in &mut slow {
        if closed_within(stream, Duration::from_secs(12)).await {
            closed += 1;
        }
    }
    assert_eq!(closed, 1000);
    hub.stop().await;
}

/// Peak and current resident memory of process `pid`, in bytes.
fn memory_of(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find(|line| line.starts_with(name))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|kib| kib.parse::<u64>().ok())
            .unwrap()
            * 1024
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Sends `total` bytes (`head`, then zeros) as one upload, fast; returns the status, if any.
async fn blast(address: SocketAddr, head: Vec<u8>, total: u64) -> Option<u16> {
    let mut stream = TcpStream::connect(address).await.ok()?;
    stream
        .write_all(upload_head(address, Some(total)).as_bytes())
        .await
        .ok()?;
    let zeros = vec![0u8; 1024 * 1024];
    let mut sent = 0u64;
    let (mut reader, mut writer) = stream.into_split();
    let writing = tokio::spawn(async move {
        if writer.write_all(&head).await.is_err() {
            return;
        }
        sent += head.len() as u64;
        while sent < total {
            let n = zeros.len().min(usize::try_from(total - sent).unwrap());
            if writer.write_all(&zeros[..n]).await.is_err() {
                return;
            }
            sent += n as u64;
        }
    });
    let mut buf = Vec::new();
    let mut chunk = [0u8; 1024];
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
        match tokio::time::timeout_at(deadline, reader.read(&mut chunk)).await {
            Ok(Ok(n)) if n > 0 => buf.extend_from_slice(&chunk[..n]),
            _ => break,
        }
    }
    writing.abort();
    String::from_utf8_lossy(&buf)
        .split(' ')
        .nth(1)
        .and_then(|status| status.parse().ok())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_oversized_uploads_keep_the_hubs_memory_bounded() {
    let dir = tempfile::tempdir().unwrap();
    let (town, mut station) = liaison_testkit::town_and_station(dir.path());
    drop(town);
    station
        .add_reception(liaison_testkit::reception("陈建国", "内存"))
        .unwrap();
    let real = station.seal_bundle("QX").unwrap().unwrap().bytes;
    let store = common::test_store_args();
    let mut args = vec!["--max-upload", "16", "--upload-memory", "32"];
    args.extend(store.args.iter().map(String::as_str));
    let (mut child, address) = common::spawn_hub(&dir.path().join("town.db"), &args);
    let (baseline, _) = memory_of(child.id());

    // 24 uploads of 12 MiB that pass the header check (a forged header of station BX) and
    // 24 of 200 MiB, all at once: 288 MiB that would have been held whole before checking.
    let mut uploads = Vec::new();
    for i in 0..48 {
        let size = if i % 2 == 0 { 12 * MIB } else { 200 * MIB };
        let (head, total) = forged_head(&real, size);
        uploads.push(tokio::spawn(blast(address, head, total)));
    }
    let mut statuses = Vec::new();
    for upload in uploads {
        statuses.push(
            tokio::time::timeout(Duration::from_secs(90), upload)
                .await
                .unwrap()
                .unwrap(),
        );
    }
    let (peak, now) = memory_of(child.id());
    assert!(healthz(address).await.is_ok());
    let (station, outcome) =
        sync(station, format!("http://{address}"), reqwest::Client::new()).await;
    assert_eq!(outcome.push.unwrap().applied, outcome.pushed);
    drop(station);
    child.kill().unwrap();
    child.wait().unwrap();

    let refused = |code: u16| statuses.iter().filter(|s| **s == Some(code)).count();
    println!(
        "baseline {} MiB, peak {} MiB, after {} MiB; 413: {}, 503: {}, 400: {}",
        baseline / MIB,
        peak / MIB,
        now / MIB,
        refused(413),
        refused(503),
        refused(400)
    );
    // (A refused client still sending may see the connection reset instead of the answer.)
    assert!(refused(413) > 0, "{statuses:?}");
    assert!(
        refused(503) > 0,
        "the budget was full at times: {statuses:?}"
    );
    assert_eq!(refused(200), 0);
    assert!(
        peak < baseline + 160 * MIB,
        "peak {} MiB over a baseline of {} MiB",
        peak / MIB,
        baseline / MIB
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_syncs_over_tls_with_the_towns_own_certificate() {
    let dir = tempfile::tempdir().unwrap();
    let certified =
        rcgen::generate_simple_self_signed(vec!["localhost".to_owned(), "127.0.0.1".to_owned()])
            .unwrap();
    let cert_path = dir.path().join("hub.pem");
    let key_path = dir.path().join("hub.key");
    std::fs::write(&cert_path, certified.cert.pem()).unwrap();
    std::fs::write(&key_path, certified.key_pair.serialize_pem()).unwrap();
    let config = HubConfig {
        tls: Some(liaison_hub::tls_config(&cert_path, &key_path).unwrap()),
        ..HubConfig::default()
    };
    let mut hub = start(config).await;
    hub.station
        .add_reception(liaison_testkit::reception("陈建国", "加密传输"))
        .unwrap();
    let url = format!("https://127.0.0.1:{}", hub.address.port());

    // Without the town's certificate the station does not trust the hub.
    let shared = Arc::new(Mutex::new(std::mem::replace(
        &mut hub.station,
        Book::create_in_memory("ZZ", "占位", casebook::store::BookKind::Station).unwrap(),
    )));
    let target = liaison_sync::Hub {
        url: url.clone(),
        code: "QX".into(),
    };
    let untrusted = liaison_sync::sync_once(&shared, &target, &liaison_sync::client()).await;
    assert!(
        matches!(untrusted, Err(liaison_sync::SyncError::Unreachable(_))),
        "{untrusted:?}"
    );
    // Plain HTTP to the TLS port gets nowhere either.
    assert!(healthz(hub.address).await.is_err());

    let station = Arc::try_unwrap(shared).unwrap().into_inner().unwrap();
    let client = liaison_sync::client_trusting(&cert_path).unwrap();
    let (station, outcome) = sync(station, url, client).await;
    assert!(outcome.pushed > 0);
    assert_eq!(outcome.push.unwrap().applied, outcome.pushed);
    assert!(
        outcome.pulled.is_some(),
        "the town's bundle came back over TLS"
    );
    hub.station = station;
    hub.stop().await;
}
