//! The hub's policies against abuse: who may see the status page, how often a station may
//! upload and pull, uploads that carry nothing new (replays), and how much decompressed payload
//! the hub holds at once. docs/security.md has the table of limits.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use casebook::ErrorKind;
use casebook::bundle::format::{self, Receipt};
use casebook::bundle::{Imported, OpenedBundle, UploadAnswer};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{SharedHub, refusal};

/// The town office's admin token (`--admin-token-file`). Only its SHA-256 is kept, so tokens
/// of any length compare in constant time; it is never printed.
#[derive(Clone)]
pub struct AdminToken(Arc<[u8; 32]>);

impl AdminToken {
    /// Shortest token accepted, in characters: it is the only lock on the status page.
    pub const MIN_CHARS: usize = 16;

    /// The token, without surrounding white space (a file's last newline); `None` when it is
    /// shorter than [`AdminToken::MIN_CHARS`].
    pub fn new(token: &str) -> Option<AdminToken> {
        let token = token.trim();
        (token.chars().count() >= Self::MIN_CHARS).then(|| AdminToken(Arc::new(digest(token))))
    }

    fn matches(&self, offered: &str) -> bool {
        bool::from(digest(offered).ct_eq(self.0.as_ref()))
    }
}

impl std::fmt::Debug for AdminToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("AdminToken(…)")
    }
}

fn digest(text: &str) -> [u8; 32] {
    Sha256::digest(text.as_bytes()).into()
}

/// Leave to see pages that list the stations. With an admin token set, the request must carry
/// it as the password of HTTP Basic auth (any user name; a browser asks for it), from anywhere,
/// this machine included. Without one, only requests made on this machine are let in, and not
/// those a reverse proxy forwards (they come from loopback too).
#[derive(Debug)]
pub(crate) struct Admin;

impl FromRequestParts<SharedHub> for Admin {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, hub: &SharedHub) -> Result<Admin, Response> {
        match &hub.config.admin_token {
            Some(token) => {
                if basic_password(&parts.headers).is_some_and(|offered| token.matches(&offered)) {
                    Ok(Admin)
                } else {
                    tracing::warn!(peer = ?peer_address(parts), "status page: no or wrong admin token");
                    let mut answer = refusal(
                        StatusCode::UNAUTHORIZED,
                        ErrorKind::Unauthorized,
                        "请输入镇人大的管理口令（用户名任意，密码为管理口令）",
                    );
                    answer.headers_mut().insert(
                        header::WWW_AUTHENTICATE,
                        header::HeaderValue::from_static(
                            r#"Basic realm="liaison-hub", charset="UTF-8""#,
                        ),
                    );
                    Err(answer)
                }
            }
            None if from_this_machine(parts) => Ok(Admin),
            None => {
                tracing::warn!(peer = ?peer_address(parts), "status page asked from another machine");
                Err(refusal(
                    StatusCode::FORBIDDEN,
                    ErrorKind::Forbidden,
                    "同步状态页只能在同步服务器本机上打开；要从其他电脑查看，请用 --admin-token-file 设置管理口令",
                ))
            }
        }
    }
}

fn peer_address(parts: &Parts) -> Option<SocketAddr> {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(address)| *address)
}

/// A request from loopback that no proxy forwarded. Without the peer's address (a router served
/// without connect info) nobody is.
fn from_this_machine(parts: &Parts) -> bool {
    let forwarded = ["forwarded", "x-forwarded-for", "x-real-ip"]
        .iter()
        .any(|name| parts.headers.contains_key(*name));
    !forwarded && peer_address(parts).is_some_and(|a| a.ip().to_canonical().is_loopback())
}

/// The password of an `Authorization: Basic` header.
fn basic_password(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = value.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    decoded
        .split_once(':')
        .map(|(_, password)| password.to_owned())
}

/// At most `per_minute` events per station in any 60 seconds. Keys are authenticated station
/// codes, so the map holds at most the enrolled stations.
#[derive(Debug)]
pub(crate) struct RateLimit {
    per_minute: usize,
    recent: Mutex<HashMap<String, VecDeque<Instant>>>,
}

const MINUTE: Duration = Duration::from_secs(60);

impl RateLimit {
    pub(crate) fn new(per_minute: usize) -> RateLimit {
        RateLimit {
            per_minute,
            recent: Mutex::new(HashMap::new()),
        }
    }

