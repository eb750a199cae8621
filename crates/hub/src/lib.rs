//! `liaison-hub`: the town hub. It holds the town's own case book and speaks HTTP to the
//! stations:
//!
//! - `POST /api/v1/bundles` — a station's bundle; verified and applied exactly like
//!   `casebook bundle import`; answers with the town's signed receipt for that station, in the
//!   upload's format (no hash for a station not yet upgraded, whose reader refuses one);
//! - `GET /api/v1/bundles/outgoing?station=CODE` — the town's bundle for the station, for a pull
//!   request signed by the station (headers `X-Liaison-Time`, `X-Liaison-Nonce`,
//!   `X-Liaison-Signature`; each nonce is accepted once); 204 when there is nothing new;
//! - `GET /healthz`, and `GET /` a status page in Chinese for the town office only (the admin
//!   token, or this machine when none is set).
//!
//! Refusals get 400 (malformed, tampered, too large decompressed), 401 (status page without the
//! admin token), 403 (unknown or revoked station, bad or replayed signature), 413 (too large),
//! 429 (too fast), 503 (full: no room to read or decompress) with a short reason; details go to
//! the log, which never holds visitors' data (bundles stay sealed until the book opens them).
//! An upload is read as a stream, its header checked before its body (`intake`); it is then
//! verified and decrypted on the blocking pool, several at once; one writer thread applies the
//! uploads waiting together in one transaction. The policies against abuse (admin access, rate
//! limits, replays, the decompression budget) are in `guard`. [`serve`] runs the hub's own
//! accept loop (`server`: connection cap, header timeout, optional TLS); it takes a listener and
//! a shutdown signal, so tests bind `127.0.0.1:0`.

mod guard;
mod intake;
mod server;
mod status;
pub mod store;

pub use server::tls_config;
pub use store::postgres::PgStore;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use casebook::bundle::{
    BundleOpener, OpenedBundle, PreparedBundle, PullRequest, Refusal, UploadAnswer,
};
use casebook::{Book, Error, ErrorKind};
use serde::Deserialize;
use tower_http::timeout::TimeoutLayer;

pub use guard::AdminToken;
use guard::{Admin, ByteBudget, RateLimit, Replays};

/// Limits of the hub (docs/security.md has the table and the reasons for each default).
#[derive(Debug, Clone)]
pub struct HubConfig {
    /// Largest bundle accepted, in bytes.
    pub max_upload: u64,
    /// Bytes of uploads held at once while they are read, over every upload.
    pub upload_memory: u64,
    /// Uploads past their header check at once; more are answered 503.
    pub uploads_in_flight: usize,
    /// Open connections at once (also capped by the open-files limit).
    pub max_connections: usize,
    /// Longest wait for a request's head (and for a TLS handshake, and for a bundle's header);
    /// an idle kept-alive connection is closed after it too.
    pub header_timeout: Duration,
    /// Slowest average upload accepted, bytes per second: a bundle's body must arrive within
    /// `header_timeout` plus its length at this rate.
    pub min_upload_rate: u64,
    /// Uploads that add something one station may make per minute (replays are not counted).
    pub uploads_per_minute: usize,
    /// Pulls one station may make per minute.
    pub pulls_per_minute: usize,
    /// Most one upload's payload may decompress to, in bytes (at most the budget).
    pub max_payload_bytes: usize,
    /// Most decompressed payload held at once over all uploads, in bytes.
    pub payload_budget_bytes: usize,
    /// The town office's token for the status page; `None`: the page is for this machine only.
    pub admin_token: Option<AdminToken>,
    /// Longest the other requests may take, and an upload once read.
    pub request_timeout: Duration,
    /// Serve HTTPS with this certificate ([`tls_config`]); plain HTTP when `None`.
    pub tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    /// Keep the stations' records in this shared PostgreSQL store instead of the town's book
    /// (which then holds the town's identity and its own log only).
    pub shared_store: Option<PgStore>,
}

/// Default of [`HubConfig::max_upload`], in MiB.
pub const DEFAULT_MAX_UPLOAD_MIB: u64 = 64;

