//! The open station: which book, this PC's settings, and the background sync worker. Every
//! method is a few lines over the core crate, run off the UI thread, and knows nothing of
//! windows, so tests drive it directly.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use casebook::Book;
use casebook::bundle::{Exported, Imported, PeerStatus};
use casebook::domain::{
    AuditAction, AuditChannel, CaseEventInput, DeputyActivityInput, MediationEventInput,
    MediationInput, MeetingEventInput, MeetingInput, ReceptionInput, RosterFile,
    SuggestionEventInput, SuggestionInput,
};
use casebook::store::audit::{AuditFilter, AuditListing};
use casebook::store::deputy_file::DeputyActivityListing;
use casebook::store::drafts::Draft;
use casebook::store::due::DueItem;
use casebook::store::ops::{
    CaseEventAdded, DeputyActivityAdded, MediationAdded, MediationEventAdded, MeetingAdded,
    MeetingEventAdded, ReceptionAdded, RosterImported, SuggestionAdded, SuggestionEventAdded,
};
use casebook::store::read::{
    CaseCounts, CaseDetail, CaseFilter, CaseSummary, DeputyListing, DutyShiftListing,
    MediationListing, MeetingListing, Renumbered, StatusFilter, SuggestionListing,
};
use casebook::store::stats::Stats;
use casebook::store::{BookKind, lock as book_lock};
use casebook::time::china_today;
use casebook_demo::{self as demo, DemoOptions};
use casebook_docs::{Document, Report, ReportKind, SlipOptions, render_document};
use chrono::NaiveDate;
use liaison_sync::{Hub, SharedBook, SyncOutcome, WorkerConfig, WorkerState};
use serde::{Deserialize, Serialize};
use tokio::sync::{oneshot, watch};
use ts_rs::TS;
use uuid::Uuid;
use zeroize::Zeroizing;

use crate::error::CommandError;
use crate::keystore::{KeyStore, KeyStoreError, OsKeyStore};
use crate::settings::Settings;

mod backup;
mod enrol;
mod sign_in;

pub use backup::{BackupStatus, STALE_AFTER_DAYS};
pub use enrol::EnrolledBook;

pub use sign_in::{SignOutReason, SignedIn};

/// Where the station keeps its files.
#[derive(Debug, Clone)]
pub struct Paths {
    /// The case book.
    pub book: PathBuf,
    /// This PC's settings.
    pub settings: PathBuf,
}

impl Paths {
    /// The book and settings in `dir`.
    pub fn in_dir(dir: &Path) -> Paths {
        Paths {
            book: dir.join("casebook.db"),
            settings: dir.join("settings.json"),
        }
    }
}

/// Runs `work` on a blocking thread (the book's file, a key's derivation), its refusal as the
/// window's.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> casebook::Result<T> + Send + 'static,
) -> Result<T, CommandError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|err| CommandError::internal(format!("后台任务失败：{err}")))?
        .map_err(CommandError::from)
}

/// Which book the window shows.
#[derive(Debug, Clone, Serialize, TS)]
pub struct BookStatus {
    /// A book is open.
    pub open: bool,
    /// Station code.
    pub code: Option<String>,
    /// Station name.
    pub name: Option<String>,
    /// The town's book rather than a station's.
    pub town: bool,
    /// A fictional demo book in a temporary place.
    pub demo: bool,
    /// Where the book is.
    pub path: Option<PathBuf>,
    /// The book is encrypted at rest.
    pub encrypted: bool,
    /// The book is encrypted and waits for its passphrase: the window shows nothing else.
    pub locked: bool,
    /// This PC's key store holds the passphrase (as the app last saw it).
    pub remembered: bool,
    /// The deputy signed in.
    pub signed_in: Option<SignedIn>,
    /// Nobody is signed in and the roster has deputies who may: the window shows the sign-in
    /// screen over whatever was on it.
    pub sign_in_required: bool,
}

/// The book after an unlock (or a change of passphrase), and what the deputy should know about
/// the key store: it failed, or held a passphrase that no longer opens the book.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Unlocked {
    /// The book, open or still locked.
    pub book: BookStatus,
    /// Chinese, for the deputy to read; the book is usable whatever it says.
    pub notice: Option<String>,
}

/// The 今日值班 screen.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Today {
    /// Today, station time.
    pub date: NaiveDate,
    /// Today's duty shifts.
    pub shifts: Vec<DutyShiftListing>,
    /// The next day's shifts when nobody is on duty today (empty otherwise, or when none is
    /// planned).
    pub next_shifts: Vec<DutyShiftListing>,
    /// Received today.
    pub receptions: Vec<CaseSummary>,
    /// What is owed, in whole numbers: the lists below hold only the first few.
    pub counts: CaseCounts,
    /// The newest cases awaiting an answer, not yet late.
    pub awaiting: Vec<CaseSummary>,
    /// The newest cases awaiting an answer past the due date.
    pub overdue: Vec<CaseSummary>,
}

/// The case list's filter as the window sends it.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct CaseQuery {
    /// A status name, `overdue` or `awaiting`.
    pub status: Option<String>,
    /// Dispute type.
    pub category: Option<String>,
    /// 1–4 characters to find.
    pub query: Option<String>,
    /// Page size.
    pub limit: usize,
    /// Cases before the page.
    pub offset: usize,
}