    /// Counts an event of `station`; when it has used up its minute, `Err` with how long until
    /// it may try again (nothing counted).
    pub(crate) fn admit(&self, station: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut recent = self
            .recent
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let times = recent.entry(station.to_owned()).or_default();
        while times
            .front()
            .is_some_and(|t| now.duration_since(*t) > MINUTE)
        {
            times.pop_front();
        }
        if times.len() >= self.per_minute {
            let oldest = times.front().copied().unwrap_or(now);
            return Err(MINUTE.saturating_sub(now.duration_since(oldest)));
        }
        times.push_back(now);
        Ok(())
    }
}

/// 429 `too_fast` with the seconds to wait in `Retry-After`.
pub(crate) fn too_fast(message: &str, wait: Duration) -> Response {
    let mut answer = refusal(StatusCode::TOO_MANY_REQUESTS, ErrorKind::TooFast, message);
    answer
        .headers_mut()
        .insert(header::RETRY_AFTER, (wait.as_secs() + 1).into());
    answer
}

/// Bundles each station uploaded that the town imported, by file hash, and the town's last
/// receipt for it (one for each form of the answer, with the hash and without). The same file
/// again (a retry whose answer was lost, or a captured bundle posted by someone else) cannot add
/// anything: it is answered with the receipt without opening its payload or waking the
/// importer, and it does not count toward the rate limit.
#[derive(Debug, Default)]
pub(crate) struct Replays {
    held: Mutex<HashMap<String, Held>>,
}

#[derive(Debug, Default)]
struct Held {
    /// The town's last receipt for an upload of format 3 or later (with the hash), and for one
    /// of an older format (without it): a replay is answered in its own format, as it was.
    hashed: Option<Receipt>,
    plain: Option<Receipt>,
    /// Newest last; at most [`REMEMBERED`].
    files: VecDeque<String>,
}

impl Held {
    /// The receipt that answers an upload of format `version`.
    fn receipt(&mut self, version: u16) -> &mut Option<Receipt> {
        if version >= format::HASHED_RECEIPTS_VERSION {
            &mut self.hashed
        } else {
            &mut self.plain
        }
    }
}

/// Imported files remembered per station: days of a busy station's uploads. A bundle posted
/// again after more goes to the importer once (adding nothing) and is remembered again.
const REMEMBERED: usize = 64;

/// What the replay check needs of an upload after it went to the importer.
#[derive(Debug)]
pub(crate) struct Upload {
    origin: String,
    file_hash: String,
    version: u16,
}

impl Upload {
    pub(crate) fn of(bundle: &OpenedBundle) -> Upload {
        Upload {
            origin: bundle.origin().to_owned(),
            file_hash: bundle.file_hash().to_owned(),
            version: bundle.format_version(),
        }
    }
}

impl Replays {
    fn held(&self) -> std::sync::MutexGuard<'_, HashMap<String, Held>> {
        self.held
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The answer to an upload the town already imported, if it is one.
    pub(crate) fn answer(&self, bundle: &OpenedBundle) -> Option<UploadAnswer> {
        let mut held = self.held();
        let station = held.get_mut(bundle.origin())?;
        if !station.files.iter().any(|f| f == bundle.file_hash()) {
            return None;
        }
        // Learning the file set its format's receipt; without one it goes to the importer.
        let receipt = station.receipt(bundle.format_version()).clone()?;
        let changes = usize::try_from(bundle.header().changes).unwrap_or(usize::MAX);
        Some(UploadAnswer {
            imported: Imported {
                duplicates: changes,
                ..Imported::default()
            },
            receipt: Some(receipt),
        })
    }

    /// Remembers an upload the importer took, with the town's receipt.
    pub(crate) fn learn(&self, upload: Upload, answer: &UploadAnswer) {
        let Some(receipt) = &answer.receipt else {
            return;
        };
        let mut held = self.held();
        let station = held.entry(upload.origin).or_default();
        *station.receipt(upload.version) = Some(receipt.clone());
        if !station.files.contains(&upload.file_hash) {
            if station.files.len() == REMEMBERED {
                station.files.pop_front();
            }
            station.files.push_back(upload.file_hash);
        }
    }

    /// Forgets a station the importer refused as unknown (revoked while the hub runs).
    pub(crate) fn forget(&self, station: &str) {
        self.held().remove(station);
    }
}