impl Default for HubConfig {
    fn default() -> Self {
        HubConfig {
            max_upload: DEFAULT_MAX_UPLOAD_MIB * 1024 * 1024,
            upload_memory: 128 * 1024 * 1024,
            uploads_in_flight: 2048,
            max_connections: 8192,
            header_timeout: Duration::from_secs(10),
            min_upload_rate: 16 * 1024,
            uploads_per_minute: 30,
            pulls_per_minute: 30,
            max_payload_bytes: 256 * 1024 * 1024,
            payload_budget_bytes: 1024 * 1024 * 1024,
            admin_token: None,
            request_timeout: Duration::from_secs(120),
            tls: None,
            shared_store: None,
        }
    }
}

struct Hub {
    book: Arc<Mutex<Book>>,
    config: HubConfig,
    uploads: RateLimit,
    pulls: RateLimit,
    replays: Replays,
    /// Decompressed payload held at once.
    budget: ByteBudget,
    /// Where the stations' changes are applied.
    records: Records,
    /// Upload limits and the stations' keys.
    intake: intake::Intake,
    /// Uploads being verified and opened at once: all cores but the importer's. A thousand
    /// stations uploading together otherwise start a thousand blocking threads, and the one
    /// writer, which every upload waits for, gets a thousandth of a core.
    opening: Arc<tokio::sync::Semaphore>,
    /// Each station's last refused upload (when, why) since its last accepted one, for the
    /// status page: the station sees the reason, and the town office should too.
    refused: Mutex<HashMap<String, (String, String)>>,
}

/// Where the stations' changes are applied: the town's book, through its one writer thread, or
/// a store shared by several hub processes, where the server orders the writers.
enum Records {
    Book(std::sync::mpsc::Sender<ImportJob>),
    Shared {
        store: PgStore,
        issuer: Box<casebook::bundle::ReceiptIssuer>,
    },
}

/// An upload, verified and opened, waiting for the importer.
struct ImportJob {
    bundle: PreparedBundle,
    reply: tokio::sync::oneshot::Sender<casebook::Result<UploadAnswer>>,
}

/// Most uploads committed together.
const MAX_BATCH: usize = 64;

/// The one writer: takes the uploads waiting at that moment and imports them in one commit
/// (each all or nothing), so simultaneous stations share the cost of a commit. Ends when the
/// hub is dropped.
fn importer(book: Arc<Mutex<Book>>, jobs: std::sync::mpsc::Receiver<ImportJob>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let mut book = book.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let (bundles, replies): (Vec<_>, Vec<_>) = batch
            .into_iter()
            .map(|job| {
                let origin = job.bundle.origin().to_owned();
                let version = job.bundle.format_version();
                (Ok(job.bundle), (origin, version, job.reply))
            })
            .unzip();
        let count = bundles.len();
        let results = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            book.import_prepared(bundles)
        }))
        .unwrap_or_else(|_| {
            tracing::error!("the importer panicked; the batch was not applied");
            (0..count)
                .map(|_| Err(casebook::Error::Internal("importer panicked".into())))
                .collect()
        });
        for ((origin, version, reply), result) in replies.into_iter().zip(results) {
            // In the upload's own format: a station not yet upgraded refuses a receipt with
            // the hash, and would take the hub for unreachable and upload again for ever.
            let answer = result.and_then(|imported| {
                Ok(UploadAnswer {
                    imported,
                    receipt: book.receipt_for_format(&origin, version)?,
                })
            });
            let _ = reply.send(answer);
        }
    }
}

type SharedHub = Arc<Hub>;

