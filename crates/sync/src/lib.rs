//! Station sync with the town hub: one push + pull cycle ([`sync_once`]), and a long-running
//! worker ([`run_worker`]) that repeats it with exponential backoff and jitter.
//!
//! Nothing is marked sent before a receipt covers it: a push that gets no answer is simply sent
//! again (the hub treats the repeat as duplicates), and everything the worker needs to resume
//! after a restart is in the book (what the hub acknowledged, what was received).
//!
//! The client speaks HTTP or HTTPS (rustls, no system OpenSSL): besides the system's roots it
//! can trust the town's own certificate ([`client_trusting`]), and it reads a pulled bundle as a
//! stream, refusing one larger than [`MAX_PULL_BYTES`].

use std::sync::{Arc, Mutex};
use std::time::Duration;

use casebook::Book;
use casebook::bundle::{Imported, Refusal, UploadAnswer};
use rand::Rng;
use serde::Serialize;

/// Why a cycle did not complete.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    /// The hub could not be reached or failed (connection, timeout, 5xx): try again later.
    #[error("无法连接镇同步服务（{0}），变更保留在本机，稍后自动重试")]
    Unreachable(String),
    /// The hub refused (4xx): retrying the same will not help.
    #[error("镇同步服务拒绝：{message}（{kind}）")]
    Refused {
        /// Stable kind from the hub ([`casebook::ErrorKind::Unknown`] for one this build does
        /// not know, or an answer that was not a refusal).
        kind: casebook::ErrorKind,
        /// Its reason.
        message: String,
    },
    /// The book refused or failed.
    #[error(transparent)]
    Book(#[from] casebook::Error),
}

impl SyncError {
    /// This book was restored from an older backup (or made again under the same code): it
    /// may not send until its log is recovered, from the book's own check or the hub's.
    pub fn is_log_behind_peer(&self) -> bool {
        match self {
            SyncError::Book(err) => err.kind() == casebook::ErrorKind::LogBehindPeer,
            SyncError::Refused { kind, .. } => *kind == casebook::ErrorKind::LogBehindPeer,
            SyncError::Unreachable(_) => false,
        }
    }

    /// Worth retrying soon (the network, the hub busy or failing, the book busy).
    pub fn is_transient(&self) -> bool {
        match self {
            SyncError::Unreachable(_) => true,
            SyncError::Book(err) => err.kind() == casebook::ErrorKind::Storage,
            SyncError::Refused { .. } => false,
        }
    }
}

/// What one cycle moved.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SyncOutcome {
    /// Changes uploaded.
    pub pushed: usize,
    /// What the hub did with them.
    pub push: Option<Imported>,
    /// Highest own seq the hub has acknowledged.
    pub acknowledged_seq: i64,
    /// What the town's bundle brought.
    pub pulled: Option<Imported>,
}

/// Largest town bundle a station takes from the hub (the town's roster, referrals and replies
/// for one station are far smaller).
pub const MAX_PULL_BYTES: u64 = 64 * 1024 * 1024;

/// Why the town's certificate file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum CertificateError {
    /// The file could not be read.
    #[error("无法读取镇同步服务的证书文件 {path}：{reason}")]
    Unreadable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// It holds no PEM certificate.
    #[error("证书文件 {0} 中没有可用的证书（需要 PEM 格式，-----BEGIN CERTIFICATE-----）")]
    Empty(String),
    /// The client could not be made with it.
    #[error("无法使用证书文件 {path}：{reason}")]
    Unusable {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
}

/// Where the hub is and who it is.
#[derive(Debug, Clone)]
pub struct Hub {
    /// Base URL, e.g. `http://127.0.0.1:8700`.
    pub url: String,
    /// The town's origin code (an enrolled peer of the station).
    pub code: String,
}

/// The station's book, shared with the worker.
pub type SharedBook = Arc<Mutex<Book>>;

async fn with_book<T: Send + 'static>(
    book: &SharedBook,
    work: impl FnOnce(&mut Book) -> casebook::Result<T> + Send + 'static,
) -> Result<T, SyncError> {
    let book = Arc::clone(book);
    tokio::task::spawn_blocking(move || {
        let mut book = book.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        work(&mut book)
    })
    .await
    .map_err(|err| SyncError::Unreachable(format!("内部任务失败：{err}")))?
    .map_err(SyncError::Book)
}