/// One page of the case list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct CasePage {
    /// The page.
    pub cases: Vec<CaseSummary>,
    /// More cases follow.
    pub has_more: bool,
}

/// Which page of a long list the window wants.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
pub struct PageQuery {
    /// Records before the page.
    pub offset: usize,
    /// Page size (at most [`LONGEST_PAGE`]).
    pub limit: usize,
}

/// The most records one page carries: a screen draws what it is sent, and a web view holding
/// a thousand table rows costs hundreds of megabytes (docs/benchmarks.md, issue 18).
pub const LONGEST_PAGE: usize = 200;

/// One page of a long list.
#[derive(Debug, Clone, Serialize, TS)]
pub struct Page<T: TS> {
    /// The page.
    pub items: Vec<T>,
    /// More records follow.
    pub has_more: bool,
}

impl PageQuery {
    /// Reads one record more than the page holds, to know whether more follow.
    fn read<T: TS>(
        self,
        read: impl FnOnce(usize, usize) -> casebook::Result<Vec<T>>,
    ) -> casebook::Result<Page<T>> {
        let limit = self.limit.clamp(1, LONGEST_PAGE);
        let mut items = read(self.offset, limit + 1)?;
        let has_more = items.len() > limit;
        items.truncate(limit);
        Ok(Page { items, has_more })
    }
}

/// The 同步 screen.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SyncView {
    /// Peers with their backlog and last receipt.
    pub peers: Vec<PeerStatus>,
    /// The hub, when set.
    pub hub_url: Option<String>,
    /// The background worker, when running.
    pub worker: Option<WorkerState>,
}

/// The 操作记录 screen's filter as the window sends it; dates are station dates, inclusive.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct AuditQuery {
    /// From this day.
    pub from: Option<NaiveDate>,
    /// To this day.
    pub to: Option<NaiveDate>,
    /// By or about this deputy.
    pub deputy: Option<Uuid>,
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only this book's lines (a station's code, in the town's book).
    pub station: Option<String>,
    /// Page size, at most 200.
    pub limit: usize,
    /// Lines before the page.
    pub offset: usize,
}

/// One page of the audit trail, newest first.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AuditPage {
    /// The page.
    pub entries: Vec<AuditListing>,
    /// More lines follow.
    pub has_more: bool,
}

/// Cases listed on the 今日值班 screen per group; the counts say how many there are in all.
const TODAY_LIST: usize = 5;

/// The furthest ahead the 待办 list looks, in days: a year.
pub const DUE_WITHIN_MAX: u32 = 366;

/// The most rows of 待办 the window is sent.
pub const DUE_ROWS_MAX: usize = 2_000;

/// The 待办 panel: how much is owed and late, and the first rows, soonest first.
#[derive(Debug, Clone, Serialize, TS)]
pub struct DueList {
    /// The first rows.
    pub items: Vec<DueItem>,
    /// Everything owed within the days asked and everything late.
    pub total: usize,
    /// Of which late.
    pub late: usize,
}

/// A running background sync worker.
#[derive(Debug)]
struct Worker {
    state: watch::Receiver<WorkerState>,
    _stop: oneshot::Sender<()>,
}

/// The app's state: one per window.
#[derive(Debug)]
pub struct Station {
    paths: Paths,
    /// The temporary home of a demo book, removed on exit.
    demo_dir: Option<tempfile::TempDir>,
    book: RwLock<Option<SharedBook>>,
    settings: Mutex<Settings>,
    worker: Mutex<Option<Worker>>,
    started: Instant,
    key_store: Arc<dyn KeyStore>,
    /// The key store holds this book's passphrase, as far as the app knows.
    remembered: AtomicBool,
    /// When the app must have ended, once the window's close was asked.
    close_by: OnceLock<Instant>,
}

/// How long closing the book waits for the sync worker's or a screen's work on it to end.
const CLOSE_PATIENCE: Duration = Duration::from_secs(10);

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// `book`, saying that the app works on it: every book the window opens or makes goes through
/// here, so the audit trail names the app as the channel.
fn as_app(mut book: Book) -> Book {
    book.set_channel(AuditChannel::App);
    book
}

/// The longest record id a print names: case and mediation numbers, meeting ids, day ranges.
const PRINTED_ID_CHARS: usize = 64;

/// The id the window says it prints, trimmed, if it may name a record at all.
fn printed_id(id: &str) -> Result<String, CommandError> {
    let id = id.trim();
    if id.is_empty() || id.chars().count() > PRINTED_ID_CHARS || id.chars().any(char::is_control) {
        return Err(CommandError::invalid(
            "要打印的文书编号不对，请关闭后重新打开再打印",
        ));
    }
    Ok(id.to_owned())
}

impl Station {
    /// The station whose files are at `paths`; opens the book if there is one and it is plain.
    /// An encrypted book stays locked until [`Station::unlock_book`] (or
    /// [`Station::unlock_remembered`]) is given its passphrase.
    pub fn open(paths: Paths, started: Instant) -> Result<Station, CommandError> {
        let book = if paths.book.exists() && !book_lock::is_encrypted(&paths.book)? {
            Some(Arc::new(Mutex::new(as_app(Book::open(&paths.book)?))))
        } else {
            None
        };
        Ok(Station {
            settings: Mutex::new(Settings::load(&paths.settings)),
            paths,
            demo_dir: None,
            book: RwLock::new(book),
            worker: Mutex::new(None),
            started,
            key_store: Arc::new(OsKeyStore),
            remembered: AtomicBool::new(false),
            close_by: OnceLock::new(),
        })
    }