/// The hub's routes over a town book.
///
/// # Errors
/// When the importer thread cannot be started.
pub fn router(book: Book, mut config: HubConfig) -> std::io::Result<Router> {
    // One upload never needs more room than the whole budget, or it would wait forever.
    config.max_payload_bytes = config.max_payload_bytes.min(config.payload_budget_bytes);
    let timeout = config.request_timeout;
    let opener = match book.bundle_opener() {
        Ok(opener) => opener,
        Err(err) => {
            // The hub still starts; uploads are answered once the keys can be read.
            tracing::error!("cannot read the keys: {err}");
            BundleOpener::empty()
        }
    };
    let issuer = book.receipt_issuer();
    let book = Arc::new(Mutex::new(book));
    let records = match config.shared_store.clone() {
        Some(store) => Records::Shared {
            store,
            issuer: Box::new(issuer),
        },
        None => {
            let (imports, jobs) = std::sync::mpsc::channel();
            let writer = Arc::clone(&book);
            std::thread::Builder::new()
                .name("hub-importer".into())
                .spawn(move || importer(writer, jobs))?;
            Records::Book(imports)
        }
    };
    let hub = Arc::new(Hub {
        book,
        uploads: RateLimit::new(config.uploads_per_minute),
        pulls: RateLimit::new(config.pulls_per_minute),
        replays: Replays::default(),
        budget: ByteBudget::new(config.payload_budget_bytes, ByteBudget::WAIT),
        intake: intake::Intake::new(&config, opener),
        config,
        refused: Mutex::new(HashMap::new()),
        records,
        opening: Arc::new(tokio::sync::Semaphore::new(
            std::thread::available_parallelism()
                .map_or(1, |cores| cores.get().saturating_sub(1).max(1)),
        )),
    });
    // An upload's time limits follow its length (`intake`); the other requests have one.
    let others = Router::new()
        .route("/", get(status_page))
        .route("/healthz", get(|| async { "ok" }))
        .route("/api/v1/bundles/outgoing", get(outgoing))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ));
    Ok(Router::new()
        .route("/api/v1/bundles", post(upload))
        .merge(others)
        // No route reads a body through an extractor; any that does later is kept small.
        .layer(DefaultBodyLimit::max(64 * 1024))
        .with_state(hub))
}

/// A listening socket for the hub on `address`, with room for a whole town's stations
/// connecting at once: with the usual backlog of 1,024 some of a thousand simultaneous uploads
/// were dropped by the kernel and retried a second later. (The kernel caps it at
/// `net.core.somaxconn`.) Call it inside a Tokio runtime.
pub fn bind(address: std::net::SocketAddr) -> std::io::Result<tokio::net::TcpListener> {
    let socket = if address.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    // A restarted hub takes its address back at once (as tokio's own `bind` does; on Windows
    // the flag would let another program take the port too).
    #[cfg(unix)]
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(4096)
}

/// Serves the hub on `listener` until `shutdown` completes; requests under way finish first
/// (for at most the request timeout).
pub async fn serve(
    listener: tokio::net::TcpListener,
    book: Book,
    config: HubConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let transport = server::Transport {
        max_connections: config.max_connections,
        header_timeout: config.header_timeout,
        drain_timeout: config.request_timeout,
        tls: config.tls.clone(),
    };
    server::run(listener, router(book, config)?, transport, shutdown).await
}

fn internal_error() -> Response {
    refusal(
        StatusCode::INTERNAL_SERVER_ERROR,
        ErrorKind::Storage,
        "服务器内部错误，请稍后重试",
    )
}

fn refusal(status: StatusCode, kind: ErrorKind, message: impl Into<String>) -> Response {
    let body = Refusal {
        kind,
        message: message.into(),
    };
    (status, Json(body)).into_response()
}

/// Maps a book error to an answer; the full message goes to the log.
fn answer_error(err: &Error) -> Response {
    let status = match err.kind() {
        ErrorKind::UnknownOrigin | ErrorKind::BadSignature => StatusCode::FORBIDDEN,
        ErrorKind::LogBehindPeer => StatusCode::CONFLICT,
        ErrorKind::Storage | ErrorKind::Internal => StatusCode::INTERNAL_SERVER_ERROR,
        _ => StatusCode::BAD_REQUEST,
    };
    if status == StatusCode::INTERNAL_SERVER_ERROR {
        tracing::error!(kind = err.kind().as_str(), "{err}");
        return refusal(status, ErrorKind::Storage, "服务器内部错误，请稍后重试");
    }
    tracing::warn!(kind = err.kind().as_str(), "refused: {err}");
    if err.kind() == ErrorKind::UnknownOrigin {
        // Unknown and revoked say the same: the answer tells a caller nothing about enrolment.
        return refusal(
            status,
            ErrorKind::UnknownOrigin,
            "本站未在镇同步服务登记或已停用，请联系镇人大",
        );
    }
    refusal(status, err.kind(), err.to_string())
}

/// Runs `work` on the book on the blocking pool.
async fn with_book<T: Send + 'static>(
    hub: &SharedHub,
    work: impl FnOnce(&mut Book) -> casebook::Result<T> + Send + 'static,
) -> Result<T, Response> {
    on_book(hub, work).await.map_err(|err| answer_error(&err))
}