async fn refusal_of(response: reqwest::Response) -> SyncError {
    let status = response.status();
    let passing = status.is_server_error()
        || status == reqwest::StatusCode::REQUEST_TIMEOUT
        || status == reqwest::StatusCode::TOO_MANY_REQUESTS;
    if passing {
        return SyncError::Unreachable(format!("服务器返回 {status}"));
    }
    match response.json::<Refusal>().await {
        Ok(refusal) => SyncError::Refused {
            kind: refusal.kind,
            message: refusal.message,
        },
        Err(_) => SyncError::Refused {
            kind: casebook::ErrorKind::Unknown,
            message: format!("服务器返回 {status}"),
        },
    }
}

fn unreachable(err: reqwest::Error) -> SyncError {
    SyncError::Unreachable(err.to_string())
}

/// One push + pull cycle: upload what the hub has not acknowledged, take its receipt, then
/// fetch and apply the town's bundle.
pub async fn sync_once(
    book: &SharedBook,
    hub: &Hub,
    client: &reqwest::Client,
) -> Result<SyncOutcome, SyncError> {
    let mut outcome = SyncOutcome::default();
    // A book restored from an older backup may not send (its numbers are the town's already),
    // but it still takes the town's bundle (the roster, the duty shifts).
    let held_back = match push(book, hub, client, &mut outcome).await {
        // The hub's refusal is not signed, so it is not kept: it comes again each cycle, and
        // nothing is lost meanwhile. The station holds back for good only on a signed receipt.
        Err(err) if err.is_log_behind_peer() => Some(err),
        pushed => {
            pushed?;
            None
        }
    };
    let request = with_book(book, |book| book.pull_request()).await?;
    let response = client
        .get(format!(
            "{}/api/v1/bundles/outgoing",
            hub.url.trim_end_matches('/')
        ))
        .query(&[("station", request.station.as_str())])
        .header("x-liaison-time", &request.time)
        .header("x-liaison-nonce", &request.nonce)
        .header("x-liaison-signature", &request.signature)
        .send()
        .await
        .map_err(unreachable)?;
    match response.status() {
        reqwest::StatusCode::NO_CONTENT => {}
        status if status.is_success() => {
            let bytes = read_capped(response, MAX_PULL_BYTES).await?;
            outcome.pulled = Some(with_book(book, move |book| book.import_bundle(&bytes)).await?);
        }
        _ => return Err(refusal_of(response).await),
    }
    let code = hub.code.clone();
    outcome.acknowledged_seq = with_book(book, move |book| {
        Ok(book
            .bundle_status()?
            .into_iter()
            .find(|status| status.peer == code)
            .map_or(0, |status| status.acknowledged_seq))
    })
    .await?;
    match held_back {
        Some(err) => Err(err),
        None => Ok(outcome),
    }
}

/// The body of `response`, read as a stream and refused as soon as it passes `cap` bytes.
async fn read_capped(mut response: reqwest::Response, cap: u64) -> Result<Vec<u8>, SyncError> {
    let too_large = || SyncError::Refused {
        kind: casebook::ErrorKind::TooLarge,
        message: format!(
            "镇里的同步包超过 {} MiB，本站不接收，请联系镇人大",
            cap / (1024 * 1024)
        ),
    };
    if response.content_length().is_some_and(|len| len > cap) {
        return Err(too_large());
    }
    let mut bytes = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
        if bytes.len() as u64 + chunk.len() as u64 > cap {
            return Err(too_large());
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// Uploads what the hub has not acknowledged and takes its receipt.
async fn push(
    book: &SharedBook,
    hub: &Hub,
    client: &reqwest::Client,
    outcome: &mut SyncOutcome,
) -> Result<(), SyncError> {
    let code = hub.code.clone();
    let Some(sealed) = with_book(book, move |book| book.seal_bundle(&code)).await? else {
        return Ok(());
    };
    let response = client
        .post(format!("{}/api/v1/bundles", hub.url.trim_end_matches('/')))
        .body(sealed.bytes.clone())
        .send()
        .await
        .map_err(unreachable)?;
    if !response.status().is_success() {
        return Err(refusal_of(response).await);
    }
    let answer: UploadAnswer = response.json().await.map_err(unreachable)?;
    outcome.pushed = sealed.changes;
    outcome.push = Some(answer.imported);
    let code = hub.code.clone();
    with_book(book, move |book| {
        book.record_export(&code, &sealed)?;
        if let Some(receipt) = &answer.receipt {
            book.take_receipt(receipt)?;
        }
        Ok(())
    })
    .await
}

/// How often the worker syncs and how it backs off.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// Between successful cycles.
    pub interval: Duration,
    /// First wait after a failure; doubles each time.
    pub backoff_start: Duration,
    /// Longest wait after failures.
    pub backoff_max: Duration,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        WorkerConfig {
            interval: Duration::from_secs(15 * 60),
            backoff_start: Duration::from_secs(10),
            backoff_max: Duration::from_secs(30 * 60),
        }
    }
}