    /// The station with its passphrases remembered in `key_store` instead of the OS's (tests).
    pub fn with_key_store(mut self, key_store: Arc<dyn KeyStore>) -> Station {
        self.key_store = key_store;
        self
    }

    /// A fictional station (东岭村, in the fictional 清溪镇) in a temporary directory, with
    /// `receptions` cases and the town enrolled as its sync peer, so every screen has something
    /// to show.
    pub fn demo(receptions: usize, started: Instant) -> Result<Station, CommandError> {
        let dir = tempfile::Builder::new()
            .prefix("liaison-demo-")
            .tempdir()
            .map_err(|err| CommandError::internal(format!("无法创建演示目录：{err}")))?;
        let paths = Paths::in_dir(dir.path());
        let mut book = Book::create(&paths.book, "DL", "东岭村人大代表联络站", BookKind::Station)?;
        demo::fill(
            &mut book,
            &DemoOptions {
                receptions,
                seed: 1,
            },
            |_, _| {},
        )?;
        let town = Book::create(
            &dir.path().join("town.db"),
            "QX",
            "清溪镇人大",
            BookKind::Town,
        )?;
        let keys = town.public_keys();
        book.add_peer(&keys.origin, &keys.sign_public, &keys.seal_public)?;
        let mut station = Station::open(paths, started)?;
        station.demo_dir = Some(dir);
        Ok(station)
    }