impl Hub {
    /// Records why `station`'s upload was refused, or (`None`) that one was accepted.
    fn note_refusal(&self, station: &str, why: Option<String>) {
        let mut refused = self
            .refused
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        match why {
            Some(why) => {
                let at = casebook::time::stored(casebook::time::china_now());
                refused.insert(station.to_owned(), (at, why));
            }
            None => {
                refused.remove(station);
            }
        }
    }
}

/// Verifies and decrypts an upload on the blocking pool, away from the writer. A station
/// re-keyed since the keys were read is found by reading them again (not more often than
/// `intake` allows), and tried once more only if the keys changed.
async fn open_upload(hub: &SharedHub, body: Bytes) -> Result<OpenedBundle, Response> {
    let missed_at = std::time::Instant::now();
    let keys = hub.intake.keys.current();
    let opener = Arc::clone(&keys);
    let bytes = body.clone();
    match on_opening_pool(hub, move || opener.open(&bytes)).await? {
        Err(err) if matches!(err.kind(), ErrorKind::UnknownOrigin | ErrorKind::BadBundle) => {
            let fresh = intake::refreshed_keys(hub, missed_at, false).await?;
            if Arc::ptr_eq(&fresh, &keys) {
                return Err(answer_error(&err));
            }
            on_opening_pool(hub, move || fresh.open(&body))
                .await?
                .map_err(|err| answer_error(&err))
        }
        result => result.map_err(|err| answer_error(&err)),
    }
}

/// Runs `work` (opening an upload) on the blocking pool once one of the `opening` slots is
/// free; the slot is held until the work itself ends, even if the request is gone by then.
async fn on_opening_pool<T: Send + 'static>(
    hub: &SharedHub,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Response> {
    let Ok(slot) = Arc::clone(&hub.opening).acquire_owned().await else {
        return Err(internal_error());
    };
    tokio::task::spawn_blocking(move || {
        let _slot = slot;
        work()
    })
    .await
    .map_err(|_| internal_error())
}

async fn upload(State(hub): State<SharedHub>, headers: HeaderMap, body: Body) -> Response {
    // Held (the slot, the bytes' share of the memory budget) until the answer is ready.
    let upload = match intake::read_upload(&hub, &headers, body).await {
        Ok(upload) => upload,
        Err(mut response) => {
            // The rest of the body is not read: the client must not send on this connection.
            response.headers_mut().insert(
                header::CONNECTION,
                axum::http::HeaderValue::from_static("close"),
            );
            return response;
        }
    };
    let timeout = hub.config.request_timeout;
    tokio::time::timeout(timeout, import_upload(hub, upload.bytes.clone()))
        .await
        .unwrap_or_else(|_| intake::busy("镇同步服务正忙，请稍后重试"))
}

/// Opens, admits and imports an upload read whole.
async fn import_upload(hub: SharedHub, body: Bytes) -> Response {
    let opened = match open_upload(&hub, body).await {
        Ok(opened) => opened,
        Err(response) => return response,
    };
    let origin = opened.origin().to_owned();
    // The same file again adds nothing: answered at once, and not counted.
    if let Some(answer) = hub.replays.answer(&opened) {
        tracing::info!(station = %origin, "bundle already imported: answered with the receipt");
        return Json(answer).into_response();
    }
    // Counted only once the station is authenticated: nobody can use up another's minute.
    if let Err(wait) = hub.uploads.admit(&origin) {
        tracing::warn!(station = %origin, "too many uploads");
        return guard::too_fast("上传过于频繁，请稍后再试", wait);
    }
    // Room for the decompressed payload, held until the answer.
    let declared = match opened.payload_len() {
        Ok(declared) => declared.min(hub.config.max_payload_bytes),
        Err(err) => return answer_error(&err),
    };
    let _room = match hub.budget.reserve(declared).await {
        Ok(room) => room,
        Err(busy) => return busy,
    };
    let seen = guard::Upload::of(&opened);
    let cap = hub.config.max_payload_bytes;
    let bundle = match on_opening_pool(&hub, move || opened.decode(cap)).await {
        Ok(Ok(bundle)) => bundle,
        Ok(Err(err)) => return answer_error(&err),
        Err(response) => return response,
    };
    let answered = match &hub.records {
        Records::Book(imports) => {
            let (reply, answer) = tokio::sync::oneshot::channel();
            if imports.send(ImportJob { bundle, reply }).is_err() {
                return refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorKind::Stopping,
                    "同步服务正在停止，请稍后重试",
                );
            }
            answer.await
        }
        Records::Shared { store, issuer } => Ok(import_shared(&hub, store, issuer, bundle).await),
    };
    let answer = match answered {
        Ok(Ok(answer)) => Ok(answer),
        Ok(Err(err)) => {
            if err.kind() == ErrorKind::UnknownOrigin {
                hub.replays.forget(&origin);
            }
            if err.kind().is_refusal() {
                hub.note_refusal(&origin, Some(err.to_string()));
            }
            Err(answer_error(&err))
        }
        Err(_) => Err(internal_error()),
    };
    match answer {
        Ok(answer) => {
            hub.note_refusal(&origin, None);
            hub.replays.learn(seen, &answer);
            tracing::info!(
                station = %origin,
                applied = answer.imported.applied,
                duplicates = answer.imported.duplicates,
                pending = answer.imported.pending,
                "bundle imported"
            );
            Json(answer).into_response()
        }
        Err(response) => response,
    }
}

