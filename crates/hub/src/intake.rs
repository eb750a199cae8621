//! Reading an upload off the wire, cheapest checks first. The bundle's header comes before its
//! body: a sender that is not an enrolled, active station, or a bundle for another recipient, is
//! refused as soon as the header has arrived, and a bundle declaring more than the cap as soon as
//! its length is known. The body is then read against a deadline that follows its declared
//! length, and every byte held counts against one budget shared by all uploads being read, so
//! many large uploads at once cannot exhaust the hub's memory. The signature is checked (by the
//! book's opener) before anything is decrypted or decompressed.
//!
//! The stations' keys are kept in memory; a sender not found there makes the hub read them
//! again, but at most once per [`KEYS_REFRESH`], however many strangers knock.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use casebook::ErrorKind;
use casebook::bundle::BundleOpener;
use casebook::bundle::format;
use futures_util::StreamExt;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{SharedHub, answer_error, refusal};

/// Least time between two readings of the keys from the book.
pub(crate) const KEYS_REFRESH: Duration = Duration::from_secs(2);
/// What a 503 asks the client to wait, in seconds.
const RETRY_AFTER_SECONDS: u64 = 5;
/// The budget is counted in KiB.
const BUDGET_UNIT: u64 = 1024;

/// Limits and shared state of the upload intake.
#[derive(Debug)]
pub(crate) struct Intake {
    max_upload: u64,
    header_timeout: Duration,
    min_rate: u64,
    /// Uploads past their header check, from reading to the importer's answer.
    in_flight: Arc<Semaphore>,
    /// KiB of upload bytes held at once, over every upload.
    budget: Arc<Semaphore>,
    pub(crate) keys: Keys,
}

/// An upload read whole; its slot and its share of the budget are held until it is dropped.
#[derive(Debug)]
pub(crate) struct Upload {
    pub bytes: Bytes,
    _slot: OwnedSemaphorePermit,
    _held: OwnedSemaphorePermit,
}

impl Intake {
    pub(crate) fn new(config: &crate::HubConfig, opener: BundleOpener) -> Intake {
        let budget_units = config.upload_memory.div_ceil(BUDGET_UNIT).max(1);
        Intake {
            max_upload: config.max_upload,
            header_timeout: config.header_timeout,
            min_rate: config.min_upload_rate.max(1),
            in_flight: Arc::new(Semaphore::new(config.uploads_in_flight.max(1))),
            budget: Arc::new(Semaphore::new(
                usize::try_from(budget_units)
                    .unwrap_or(Semaphore::MAX_PERMITS)
                    .min(Semaphore::MAX_PERMITS),
            )),
            keys: Keys::new(opener),
        }
    }
}

/// 503 with `Retry-After`: the hub is full for now, not refusing the station.
pub(crate) fn busy(message: &str) -> Response {
    let mut response = refusal(StatusCode::SERVICE_UNAVAILABLE, ErrorKind::Busy, message);
    response
        .headers_mut()
        .insert(header::RETRY_AFTER, RETRY_AFTER_SECONDS.into());
    response
}

fn too_large(max: u64) -> Response {
    refusal(
        StatusCode::PAYLOAD_TOO_LARGE,
        ErrorKind::TooLarge,
        format!(
            "同步包超过镇同步服务允许的大小（{} MiB），请联系镇人大",
            max / (1024 * 1024)
        ),
    )
}

fn malformed(message: &str) -> Response {
    refusal(
        StatusCode::BAD_REQUEST,
        ErrorKind::BadBundle,
        format!("同步包无效：{message}"),
    )
}

fn too_slow() -> Response {
    refusal(
        StatusCode::REQUEST_TIMEOUT,
        ErrorKind::TooSlow,
        "上传太慢，已中断，请在网络较好时重试",
    )
}

/// Bytes read so far with their share of the budget.
struct Held {
    bytes: Vec<u8>,
    permit: Option<OwnedSemaphorePermit>,
}