    /// Where a first-run book goes, its folder made: only where no book is open.
    fn new_book_path(&self) -> Result<PathBuf, CommandError> {
        if self.shared_book().is_ok() {
            return Err(CommandError::from(casebook::Error::refused(
                casebook::ErrorKind::AlreadyExists,
                "本机已有台账",
            )));
        }
        let path = self.paths.book.clone();
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|err| CommandError::file(dir, &err))?;
        }
        Ok(path)
    }

    /// Puts `book` in the window's hands, starts syncing and the day's backup.
    async fn set_book(&self, book: Book) {
        *self.book.write().unwrap_or_else(PoisonError::into_inner) =
            Some(Arc::new(Mutex::new(as_app(book))));
        self.restart_worker().await;
        self.spawn_daily_backup();
    }

    /// Runs `work` on the key store on a blocking thread (it may talk to a service).
    async fn key_store<T: Send + 'static>(
        &self,
        work: impl FnOnce(&dyn KeyStore, &Path) -> Result<T, KeyStoreError> + Send + 'static,
    ) -> Result<T, KeyStoreError> {
        let store = Arc::clone(&self.key_store);
        let path = self.paths.book.clone();
        tokio::task::spawn_blocking(move || work(store.as_ref(), &path))
            .await
            .unwrap_or_else(|err| Err(KeyStoreError(format!("后台任务失败：{err}"))))
    }

    fn shared_book(&self) -> Result<SharedBook, CommandError> {
        self.book
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
            .ok_or_else(CommandError::no_book)
    }

    /// Runs `work` on the book on a blocking thread (SQLite never runs on the UI's thread),
    /// once a deputy has signed in (`sign_in_required` otherwise).
    async fn with_book<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Book) -> casebook::Result<T> + Send + 'static,
    ) -> Result<T, CommandError> {
        self.with_any_book(move |book| {
            sign_in::require_sign_in(book)?;
            work(book)
        })
        .await
    }

    /// [`Self::with_book`] whoever is signed in: for the sign-in screen and the window's state.
    async fn with_any_book<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Book) -> casebook::Result<T> + Send + 'static,
    ) -> Result<T, CommandError> {
        let book = self.shared_book()?;
        blocking(move || work(&mut lock(&book))).await
    }

    /// Milliseconds since the process started.
    pub fn uptime_ms(&self) -> u128 {
        self.started.elapsed().as_millis()
    }

    /// Which book is open.
    pub async fn book_status(&self) -> BookStatus {
        let demo = self.demo_dir.is_some();
        let path = Some(self.paths.book.clone());
        let remembered = self.remembered.load(Ordering::Relaxed);
        match self
            .with_any_book(|book| {
                let (signed_in, sign_in_required) = sign_in::sign_in_state(book)?;
                Ok((
                    book.origin().clone(),
                    book.is_encrypted(),
                    signed_in,
                    sign_in_required,
                ))
            })
            .await
        {
            Ok((origin, encrypted, signed_in, sign_in_required)) => BookStatus {
                open: true,
                code: Some(origin.code),
                name: Some(origin.name),
                // A county's book is read as the town's is: every station's records.
                town: origin.kind != BookKind::Station,
                demo,
                path,
                encrypted,
                locked: false,
                remembered,
                signed_in,
                sign_in_required,
            },
            Err(_) => {
                // Not open: locked when the file is there (and so encrypted), else not made yet.
                let locked = self.paths.book.exists()
                    && book_lock::is_encrypted(&self.paths.book).unwrap_or(false);
                BookStatus {
                    open: false,
                    code: None,
                    name: None,
                    town: false,
                    demo,
                    path,
                    encrypted: locked,
                    locked,
                    remembered,
                    signed_in: None,
                    sign_in_required: false,
                }
            }
        }
    }

    /// Opens the locked book with `passphrase` (Argon2id takes about a quarter of a second,
    /// off the UI thread); a wrong one is refused as `wrong_passphrase` with nothing changed.
    /// With `remember`, the passphrase goes into this PC's key store; a key store that fails
    /// leaves the book open and says so in the notice.
    pub async fn unlock_book(
        &self,
        passphrase: String,
        remember: bool,
    ) -> Result<Unlocked, CommandError> {
        let passphrase = Zeroizing::new(passphrase);
        if self.shared_book().is_err() {
            let path = self.paths.book.clone();
            let given = passphrase.clone();
            let book =
                blocking(move || Book::open_with_passphrase(&path, Some(given.as_str()))).await?;
            self.set_book(book).await;
        }
        let notice = if remember {
            self.remember(passphrase).await
        } else {
            None
        };
        Ok(Unlocked {
            book: self.book_status().await,
            notice,
        })
    }

    /// Keeps `passphrase` in the key store; what went wrong, if anything, for the deputy.
    async fn remember(&self, passphrase: Zeroizing<String>) -> Option<String> {
        match self
            .key_store(move |store, path| store.set(path, &passphrase))
            .await
        {
            Ok(()) => {
                self.remembered.store(true, Ordering::Relaxed);
                None
            }
            Err(err) => Some(format!(
                "{err}。台账已打开，但本机没有记住密码，下次仍需输入"
            )),
        }
    }

    /// Opens the locked book with the passphrase this PC remembers, if any, so that the window
    /// skips the unlock screen. One that no longer opens it (changed elsewhere) is forgotten;
    /// a key store that fails is reported in the notice and the book stays locked for the
    /// deputy to type the passphrase.
    pub async fn unlock_remembered(&self) -> Result<Unlocked, CommandError> {
        let status = self.book_status().await;
        if !status.locked {
            return Ok(Unlocked {
                book: status,
                notice: None,
            });
        }
        let remembered = match self.key_store(|store, path| store.get(path)).await {
            Ok(remembered) => remembered,
            Err(KeyStoreError(reason)) => {
                // Said gently: most deputies never asked to remember, and type it anyway.
                return Ok(Unlocked {
                    book: status,
                    notice: Some(format!(
                        "本机的钥匙串暂时无法使用（{reason}）。如果以前勾选过“在本机记住密码”，这次也请输入密码"
                    )),
                });
            }
        };
        let Some(passphrase) = remembered else {
            return Ok(Unlocked {
                book: status,
                notice: None,
            });
        };
        let path = self.paths.book.clone();
        let opened = tokio::task::spawn_blocking(move || {
            Book::open_with_passphrase(&path, Some(&passphrase))
        })
        .await
        .map_err(|err| CommandError::internal(format!("后台任务失败：{err}")))?;
        let notice = match opened {
            Ok(book) => {
                self.remembered.store(true, Ordering::Relaxed);
                self.set_book(book).await;
                None
            }
            Err(err) if err.kind() == casebook::ErrorKind::WrongPassphrase => {
                let forgotten = self.key_store(|store, path| store.delete(path)).await;
                if let Err(err) = forgotten {
                    tracing::warn!("a stale remembered passphrase stays: {err}");
                }
                self.remembered.store(false, Ordering::Relaxed);
                Some(
                    "本机记住的密码已打不开台账（可能已在别处修改），已把它忘记。请输入现在的密码"
                        .into(),
                )
            }
            Err(err) => return Err(err.into()),
        };
        Ok(Unlocked {
            book: self.book_status().await,
            notice,
        })
    }

    /// Forgets the passphrase this PC remembers: the next start asks for it.
    pub async fn forget_passphrase(&self) -> Result<BookStatus, CommandError> {
        self.key_store(|store, path| store.delete(path))
            .await
            .map_err(CommandError::key_store)?;
        self.remembered.store(false, Ordering::Relaxed);
        Ok(self.book_status().await)
    }

    /// Changes the open book's passphrase, `current` checked first (a PC left unlocked is not
    /// enough to lock the station out); a remembered passphrase is replaced by the new one.
    pub async fn change_passphrase(
        &self,
        current: String,
        passphrase: String,
    ) -> Result<Unlocked, CommandError> {
        let passphrase = Zeroizing::new(passphrase);
        let current = Zeroizing::new(current);
        let new = passphrase.clone();
        self.with_book(move |book| {
            book_lock::check_passphrase(&new)?;
            book.verify_passphrase(&current)?;
            book.change_passphrase(&new)
        })
        .await?;
        let notice = if self.remembered.load(Ordering::Relaxed) {
            self.remember(passphrase).await
        } else {
            None
        };
        Ok(Unlocked {
            book: self.book_status().await,
            notice,
        })
    }

    /// Encrypts the open plain book in place with `passphrase`: the book is closed (the sync
    /// worker stopped, every connection dropped, so that no `-wal` remains), converted, and
    /// opened again with the passphrase. On failure the plain book is opened again as it was.
    pub async fn encrypt_book(&self, passphrase: String) -> Result<BookStatus, CommandError> {
        if self.demo_dir.is_some() {
            return Err(CommandError::invalid(
                "演示台账不加密：其中只有虚构的数据，程序退出时就删除",
            ));
        }
        let passphrase = Zeroizing::new(passphrase);
        // Refused before the book is closed: nothing is closed in vain.
        book_lock::check_passphrase(&passphrase)?;
        let (encrypted, deputy) = self
            .with_book(|book| Ok((book.is_encrypted(), book.signed_in())))
            .await?;
        if encrypted {
            return Err(CommandError::invalid("这本台账已经加密了"));
        }
        self.close_book().await?;
        let path = self.paths.book.clone();
        let converted = tokio::task::spawn_blocking(move || {
            Book::encrypt_in_place(&path, &passphrase)?;
            let mut book = Book::open_with_passphrase(&path, Some(&passphrase))?;
            // The same deputy works on: encrypting is not signing out.
            if let Some(deputy) = deputy {
                book.resume_sign_in(deputy)?;
            }
            Ok::<_, casebook::Error>(book)
        })
        .await
        .map_err(|err| CommandError::internal(format!("后台任务失败：{err}")))?;
        match converted {
            Ok(book) => {
                self.set_book(book).await;
                Ok(self.book_status().await)
            }
            Err(err) => {
                // The core's conversion is all or nothing: the plain book is there as it was.
                // Opened again, the deputy works on while the refusal is shown.
                let path = self.paths.book.clone();
                let reopen = move || {
                    let mut plain = Book::open(&path)?;
                    if let Some(deputy) = deputy {
                        plain.resume_sign_in(deputy)?;
                    }
                    Ok::<_, casebook::Error>(plain)
                };
                match tokio::task::spawn_blocking(reopen).await {
                    Ok(Ok(plain)) => self.set_book(plain).await,
                    Ok(Err(reopen)) => tracing::error!("the plain book did not reopen: {reopen}"),
                    Err(join) => tracing::error!("the plain book did not reopen: {join}"),
                }
                Err(err.into())
            }
        }
    }

    /// Closes the book: stops the worker and waits for every holder of the book to let go.
    /// Refused (the book left open) when one still holds it after a while.
    async fn close_book(&self) -> Result<(), CommandError> {
        drop(lock(&self.worker).take());
        let Some(mut shared) = self
            .book
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        else {
            return Err(CommandError::no_book());
        };
        let deadline = Instant::now() + CLOSE_PATIENCE;
        loop {
            match Arc::try_unwrap(shared) {
                Ok(book) => {
                    drop(book);
                    return Ok(());
                }
                Err(held) if Instant::now() < deadline => {
                    shared = held;
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
                Err(held) => {
                    *self.book.write().unwrap_or_else(PoisonError::into_inner) = Some(held);
                    self.restart_worker().await;
                    return Err(CommandError::invalid(
                        "台账正忙（可能正在同步），请稍后再试",
                    ));
                }
            }
        }
    }

    /// Creates this station's book (first run), encrypted with `passphrase`.
    pub async fn create_book(
        &self,
        code: String,
        name: String,
        passphrase: String,
    ) -> Result<BookStatus, CommandError> {
        let path = self.new_book_path()?;
        let passphrase = Zeroizing::new(passphrase);
        let book = blocking(move || {
            Book::create_encrypted(&path, &code, &name, BookKind::Station, &passphrase)
        })
        .await?;
        self.set_book(book).await;
        Ok(self.book_status().await)
    }

    /// Imports a roster file the town sent.
    pub async fn import_roster(&self, path: PathBuf) -> Result<RosterImported, CommandError> {
        let text = std::fs::read_to_string(&path).map_err(|err| CommandError::file(&path, &err))?;
        let roster: RosterFile = casebook::input::parse(&path.display().to_string(), &text)?;
        self.with_book(move |book| book.import_roster(&roster))
            .await
    }

    /// The 今日值班 screen's data.
    pub async fn today(&self) -> Result<Today, CommandError> {
        self.with_book(|book| {
            let date = china_today();
            let waiting = |status| {
                book.list_cases(&CaseFilter {
                    status: Some(status),
                    limit: TODAY_LIST,
                    ..CaseFilter::default()
                })
            };
            let shifts = book.duty_shifts(date, date)?;
            let next_shifts = if shifts.is_empty() {
                book.next_duty(date)?
            } else {
                Vec::new()
            };
            Ok(Today {
                date,
                shifts,
                next_shifts,
                receptions: book.cases_received_on(date)?,
                counts: book.case_counts(date)?,
                awaiting: waiting(StatusFilter::Awaiting)?,
                overdue: waiting(StatusFilter::Overdue)?,
            })
        })
        .await
    }

    /// The 待办 panel: everything owed within `within_days` days of the station's today, and
    /// everything late, soonest first. The days are bounded here: the core adds them to a date.
    /// Only the counts and the first `rows` (at most [`DUE_ROWS_MAX`]) cross to the window: a
    /// long-neglected book owes tens of thousands (50,703 in the million-reception demo, 7 MB
    /// of JSON), of which the panel draws ten.
    pub async fn due(&self, within_days: u32, rows: usize) -> Result<DueList, CommandError> {
        if within_days > DUE_WITHIN_MAX {
            return Err(CommandError::invalid(format!(
                "待办只能看今后{DUE_WITHIN_MAX}天以内的，请少选几天"
            )));
        }
        self.with_book(move |book| {
            let mut items = book.due(china_today(), within_days)?;
            let total = items.len();
            let late = items.iter().filter(|item| item.days_left < 0).count();
            items.truncate(rows.clamp(1, DUE_ROWS_MAX));
            Ok(DueList { items, total, late })
        })
        .await
    }

    /// Duty shifts from `from` to `to`.
    pub async fn duty_shifts(
        &self,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<DutyShiftListing>, CommandError> {
        self.with_book(move |book| book.duty_shifts(from, to)).await
    }

    /// The roster's deputies.
    pub async fn deputies(&self) -> Result<Vec<DeputyListing>, CommandError> {
        self.with_book(|book| book.deputies()).await
    }

    /// One page of the case list.
    pub async fn list_cases(&self, query: CaseQuery) -> Result<CasePage, CommandError> {
        self.with_book(move |book| {
            let status = query
                .status
                .as_deref()
                .filter(|s| !s.is_empty())
                .map(StatusFilter::parse)
                .transpose()?;
            let limit = query.limit.clamp(1, 200);
            let mut cases = book.list_cases(&CaseFilter {
                status,
                category: query.category.filter(|c| !c.is_empty()),
                query: query.query.filter(|q| !q.trim().is_empty()),
                limit: limit + 1,
                offset: query.offset,
            })?;
            let has_more = cases.len() > limit;
            cases.truncate(limit);
            Ok(CasePage { cases, has_more })
        })
        .await
    }

    /// A case with its timeline.
    pub async fn case_detail(&self, case_no: String) -> Result<CaseDetail, CommandError> {
        self.with_book(move |book| book.case(&case_no)).await
    }

    /// Records a reception.
    pub async fn add_reception(
        &self,
        input: ReceptionInput,
    ) -> Result<ReceptionAdded, CommandError> {
        self.with_book(move |book| book.add_reception(input)).await
    }

    /// Appends an event to a case's timeline.
    pub async fn add_case_event(
        &self,
        case_no: String,
        input: CaseEventInput,
    ) -> Result<CaseEventAdded, CommandError> {
        self.with_book(move |book| book.add_case_event(&case_no, input))
            .await
    }

    /// A form's draft.
    pub async fn draft(&self, form: String) -> Result<Option<Draft>, CommandError> {
        self.with_book(move |book| book.draft(&form)).await
    }

    /// Keeps a form's draft.
    pub async fn save_draft(&self, form: String, body: String) -> Result<Draft, CommandError> {
        self.with_book(move |book| book.save_draft(&form, &body))
            .await
    }

    /// Forgets a form's draft.
    pub async fn discard_draft(&self, form: String) -> Result<(), CommandError> {
        self.with_book(move |book| book.discard_draft(&form)).await
    }

    /// Meetings, with what followed them.
    pub async fn meetings(&self, page: PageQuery) -> Result<Page<MeetingListing>, CommandError> {
        self.with_book(move |book| {
            page.read(|offset, limit| book.meetings_page(offset, Some(limit)))
        })
        .await
    }

    /// One meeting, wherever it falls in the list.
    pub async fn meeting(&self, id: String) -> Result<Option<MeetingListing>, CommandError> {
        self.with_book(move |book| book.meeting(&id)).await
    }

    /// Records a meeting.
    pub async fn add_meeting(&self, input: MeetingInput) -> Result<MeetingAdded, CommandError> {
        self.with_book(move |book| book.add_meeting(input)).await
    }

    /// Records what followed a meeting: 公示, an objection or its answer, how it was carried out.
    pub async fn add_meeting_event(
        &self,
        id: String,
        input: MeetingEventInput,
    ) -> Result<MeetingEventAdded, CommandError> {
        self.with_book(move |book| book.add_meeting_event(&id, input))
            .await
    }

    /// Deputies' suggestions, newest first.
    pub async fn suggestions(
        &self,
        page: PageQuery,
    ) -> Result<Page<SuggestionListing>, CommandError> {
        self.with_book(move |book| {
            page.read(|offset, limit| book.suggestions_page(offset, Some(limit)))
        })
        .await
    }

    /// One suggestion, wherever it falls in the list.
    pub async fn suggestion(&self, number: String) -> Result<SuggestionListing, CommandError> {
        self.with_book(move |book| book.suggestion(&number)).await
    }

    /// Drafts a deputies' suggestion.
    pub async fn add_suggestion(
        &self,
        input: SuggestionInput,
    ) -> Result<SuggestionAdded, CommandError> {
        self.with_book(move |book| book.add_suggestion(input)).await
    }

    /// Records a step of a suggestion's life.
    pub async fn add_suggestion_event(
        &self,
        number: String,
        input: SuggestionEventInput,
    ) -> Result<SuggestionEventAdded, CommandError> {
        self.with_book(move |book| book.add_suggestion_event(&number, input))
            .await
    }

    /// Mediation files.
    pub async fn mediations(
        &self,
        page: PageQuery,
    ) -> Result<Page<MediationListing>, CommandError> {
        self.with_book(move |book| {
            page.read(|offset, limit| book.mediations_page(offset, Some(limit)))
        })
        .await
    }

    /// One mediation file, wherever it falls in the list.
    pub async fn mediation(
        &self,
        number: String,
    ) -> Result<Option<MediationListing>, CommandError> {
        self.with_book(move |book| book.mediation(&number)).await
    }

    /// Opens a mediation file.
    pub async fn add_mediation(
        &self,
        input: MediationInput,
    ) -> Result<MediationAdded, CommandError> {
        self.with_book(move |book| book.add_mediation(input)).await
    }

    /// Records a step of a mediation.
    pub async fn add_mediation_event(
        &self,
        number: String,
        input: MediationEventInput,
    ) -> Result<MediationEventAdded, CommandError> {
        self.with_book(move |book| book.add_mediation_event(&number, input))
            .await
    }

    /// Records a deputy's report to the voters or a training.
    pub async fn add_deputy_activity(
        &self,
        input: DeputyActivityInput,
    ) -> Result<DeputyActivityAdded, CommandError> {
        self.with_book(move |book| book.add_deputy_activity(input))
            .await
    }

    /// Deputies' reports to voters and trainings, newest first.
    pub async fn deputy_activities(
        &self,
        deputy: Option<Uuid>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<DeputyActivityListing>, CommandError> {
        self.with_book(move |book| book.deputy_activities(deputy, from, to))
            .await
    }

    /// Statistics of the days `from..=to`.
    pub async fn stats(
        &self,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Stats, CommandError> {
        self.with_book(move |book| book.stats(None, from, to)).await
    }

    /// The reception slip of a case, as a self-contained HTML page.
    pub async fn slip_html(&self, case_no: String) -> Result<String, CommandError> {
        self.document_html(Document::Slip, case_no).await
    }

    /// A printed document (`slip`, `minutes`, `agreement`, …: the CLI's `render` names) of the
    /// record `id`, as a self-contained HTML page; slips carry this PC's phone when set.
    pub async fn document_html(
        &self,
        document: Document,
        id: String,
    ) -> Result<String, CommandError> {
        let phone = lock(&self.settings).station_phone.clone();
        let options = SlipOptions {
            station_phone: Some(phone).filter(|p| !p.is_empty()),
        };
        self.with_book(move |book| render_document(book, document, &id, &options))
            .await
    }

    /// The weekly or monthly report of `from..=to` (defaults: the last seven days, the month
    /// so far) as a self-contained HTML page.
    pub async fn report_html(
        &self,
        kind: ReportKind,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<String, CommandError> {
        self.with_book(move |book| {
            let range = kind.range(china_today(), from, to)?;
            Report::gather(book, kind, None, range)?.html()
        })
        .await
    }

    /// Saves the report into the folder `dir` as Excel (`xlsx`) or HTML (`html`), named after
    /// its title and days; returns the file written.
    pub async fn save_report(
        &self,
        kind: ReportKind,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        dir: PathBuf,
        format: String,
    ) -> Result<PathBuf, CommandError> {
        let excel = match format.as_str() {
            "xlsx" => true,
            "html" => false,
            _ => {
                return Err(CommandError::invalid(
                    "报表只能存为 Excel（xlsx）或网页（html）",
                ));
            }
        };
        if !dir.is_dir() {
            return Err(CommandError::invalid(format!(
                "找不到文件夹 {}，请重新选择",
                dir.display()
            )));
        }
        let (name, bytes, range) = self
            .with_book(move |book| {
                let range = kind.range(china_today(), from, to)?;
                let report = Report::gather(book, kind, None, range)?;
                let name = format!("{}-{}至{}.{format}", report.title(), range.from, range.to);
                let bytes = if excel {
                    report.xlsx()?
                } else {
                    report.html()?.into_bytes()
                };
                Ok((name, bytes, format!("{}..{}", range.from, range.to)))
            })
            .await?;
        let path = dir.join(name);
        std::fs::write(&path, bytes).map_err(|err| CommandError::file(&path, &err))?;
        if excel {
            self.with_book(move |book| {
                book.audit(AuditAction::ExcelExport, Some(&range), Some(kind.label()))
            })
            .await?;
        }
        Ok(path)
    }

    /// Seals a bundle for `to` into `dir` (a folder, or a USB stick).
    pub async fn export_bundle(&self, to: String, dir: PathBuf) -> Result<Exported, CommandError> {
        if !dir.is_dir() {
            return Err(CommandError::invalid(format!(
                "找不到文件夹 {}，请确认U盘已插好或重新选择",
                dir.display()
            )));
        }
        self.with_book(move |book| book.export_bundle(&to, &dir))
            .await
    }

    /// Imports a bundle file (the town's, from a USB stick).
    pub async fn import_bundle(&self, path: PathBuf) -> Result<Imported, CommandError> {
        let bytes = std::fs::read(&path).map_err(|err| CommandError::file(&path, &err))?;
        self.with_book(move |book| book.import_bundle(&bytes)).await
    }

    /// Backlog per peer, the hub and the worker's state.
    pub async fn sync_status(&self) -> Result<SyncView, CommandError> {
        let peers = self.with_book(|book| book.bundle_status()).await?;
        let hub_url = Some(lock(&self.settings).hub_url.clone()).filter(|url| !url.is_empty());
        let worker = lock(&self.worker)
            .as_ref()
            .map(|worker| worker.state.borrow().clone());
        Ok(SyncView {
            peers,
            hub_url,
            worker,
        })
    }

    /// The records typed here after a restore that took a new number when the town sent this
    /// station's log back: the 同步 screen lists them, because each visitor holds a slip (or
    /// each party a paper) with the old number and needs a 编号更正通知.
    pub async fn renumbered(&self) -> Result<Vec<Renumbered>, CommandError> {
        self.with_book(|book| book.renumbered()).await
    }

    /// One sync cycle with the hub now, whatever the worker's schedule.
    pub async fn sync_now(&self) -> Result<SyncOutcome, CommandError> {
        let hub = self.hub().await?;
        let book = self.shared_book()?;
        Ok(liaison_sync::sync_once(&book, &hub, &liaison_sync::client()).await?)
    }

    /// This PC's settings.
    pub fn settings(&self) -> Settings {
        lock(&self.settings).clone()
    }

    /// Saves the settings and restarts the worker for a changed hub. A backup folder newly
    /// chosen must be there (one chosen before may be on a stick that is out just now).
    pub async fn save_settings(&self, settings: Settings) -> Result<Settings, CommandError> {
        let settings = settings.validated()?;
        let new_folder = lock(&self.settings).backup_dir != settings.backup_dir;
        if new_folder
            && !settings.backup_dir.is_empty()
            && !Path::new(&settings.backup_dir).is_dir()
        {
            return Err(CommandError::invalid(format!(
                "找不到文件夹 {}：请插好U盘后点“选择备份文件夹”重新选择",
                settings.backup_dir
            )));
        }
        settings.save(&self.paths.settings)?;
        let hub_changed = {
            let mut current = lock(&self.settings);
            let changed = current.hub_url != settings.hub_url;
            *current = settings.clone();
            changed
        };
        if hub_changed {
            self.restart_worker().await;
        }
        Ok(settings)
    }

    /// The hub and the town it speaks for: the set address and the one enrolled peer.
    async fn hub(&self) -> Result<Hub, CommandError> {
        let url = lock(&self.settings).hub_url.clone();
        if url.is_empty() {
            return Err(CommandError::invalid(
                "还没有设置镇中心地址，请到“设置”中填写",
            ));
        }
        let peers = self.with_book(|book| book.peers()).await?;
        let mut active = peers.into_iter().filter(|peer| peer.revoked_at.is_none());
        match (active.next(), active.next()) {
            (Some(town), None) => Ok(Hub {
                url,
                code: town.code,
            }),
            (None, _) => Err(CommandError::invalid(
                "本站还没有登记镇人大的同步公钥，请先导入镇上发来的名册和公钥",
            )),
            (Some(_), Some(_)) => Err(CommandError::invalid(
                "本站登记了多个同步对象，无法确定镇中心是哪一个",
            )),
        }
    }

    /// Starts (or restarts, or stops) the background worker to match the settings: it runs
    /// while a hub is set and the town is enrolled. Needs a tokio runtime.
    pub async fn restart_worker(&self) {
        let previous = lock(&self.worker).take();
        drop(previous);
        let (Ok(hub), Ok(book)) = (self.hub().await, self.shared_book()) else {
            return;
        };
        let (state_sender, state) = watch::channel(WorkerState::default());
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(liaison_sync::run_worker(
            book,
            hub,
            WorkerConfig::default(),
            state_sender,
            async move {
                let _ = stopped.await;
            },
        ));
        *lock(&self.worker) = Some(Worker { state, _stop: stop });
    }
}

/// The audit trail: what the window records (prints) and shows (the 操作记录 screen).
impl Station {
    /// Records that `document` of the record `id` is being printed (the window calls this just
    /// before it opens the print dialog). The document is rendered again first, so the line can
    /// only name a record this book holds, never whatever text the window sent.
    pub async fn record_print(&self, document: Document, id: String) -> Result<(), CommandError> {
        let id = printed_id(&id)?;
        self.with_book(move |book| {
            render_document(book, document, &id, &SlipOptions::default())?;
            book.audit(
                AuditAction::DocumentPrint,
                Some(&id),
                Some(document.label()),
            )
        })
        .await
    }

    /// One page of the audit trail, newest first.
    pub async fn audit_trail(&self, query: AuditQuery) -> Result<AuditPage, CommandError> {
        if let (Some(from), Some(to)) = (query.from, query.to)
            && from > to
        {
            return Err(CommandError::invalid("开始日期晚于结束日期，请重新选择"));
        }
        let station = query
            .station
            .map(|code| code.trim().to_owned())
            .filter(|code| !code.is_empty());
        if station.as_deref().is_some_and(|code| {
            code.chars().count() > casebook::validate::limits::CODE
                || code.chars().any(char::is_control)
        }) {
            return Err(CommandError::invalid("站点代码不对，请重新选择"));
        }
        let limit = query.limit.clamp(1, 200);
        self.with_book(move |book| {
            let mut entries = book.audit_trail(&AuditFilter {
                from: query.from,
                to: query.to,
                deputy: query.deputy,
                action: query.action,
                station,
                limit: Some(limit + 1),
                offset: query.offset,
            })?;
            let has_more = entries.len() > limit;
            entries.truncate(limit);
            Ok(AuditPage { entries, has_more })
        })
        .await
    }
}