/// What the worker last did, for the app to show.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct WorkerState {
    /// Cycles that completed.
    pub cycles: u64,
    /// Failures in a row.
    pub failures: u32,
    /// The last error, if the last cycle failed.
    pub last_error: Option<String>,
    /// The last completed cycle's outcome.
    pub last_outcome: Option<SyncOutcome>,
    /// When the last cycle ended, well or not (station time, RFC 3339).
    pub last_attempt_at: Option<String>,
    /// When a cycle last completed.
    pub last_success_at: Option<String>,
}

/// Syncs until `shutdown` resolves: every `interval` after success, with exponential backoff and
/// jitter after failures. Reports each cycle on `state`.
pub async fn run_worker(
    book: SharedBook,
    hub: Hub,
    config: WorkerConfig,
    state: tokio::sync::watch::Sender<WorkerState>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let client = client();
    tokio::pin!(shutdown);
    let mut backoff = config.backoff_start;
    loop {
        let cycle = tokio::select! {
            () = &mut shutdown => return,
            cycle = sync_once(&book, &hub, &client) => cycle,
        };
        let ended = Some(casebook::time::stored(casebook::time::china_now()));
        let wait = match cycle {
            Ok(outcome) => {
                backoff = config.backoff_start;
                state.send_modify(|s| {
                    s.cycles += 1;
                    s.failures = 0;
                    s.last_error = None;
                    s.last_outcome = Some(outcome);
                    s.last_attempt_at = ended.clone();
                    s.last_success_at = ended;
                });
                config.interval
            }
            Err(err) => {
                tracing::warn!("sync failed: {err}");
                state.send_modify(|s| {
                    s.failures += 1;
                    s.last_error = Some(err.to_string());
                    s.last_attempt_at = ended;
                });
                let wait = if err.is_transient() {
                    backoff
                } else {
                    config.backoff_max
                };
                backoff = (backoff * 2).min(config.backoff_max);
                with_jitter(wait)
            }
        };
        tokio::select! {
            () = &mut shutdown => return,
            () = tokio::time::sleep(wait) => {}
        }
    }
}

/// An HTTP client with time limits: a half-open connection on a poor village line must not
/// hang a cycle. It trusts the system's certificate authorities for https.
pub fn client() -> reqwest::Client {
    builder().build().unwrap_or_default()
}

/// [`client`] that also trusts the certificates in the PEM file `path`: the town's
/// self-signed certificate, or the CA that signed it.
///
/// # Errors
/// When the file cannot be read or holds no usable certificate.
pub fn client_trusting(path: &std::path::Path) -> Result<reqwest::Client, CertificateError> {
    let shown = path.display().to_string();
    let pem = std::fs::read(path).map_err(|err| CertificateError::Unreadable {
        path: shown.clone(),
        reason: err.to_string(),
    })?;
    let certificates =
        reqwest::Certificate::from_pem_bundle(&pem).map_err(|err| CertificateError::Unusable {
            path: shown.clone(),
            reason: err.to_string(),
        })?;
    if certificates.is_empty() {
        return Err(CertificateError::Empty(shown));
    }
    certificates
        .into_iter()
        .fold(builder(), reqwest::ClientBuilder::add_root_certificate)
        .build()
        .map_err(|err| CertificateError::Unusable {
            path: shown,
            reason: err.to_string(),
        })
}

fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .use_rustls_tls()
        .connect_timeout(Duration::from_secs(20))
        .timeout(Duration::from_secs(600))
}

/// `wait` scaled by a random factor in [0.5, 1.5): stations that failed together do not all
/// come back at the same moment.
fn with_jitter(wait: Duration) -> Duration {
    wait.mul_f64(rand::rng().random_range(0.5..1.5))
}