/// Imports an upload into the shared store. The town's book checks the sender is still
/// enrolled with the key it signed with, names its mediation committee for the ownership rules,
/// and takes the receipts of the town's own log; the store applies the changes and the town
/// signs the receipt of what the store now holds.
async fn import_shared(
    hub: &SharedHub,
    store: &PgStore,
    issuer: &casebook::bundle::ReceiptIssuer,
    bundle: PreparedBundle,
) -> casebook::Result<UploadAnswer> {
    let bundle = Arc::new(bundle);
    let checked = Arc::clone(&bundle);
    let committee = on_book(hub, move |book| {
        book.check_sender(&checked)?;
        Ok(book
            .committee_of(checked.origin())?
            .map(|committee| committee.short_name))
    })
    .await?;
    let imported = store.import(&bundle, committee).await;
    // The station resent what the store holds, or reused a number: the town's next bundle to
    // it carries the receipt again (its hash shows the station where the two logs part).
    let resend = match &imported {
        Ok(imported) => imported.duplicates > 0,
        Err(err) => err.kind() == ErrorKind::LogBehindPeer,
    };
    if resend {
        let station = bundle.origin().to_owned();
        on_book(hub, move |book| book.resend_receipt_to(&station)).await?;
    }
    let imported = imported?;
    if !bundle.payload().receipts.is_empty() {
        let taken = Arc::clone(&bundle);
        on_book(hub, move |book| {
            taken
                .payload()
                .receipts
                .iter()
                .try_for_each(|receipt| book.take_receipt(receipt))
        })
        .await?;
    }
    let receipt = store
        .receipt(bundle.origin(), bundle.format_version(), issuer)
        .await?;
    Ok(UploadAnswer { imported, receipt })
}

/// Runs `work` on the town's book on the blocking pool; a failure is the book's error.
async fn on_book<T: Send + 'static>(
    hub: &SharedHub,
    work: impl FnOnce(&mut Book) -> casebook::Result<T> + Send + 'static,
) -> casebook::Result<T> {
    let hub = Arc::clone(hub);
    tokio::task::spawn_blocking(move || {
        let mut book = hub
            .book
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        work(&mut book)
    })
    .await
    .map_err(|join| casebook::Error::Internal(format!("book task failed: {join}")))?
}

/// `?station=CODE`.
#[derive(Debug, Deserialize)]
struct OutgoingQuery {
    station: String,
}

/// Header names of a signed pull request.
pub const TIME_HEADER: &str = "x-liaison-time";
/// See [`TIME_HEADER`].
pub const NONCE_HEADER: &str = "x-liaison-nonce";
/// See [`TIME_HEADER`].
pub const SIGNATURE_HEADER: &str = "x-liaison-signature";