impl Held {
    /// Takes `chunk` in if the budget has room for it.
    fn take(&mut self, budget: &Arc<Semaphore>, chunk: &[u8]) -> bool {
        let before = (self.bytes.len() as u64).div_ceil(BUDGET_UNIT);
        let after = (self.bytes.len() as u64 + chunk.len() as u64).div_ceil(BUDGET_UNIT);
        if after > before {
            let Some(more) = u32::try_from(after - before)
                .ok()
                .and_then(|units| Arc::clone(budget).try_acquire_many_owned(units).ok())
            else {
                return false;
            };
            match &mut self.permit {
                Some(permit) => permit.merge(more),
                None => self.permit = Some(more),
            }
        }
        self.bytes.extend_from_slice(chunk);
        true
    }
}

/// Reads an upload: header first (sender, recipient, declared length), then the body.
pub(crate) async fn read_upload(
    hub: &SharedHub,
    headers: &HeaderMap,
    body: Body,
) -> Result<Upload, Response> {
    let intake = &hub.intake;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    if declared.is_some_and(|len| len > intake.max_upload) {
        return Err(too_large(intake.max_upload));
    }
    let mut stream = body.into_data_stream();
    let mut held = Held {
        bytes: Vec::new(),
        permit: None,
    };
    let mut deadline = tokio::time::Instant::now() + intake.header_timeout;
    // Set once the header passed: the file's declared length and the upload's slot.
    let mut admitted: Option<(u64, OwnedSemaphorePermit)> = None;
    loop {
        if admitted.is_none() && held.bytes.len() >= format::PREFIX_LEN {
            let header_len = format::header_len(&held.bytes).map_err(|err| answer_error(&err))?;
            if held.bytes.len() >= format::PREFIX_LEN + header_len {
                let json = &held.bytes[format::PREFIX_LEN..format::PREFIX_LEN + header_len];
                let header = format::parse_header(json).map_err(|err| answer_error(&err))?;
                check_sender(hub, &header).await?;
                let total = format::file_len(header_len, &header)
                    .filter(|total| *total <= intake.max_upload)
                    .ok_or_else(|| too_large(intake.max_upload))?;
                if declared.is_some_and(|len| len != total) {
                    return Err(malformed("长度与文件头不符，文件可能被截断或附加了内容"));
                }
                let slot = Arc::clone(&intake.in_flight)
                    .try_acquire_owned()
                    .map_err(|_| busy("同时上传的站点太多，请稍后重试"))?;
                deadline = tokio::time::Instant::now()
                    + intake.header_timeout
                    + Duration::from_secs(total / intake.min_rate);
                let room = usize::try_from(total).unwrap_or(usize::MAX);
                held.bytes
                    .reserve_exact(room.saturating_sub(held.bytes.len()));
                admitted = Some((total, slot));
            }
        }
        let limit = admitted
            .as_ref()
            .map_or(intake.max_upload, |(total, _)| *total);
        if held.bytes.len() as u64 > limit {
            return Err(match admitted {
                Some(_) => malformed("文件长度与文件头不符，文件可能被截断或附加了内容"),
                None => too_large(intake.max_upload),
            });
        }
        let chunk = match tokio::time::timeout_at(deadline, stream.next()).await {
            Err(_) => return Err(too_slow()),
            Ok(None) => break,
            // The client went away; nobody reads the answer.
            Ok(Some(Err(_))) => return Err(malformed("上传中断")),
            Ok(Some(Ok(chunk))) => chunk,
        };
        if !held.take(&intake.budget, &chunk) {
            return Err(busy("镇同步服务正忙，请稍后重试"));
        }
    }
    match (admitted, held.permit) {
        (Some((total, slot)), Some(permit)) if held.bytes.len() as u64 == total => Ok(Upload {
            bytes: Bytes::from(held.bytes),
            _slot: slot,
            _held: permit,
        }),
        _ => Err(malformed("文件不完整，可能被截断")),
    }
}

/// Refuses a header whose sender is not an enrolled, active station, or whose recipient is not
/// this town, reading the keys again (at most once per [`KEYS_REFRESH`]) for a sender not known.
async fn check_sender(hub: &SharedHub, header: &format::Header) -> Result<(), Response> {
    let missed_at = Instant::now();
    match hub.intake.keys.current().sender_key(header) {
        Ok(_) => return Ok(()),
        Err(err) if err.kind() != ErrorKind::UnknownOrigin => return Err(answer_error(&err)),
        Err(_) => {}
    }
    let fresh = refreshed_keys(hub, missed_at, true).await?;
    fresh
        .sender_key(header)
        .map(|_| ())
        .map_err(|err| answer_error(&err))
}