/// Bytes of decompressed payload the hub holds at once, over every upload from the moment its
/// payload is decompressed until it is answered (so also those waiting for the importer). An
/// upload reserves what its payload declares before it is decompressed; when the budget is
/// full it waits up to [`ByteBudget::WAIT`], then is answered 503 with `Retry-After`.
#[derive(Debug)]
pub(crate) struct ByteBudget {
    /// In KiB, so a budget of many GiB fits the semaphore's `u32` requests.
    kib: Arc<Semaphore>,
    total_kib: u32,
    wait: Duration,
}

impl ByteBudget {
    /// How long an upload waits for room.
    pub(crate) const WAIT: Duration = Duration::from_secs(30);

    pub(crate) fn new(bytes: usize, wait: Duration) -> ByteBudget {
        let total_kib = u32::try_from(bytes.div_ceil(1024)).unwrap_or(u32::MAX);
        ByteBudget {
            kib: Arc::new(Semaphore::new(total_kib as usize)),
            total_kib,
            wait,
        }
    }

    /// Room for `bytes` (at most the whole budget), held until the permit is dropped.
    pub(crate) async fn reserve(&self, bytes: usize) -> Result<OwnedSemaphorePermit, Response> {
        let kib = u32::try_from(bytes.div_ceil(1024))
            .unwrap_or(u32::MAX)
            .min(self.total_kib);
        let acquire = Arc::clone(&self.kib).acquire_many_owned(kib);
        match tokio::time::timeout(self.wait, acquire).await {
            Ok(Ok(permit)) => Ok(permit),
            Ok(Err(_)) => Err(crate::internal_error()),
            Err(_) => {
                tracing::warn!(kib, "no room to open an upload");
                let mut answer = refusal(
                    StatusCode::SERVICE_UNAVAILABLE,
                    ErrorKind::Busy,
                    "同步服务正忙，请稍后重试",
                );
                answer
                    .headers_mut()
                    .insert(header::RETRY_AFTER, header::HeaderValue::from_static("10"));
                Err(answer)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_budget_answers_503_with_retry_after_and_frees_room_on_drop() {
        let budget = ByteBudget::new(4 * 1024 * 1024, Duration::from_millis(50));
        let held = budget.reserve(3 * 1024 * 1024).await.unwrap();
        let refused = budget.reserve(2 * 1024 * 1024).await.unwrap_err();
        assert_eq!(refused.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(refused.headers()[header::RETRY_AFTER], "10");
        // What fits still goes.
        drop(budget.reserve(1024 * 1024).await.unwrap());
        drop(held);
        drop(budget.reserve(4 * 1024 * 1024).await.unwrap());
        // More than the whole budget is clamped to it rather than waiting forever.
        drop(budget.reserve(64 * 1024 * 1024).await.unwrap());
    }

    #[tokio::test]
    async fn a_waiting_upload_goes_once_room_is_freed() {
        let budget = Arc::new(ByteBudget::new(1024 * 1024, Duration::from_secs(10)));
        let held = budget.reserve(1024 * 1024).await.unwrap();
        let waiting = tokio::spawn({
            let budget = Arc::clone(&budget);
            async move { budget.reserve(512 * 1024).await.is_ok() }
        });
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(!waiting.is_finished(), "it waits while the budget is full");
        drop(held);
        assert!(waiting.await.unwrap());
    }

    #[test]
    fn the_rate_limit_counts_per_station_and_says_how_long_to_wait() {
        let limit = RateLimit::new(2);
        assert!(limit.admit("BX").is_ok() && limit.admit("BX").is_ok());
        let wait = limit.admit("BX").unwrap_err();
        assert!(wait > Duration::from_secs(55) && wait <= MINUTE, "{wait:?}");
        assert!(
            limit.admit("NT").is_ok(),
            "another station has its own minute"
        );
    }

    #[test]
    fn a_token_is_compared_whole_and_never_printed() {
        assert!(AdminToken::new("short").is_none());
        let token = AdminToken::new("  correct-horse-battery-staple\n").unwrap();
        assert!(token.matches("correct-horse-battery-staple"));
        assert!(!token.matches("correct-horse-battery-stapl"));
        assert!(!token.matches(""));
        assert_eq!(format!("{token:?}"), "AdminToken(…)");
    }
}