async fn outgoing(
    State(hub): State<SharedHub>,
    Query(query): Query<OutgoingQuery>,
    headers: HeaderMap,
) -> Response {
    let header_text = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    let (Some(time), Some(nonce), Some(signature)) = (
        header_text(TIME_HEADER),
        header_text(NONCE_HEADER),
        header_text(SIGNATURE_HEADER),
    ) else {
        return refusal(
            StatusCode::BAD_REQUEST,
            ErrorKind::Unsigned,
            "拉取请求缺少签名",
        );
    };
    let request = PullRequest {
        station: query.station.clone(),
        time,
        nonce,
        signature,
    };
    let code = query.station;
    let sealed = match &hub.records {
        Records::Book(_) => {
            let limits = Arc::clone(&hub);
            with_book(&hub, move |book| {
                book.verify_pull(&request)?;
                // Counted once the signature is checked: nobody can use up another's minute.
                if let Err(wait) = limits.pulls.admit(&request.station) {
                    return Ok(Pulled::TooFast(wait));
                }
                sealed_for(book, &request.station, Book::seal_bundle)
            })
            .await
        }
        Records::Shared { store, issuer } => pull_shared(&hub, store, issuer, request).await,
    };
    match sealed {
        Ok(Pulled::TooFast(wait)) => {
            tracing::warn!(station = %code, "too many pulls");
            guard::too_fast("拉取过于频繁，请稍后再试", wait)
        }
        Ok(Pulled::HeldBack(held_back)) => {
            tracing::error!(kind = held_back.kind().as_str(), "not sending: {held_back}");
            refusal(
                StatusCode::SERVICE_UNAVAILABLE,
                ErrorKind::TownNeedsRecovery,
                "镇里的同步台账需要恢复，暂时不能下发；本站登记的事项都已保存，请稍后再同步",
            )
        }
        Ok(Pulled::Sealed(Some(sealed))) => (
            [(header::CONTENT_TYPE, "application/octet-stream")],
            sealed.bytes,
        )
            .into_response(),
        Ok(Pulled::Sealed(None)) => StatusCode::NO_CONTENT.into_response(),
        Err(response) => response,
    }
}

/// The town's bundle for `station` sealed by `seal`, and recorded as sent; held back (not an
/// error for the station) when the town's own book is behind it.
fn sealed_for(
    book: &mut Book,
    station: &str,
    seal: impl FnOnce(&mut Book, &str) -> casebook::Result<Option<casebook::bundle::SealedBundle>>,
) -> casebook::Result<Pulled> {
    let sealed = match seal(book, station) {
        // The town's own book is behind a station (restored from an older backup): the
        // operator must act; the station only needs to know it should wait.
        Err(err) if err.kind() == ErrorKind::LogBehindPeer => {
            return Ok(Pulled::HeldBack(err));
        }
        sealed => sealed?,
    };
    if let Some(sealed) = &sealed {
        book.record_export(station, sealed)?;
    }
    Ok(Pulled::Sealed(sealed))
}

/// A pull answered with a shared store: the signature checked by the town's book, the nonce
/// taken in the store (once for every hub process), and the bundle sealed by the book with
/// what the store holds of the station.
async fn pull_shared(
    hub: &SharedHub,
    store: &PgStore,
    issuer: &casebook::bundle::ReceiptIssuer,
    request: PullRequest,
) -> Result<Pulled, Response> {
    let checked = request.clone();
    with_book(hub, move |book| book.check_pull(&checked)).await?;
    match store.take_nonce(&request.station, &request.nonce).await {
        Ok(true) => {}
        Ok(false) => return Err(answer_error(&casebook::bundle::replayed_pull())),
        Err(err) => return Err(answer_error(&err)),
    }
    if let Err(wait) = hub.pulls.admit(&request.station) {
        return Ok(Pulled::TooFast(wait));
    }
    let view = store
        .view_for(&request.station, issuer)
        .await
        .map_err(|err| answer_error(&err))?;
    with_book(hub, move |book| {
        sealed_for(book, &request.station, |book, station| {
            book.seal_bundle_with(station, view)
        })
    })
    .await
}

/// What a verified pull gets.
enum Pulled {
    Sealed(Option<casebook::bundle::SealedBundle>),
    /// The town's own book is behind the station.
    HeldBack(Error),
    /// The station has used up its minute: wait this long.
    TooFast(Duration),
}

async fn status_page(_: Admin, State(hub): State<SharedHub>) -> Response {
    let refused = hub
        .refused
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
        .clone();
    let shared = match &hub.records {
        Records::Book(_) => None,
        Records::Shared { store, .. } => {
            let week_start = status::week_start().to_string();
            match store.stations(&week_start).await {
                Ok(held) => Some(held),
                Err(err) => return answer_error(&err),
            }
        }
    };
    match with_book(&hub, move |book| {
        status::page(book, &refused, shared.as_ref())
    })
    .await
    {
        Ok(html) => ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response(),
        Err(response) => response,
    }
}