/// The keys as read from the book after `missed_at`; if not `patient`, the keys in memory
/// unless a reading is due now (a bad signature is far more often an attacker's than a
/// re-keyed station's, and must not hold its upload's memory while it waits).
pub(crate) async fn refreshed_keys(
    hub: &SharedHub,
    missed_at: Instant,
    patient: bool,
) -> Result<Arc<BundleOpener>, Response> {
    let reader = Arc::clone(hub);
    let read = || async move { crate::with_book(&reader, |book| book.bundle_opener()).await };
    hub.intake.keys.refreshed(missed_at, patient, read).await
}

/// The stations' keys in memory, read again at most once per [`KEYS_REFRESH`].
#[derive(Debug)]
pub(crate) struct Keys {
    current: RwLock<Arc<BundleOpener>>,
    /// When the keys were last read (started); held while they are read, so one reading serves
    /// every request that was waiting for it.
    last_read: tokio::sync::Mutex<Instant>,
}

impl Keys {
    fn new(opener: BundleOpener) -> Keys {
        Keys {
            current: RwLock::new(Arc::new(opener)),
            last_read: tokio::sync::Mutex::new(Instant::now()),
        }
    }

    pub(crate) fn current(&self) -> Arc<BundleOpener> {
        Arc::clone(
            &self
                .current
                .read()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        )
    }

    /// Keys read after `missed_at`: those of a reading begun since, or of a new one, no sooner
    /// than [`KEYS_REFRESH`] after the last. Unless `patient`, the keys in memory when a new
    /// reading is not due yet.
    async fn refreshed<F, E>(
        &self,
        missed_at: Instant,
        patient: bool,
        read: impl FnOnce() -> F,
    ) -> Result<Arc<BundleOpener>, E>
    where
        F: Future<Output = Result<BundleOpener, E>>,
    {
        let mut last_read = if patient {
            self.last_read.lock().await
        } else {
            match self.last_read.try_lock() {
                Ok(last_read) => last_read,
                Err(_) => return Ok(self.current()),
            }
        };
        let due = *last_read + KEYS_REFRESH;
        if *last_read >= missed_at || (!patient && Instant::now() < due) {
            return Ok(self.current());
        }
        tokio::time::sleep_until(due.into()).await;
        *last_read = Instant::now();
        let fresh = Arc::new(read().await?);
        *self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner()) = Arc::clone(&fresh);
        Ok(fresh)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// Two hundred strangers at once cost one reading of the keys, not two hundred; a request
    /// that is not patient never waits.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn many_misses_read_the_keys_once() {
        let keys = Arc::new(Keys::new(BundleOpener::empty()));
        let reads = Arc::new(AtomicUsize::new(0));
        let started = Instant::now();
        let misses: Vec<_> = (0..200)
            .map(|_| {
                let (keys, reads) = (Arc::clone(&keys), Arc::clone(&reads));
                tokio::spawn(async move {
                    let missed_at = Instant::now();
                    let read = || async {
                        reads.fetch_add(1, Ordering::SeqCst);
                        Ok::<_, ()>(BundleOpener::empty())
                    };
                    keys.refreshed(missed_at, true, read).await
                })
            })
            .collect();
        let first = keys.current();
        for miss in misses {
            let fresh = miss.await.unwrap().unwrap();
            assert!(
                !Arc::ptr_eq(&fresh, &first),
                "every miss sees keys read after it"
            );
        }
        assert_eq!(reads.load(Ordering::SeqCst), 1);
        assert!(started.elapsed() >= KEYS_REFRESH - Duration::from_millis(50));

        let impatient = Instant::now();
        let read = || async { Ok::<_, ()>(BundleOpener::empty()) };
        let current = keys.current();
        let answer = keys.refreshed(Instant::now(), false, read).await.unwrap();
        assert!(
            Arc::ptr_eq(&answer, &current),
            "not due: the keys in memory"
        );
        assert!(impatient.elapsed() < Duration::from_millis(100));
    }
}
