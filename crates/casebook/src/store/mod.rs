//! The case book on SQLite.
//!
//! One file per book. Connections run in WAL mode with `synchronous=FULL` (a saved reception
//! must survive a power cut), foreign keys on and a busy timeout. The schema is the numbered,
//! append-only SQL in `migrations/`, applied in one transaction on open, after a copy of the book
//! is kept beside it.
//!
//! Writing goes through [`Book::write`] only: each [`crate::change::Change`] is applied and
//! appended to the change log in the same transaction ([`mod@write`]). Reading is in [`read`]
//! (the case list's index plan in `search`), statistics in [`stats`], what the printed documents
//! and reports read in [`documents`], the operations a deputy performs in [`ops`], unsaved forms
//! in [`drafts`]. All the
//! workspace's SQL is here. Stored JSON and enum columns decode strictly: a value the book
//! cannot read is [`Error::Corrupt`], never a silent default.

mod apply;
pub mod audit;
pub mod backup;
pub mod deputy_file;
pub mod documents;
pub mod drafts;
pub mod due;
pub mod lock;
pub mod ops;
pub mod read;
mod search;
pub mod sign_in;
pub mod stats;
pub mod write;

use std::path::Path;
use std::sync::Once;

use rusqlite::{Connection, OpenFlags, OptionalExtension, params};
use rusqlite_migration::{M, Migrations};
use serde::Serialize;
use uuid::Uuid;

use crate::bundle::keys::OwnKeys;
use crate::error::{Error, ErrorKind, Result, io_reason};
use crate::time::{china_now, stored};

pub use apply::change_to_parts;
pub(crate) use apply::{change_from_parts, decode, parse_case_no};
pub use write::{Writer, reused_seq};

/// The schema's numbered SQL, in order; append-only (a released step is never edited).
const MIGRATION_SQL: &[&str] = &[
    include_str!("migrations/001_initial.sql"),
    include_str!("migrations/002_sync.sql"),
    include_str!("migrations/003_pull_nonces.sql"),
    include_str!("migrations/004_trust.sql"),
    include_str!("migrations/005_drafts.sql"),
    include_str!("migrations/006_sign_in_audit.sql"),
    include_str!("migrations/007_open_cases_by_due.sql"),
    include_str!("migrations/008_sender_head.sql"),
    include_str!("migrations/009_renumbered.sql"),
    include_str!("migrations/010_reception_kinds.sql"),
    include_str!("migrations/011_meeting_events.sql"),
    include_str!("migrations/012_mediation_committees.sql"),
    include_str!("migrations/013_peer_format.sql"),
    include_str!("migrations/014_deputy_activities.sql"),
    include_str!("migrations/015_suggestions.sql"),
    include_str!("migrations/016_case_events_by_kind.sql"),
    include_str!("migrations/017_relay.sql"),
    include_str!("migrations/018_mediations_by_accepted.sql"),
];

/// Schema version of books this build writes (the number of migrations).
pub const SCHEMA_VERSION: i64 = MIGRATION_SQL.len() as i64;

/// This build's version, kept in each book it creates or upgrades (`book_meta`
/// `software_version`): an older build refusing the book names the version to install.
pub const SOFTWARE_VERSION: &str = env!("CARGO_PKG_VERSION");

/// Version of what the change log and bundles carry: the records' JSON and the log's fields.
/// It follows [`SCHEMA_VERSION`] only when a migration changes them. Migration 005 (drafts, this
/// PC's own) did not, so a town that has not upgraded yet still reads an upgraded station's
/// bundles instead of keeping them aside as newer. Migration 006 did: audit entries and the
/// recorder of each change travel. Migrations 009 and 010 did: a renumbered reception or
/// mediation carries its former number, and a reception its kind, which an older reader would
/// drop. Migration 011 did: meetings carry their kind, households and each item's rule and
/// re-vote, and events follow them (`meeting_event_append`), which an older reader would drop
/// or refuse. Migration 012 did: a station carries its mediation committee. Migration 013 (the
/// bundle format each peer reads, this book's own view of its peers) did not. Version 14 changed
/// mediations without a migration (they are stored as JSON): a party's 民族, 职业 and agent, a
/// file's `agreed_to_mediation`, a session's participants and recorder, an oral agreement's
/// terms, and the `investigation` and `rights_notified` events, which an older reader would
/// refuse; and migration 014 made deputies' reports to voters and trainings travel
/// (`deputy_activity_append`). Migration 015 did: deputies' suggestions and their events travel
/// (`suggestion_create`, `suggestion_event_append`). Migrations 016 and 018 (indexes) and 017
/// (the relay to a county, its own bookkeeping) did not.
pub const LOG_VERSION: i64 = 15;

/// The schema's migration history. The last step also records [`SOFTWARE_VERSION`] in the
/// book: every upgrade runs it, in the one transaction of all pending steps, so a book is never
/// at a schema without the version that brought it there.
pub fn migrations() -> Migrations<'static> {
    let last = MIGRATION_SQL.len() - 1;
    Migrations::new(
        MIGRATION_SQL
            .iter()
            .enumerate()
            .map(|(step, sql)| {
                if step == last {
                    M::up_with_hook(sql, record_software_version)
                } else {
                    M::up(sql)
                }
            })
            .collect(),
    )
}

fn record_software_version(tx: &rusqlite::Transaction) -> rusqlite_migration::HookResult {
    tx.execute(
        "INSERT OR REPLACE INTO book_meta (key, value) VALUES ('software_version', ?1)",
        [SOFTWARE_VERSION],
    )?;
    Ok(())
}

/// Whose book this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BookKind {
    /// A liaison station's book.
    Station,
    /// The town's book (the hub's).
    Town,
    /// A county's (or city's) book: its towns are its peers, and it holds their stations'
    /// logs as the towns relay them.
    County,
}

impl BookKind {
    /// The word `book_meta` keeps.
    fn stored(self) -> &'static str {
        match self {
            BookKind::Station => "station",
            BookKind::Town => "town",
            BookKind::County => "county",
        }
    }
}

/// The origin a book writes as: every change it makes carries this code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Origin {
    /// Station code (or the town's code): `BX`.
    pub code: String,
    /// Name, e.g. 东岭村人大代表联络站.
    pub name: String,
    /// Station or town.
    pub kind: BookKind,
}

/// Makes the id of a new record from its time (Unix milliseconds).
pub type IdSource = Box<dyn FnMut(i64) -> Uuid + Send>;

/// New ids are UUIDv7 of the moment they are made: ordered as recorded.
fn random_ids() -> IdSource {
    Box::new(|_| Uuid::now_v7())
}

/// An open case book.
pub struct Book {
    conn: Connection,
    origin: Origin,
    ids: IdSource,
    keys: OwnKeys,
    /// An encrypted book's key and slots (None for a plain book).
    lock: Option<Lock>,
    /// The program at the book and the deputy signed in: the recorder of every change.
    actor: audit::Actor,
}

/// What an encrypted book keeps while open: its key, to rewrap it into new slots.
#[derive(Debug)]
struct Lock {
    key: lock::BookKey,
    slots: lock::KeySlots,
}

impl std::fmt::Debug for Book {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Book")
            .field("origin", &self.origin)
            .finish_non_exhaustive()
    }
}

impl Book {
    /// Creates a new plain (unencrypted) book at `path`, for demos and tests; refuses to touch
    /// an existing file. A station's or town's real book is [`Book::create_encrypted`].
    ///
    /// # Errors
    /// [`ErrorKind::AlreadyExists`] when the file exists; [`ErrorKind::Invalid`] for a bad code.
    pub fn create(path: &Path, code: &str, name: &str, kind: BookKind) -> Result<Book> {
        let origin = new_origin(code, name, kind)?;
        let conn = new_book_file(path)?;
        Self::initialise(conn, origin, None)
    }

    /// Creates a new book at `path` encrypted with a random key, which `passphrase` opens
    /// (through its slot beside the book, `<path>-slots`).
    ///
    /// # Errors
    /// As [`Book::create`]; [`ErrorKind::Invalid`] for a passphrase too short or too plain.
    pub fn create_encrypted(
        path: &Path,
        code: &str,
        name: &str,
        kind: BookKind,
        passphrase: &str,
    ) -> Result<Book> {
        let origin = new_origin(code, name, kind)?;
        lock::check_passphrase(passphrase)?;
        let slots_path = lock::slots_path(path);
        if slots_path.exists() {
            return Err(Error::refused(
                ErrorKind::AlreadyExists,
                format!(
                    "钥匙文件已存在：{}。为免覆盖，不会重新创建",
                    slots_path.display()
                ),
            ));
        }
        let conn = new_book_file(path)?;
        let key = lock::BookKey::random()?;
        conn.pragma_update(None, "key", key.pragma().as_str())?;
        let slots = lock::KeySlots::create(path, &key, passphrase)?;
        Self::initialise(conn, origin, Some(Lock { key, slots }))
    }

    /// Creates a book in memory, for tests and benchmarks.
    pub fn create_in_memory(code: &str, name: &str, kind: BookKind) -> Result<Book> {
        Self::initialise(
            open_connection(None, OpenFlags::default())?,
            new_origin(code, name, kind)?,
            None,
        )
    }

    /// Opens an existing book, upgrading its schema if it was made by an older version.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when there is no book at `path`.
    /// [`ErrorKind::Locked`] when the book is encrypted: see [`Book::open_with_passphrase`].
    pub fn open(path: &Path) -> Result<Book> {
        Self::open_with_passphrase(path, None)
    }

    /// Opens an existing book, plain or encrypted (then with `passphrase`), upgrading its schema
    /// if it was made by an older version, after a copy of it is written beside it
    /// (`<path>.before-upgrade-v<N>.backup`, removed by the next open that needs no upgrade). A
    /// passphrase given for a plain book is not needed and not checked.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] when there is no book at `path`; for an encrypted book,
    /// [`ErrorKind::Locked`] without a passphrase and [`ErrorKind::WrongPassphrase`] with one
    /// that does not open it, having read and written nothing. [`ErrorKind::Invalid`] for a file
    /// that is not a book and [`ErrorKind::BookTooNew`] for a book from a newer version, neither
    /// written to. [`ErrorKind::Storage`] when the copy before an upgrade or the upgrade itself
    /// fails: the book stays as it was.
    pub fn open_with_passphrase(path: &Path, passphrase: Option<&str>) -> Result<Book> {
        if !path.is_file() {
            return Err(Error::not_found(format!(
                "找不到台账文件：{}。请先用 init 创建台账",
                path.display()
            )));
        }
        if !lock::is_encrypted(path)? {
            return Self::open_keyed(path, None);
        }
        let Some(passphrase) = passphrase else {
            return Err(Error::refused(
                ErrorKind::Locked,
                "台账已加密，需要输入本站密码才能打开",
            ));
        };
        let slots = lock::KeySlots::read(path)?;
        let key = slots.unlock(passphrase)?;
        Self::open_keyed(path, Some(Lock { key, slots }))
    }

    /// Opens a station's encrypted book with the key sealed to the town: the town office's way
    /// in when the station's passphrase is lost. `town` is the town's own book.
    ///
    /// # Errors
    /// [`ErrorKind::WrongPassphrase`] when the book holds no slot for this town's key.
    pub fn open_for_town(path: &Path, town: &Book) -> Result<Book> {
        let slots = lock::KeySlots::read(path)?;
        let key = slots.unlock_for_town(&town.keys().seal)?;
        Self::open_keyed(path, Some(Lock { key, slots }))
    }

    fn open_keyed(path: &Path, lock: Option<Lock>) -> Result<Book> {
        let mut conn = connect(path, lock.as_ref())?;
        let upgraded = upgrade(&mut conn, path, lock.as_ref())?;
        let origin = read_origin(&conn)?;
        let book = Self::with_keys(conn, origin, lock)?;
        if !upgraded {
            remove_upgrade_backups(path);
        }
        Ok(book)
    }

    /// The open book, its keys made on first use.
    fn with_keys(conn: Connection, origin: Origin, lock: Option<Lock>) -> Result<Book> {
        let keys = OwnKeys::load_or_create(&conn)?;
        Ok(Book {
            conn,
            origin,
            ids: random_ids(),
            keys,
            lock,
            actor: audit::Actor::default(),
        })
    }

    /// Whether the book is encrypted at rest.
    pub fn is_encrypted(&self) -> bool {
        self.lock.is_some()
    }

    /// The town whose private key can reopen this encrypted book (its recovery slot), if any.
    pub fn recovery_town(&self) -> Option<&str> {
        self.lock.as_ref().and_then(|lock| lock.slots.town())
    }

    /// Encrypts the plain book at `path` in place with a new random key that `passphrase`
    /// opens: the whole book is copied encrypted beside it (SQLCipher's export), checked
    /// (`PRAGMA integrity_check`), its slots put in place, then renamed over the plain file, so
    /// a crash at any moment leaves either the plain book or the encrypted one, never neither.
    /// The plain file is gone afterwards (what a disk may still hold of it: docs/security.md).
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for a book already encrypted or a weak passphrase;
    /// [`ErrorKind::AlreadyExists`] when slots already lie beside the book.
    pub fn encrypt_in_place(path: &Path, passphrase: &str) -> Result<()> {
        lock::check_passphrase(passphrase)?;
        if lock::is_encrypted(path)? {
            return Err(Error::invalid("这本台账已经加密了"));
        }
        let slots_path = lock::slots_path(path);
        refuse_existing(&slots_path)?;
        let book = Self::open(path)?;
        let staged = lock::beside(path, ".encrypting");
        // A copy left by a conversion that was cut off is ours to replace.
        let _ = std::fs::remove_file(&staged);
        let key = lock::BookKey::random()?;
        drop(lock::private_file(&staged)?);
        let version: i64 = book
            .conn
            .pragma_query_value(None, "user_version", |row| row.get(0))?;
        book.conn.execute(
            "ATTACH DATABASE ?1 AS encrypted KEY ?2",
            params![staged.to_string_lossy(), key.pragma().as_str()],
        )?;
        let exported = book
            .conn
            .query_row("SELECT sqlcipher_export('encrypted')", [], |_| Ok(()))
            .and_then(|()| {
                book.conn
                    .pragma_update(Some("encrypted"), "user_version", version)
            });
        book.conn.execute("DETACH DATABASE encrypted", [])?;
        if let Err(err) = exported {
            let _ = std::fs::remove_file(&staged);
            return Err(err.into());
        }
        drop(book);
        // The last connection closed has folded the WAL into the book and removed it: one still
        // there means another program (the app) has the book open, and would go on writing to
        // the plain file.
        if lock::beside(path, "-wal").exists() {
            let _ = std::fs::remove_file(&staged);
            return Err(Error::invalid(
                "台账正被其他程序（如联络站台账软件）打开，请先关闭它再加密",
            ));
        }
        if let Err(err) = backup::check_copy(&staged, Some(&key)) {
            let _ = std::fs::remove_file(&staged);
            return Err(err);
        }
        // Slots first: beside a plain book they are ignored (it still reads as plain).
        let slots_staged = lock::slots_path(&staged);
        let _ = std::fs::remove_file(&slots_staged);
        lock::KeySlots::create(&staged, &key, passphrase)?;
        std::fs::rename(&slots_staged, &slots_path)?;
        std::fs::rename(&staged, path)?;
        Ok(())
    }

    /// Opens the book with `passphrase` from now on (the old one no longer does); the book
    /// itself is not encrypted again.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for a plain book or a passphrase too short or too plain.
    pub fn change_passphrase(&mut self, passphrase: &str) -> Result<()> {
        let lock = self
            .lock
            .as_mut()
            .ok_or_else(|| Error::invalid("这本台账没有加密，没有密码可改"))?;
        lock.slots.change_passphrase(&lock.key, passphrase)?;
        self.audit(crate::domain::AuditAction::PassphraseChange, None, None)
    }

    /// Checks that `passphrase` opens this encrypted book, as its current passphrase: asked
    /// before changing it, so that a PC left unlocked is not enough to lock its station out.
    ///
    /// # Errors
    /// [`ErrorKind::WrongPassphrase`] when it does not; [`ErrorKind::Invalid`] for a plain book.
    pub fn verify_passphrase(&self, passphrase: &str) -> Result<()> {
        let lock = self
            .lock
            .as_ref()
            .ok_or_else(|| Error::invalid("这本台账没有加密，没有密码可改"))?;
        lock.slots.unlock(passphrase).map(drop)
    }

    /// Seals an encrypted station book's key to its town (`code`, with its public sealing
    /// key), so the town office can open it if the passphrase is lost. A plain book has no key.
    pub(crate) fn seal_key_to_town(
        &mut self,
        code: &str,
        seal: &x25519_dalek::PublicKey,
    ) -> Result<()> {
        match self.lock.as_mut() {
            Some(lock) if self.origin.kind == BookKind::Station => {
                lock.slots.set_town(&lock.key, code, seal)
            }
            _ => Ok(()),
        }
    }

    fn initialise(mut conn: Connection, origin: Origin, lock: Option<Lock>) -> Result<Book> {
        configure(&conn)?;
        migrations().to_latest(&mut conn)?;
        let kind = origin.kind.stored();
        let tx = conn.transaction()?;
        for (key, value) in [
            ("origin_code", origin.code.as_str()),
            ("origin_name", origin.name.as_str()),
            ("kind", kind),
            ("created_at", &stored(china_now())),
        ] {
            tx.execute(
                "INSERT INTO book_meta (key, value) VALUES (?1, ?2)",
                params![key, value],
            )?;
        }
        tx.commit()?;
        Self::with_keys(conn, origin, lock)
    }

    /// Replaces how new record ids are made (the demo makes them from its seed); `None`
    /// restores random ids.
    pub fn set_id_source(&mut self, ids: Option<IdSource>) {
        self.ids = ids.unwrap_or_else(random_ids);
    }

    /// Writes a consistent copy of the whole book to `path` (which must not exist yet); an
    /// encrypted book's copy is encrypted with the same key, its slots beside it.
    pub fn backup_to(&mut self, path: &Path) -> Result<()> {
        refuse_existing(path)?;
        write_copy(&self.conn, self.lock.as_ref(), path)?;
        self.audit(crate::domain::AuditAction::Backup, None, None)
    }

    /// This book's private keys.
    pub(crate) fn keys(&self) -> &OwnKeys {
        &self.keys
    }

    /// The connection, for the sync bookkeeping in [`crate::bundle`].
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }

    /// The origin this book writes as.
    pub fn origin(&self) -> &Origin {
        &self.origin
    }
}

/// An origin code: 1–8 upper-case letters or digits (it goes into case numbers and file names).
pub fn origin_code(code: &str) -> Result<String> {
    let code = code.trim();
    let valid = (1..=8).contains(&code.len())
        && code
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
    if !valid {
        return Err(Error::invalid(format!(
            "站点代码“{code}”不合适：应为1至8位大写字母或数字，如 BX"
        )));
    }
    Ok(code.to_owned())
}

fn new_origin(code: &str, name: &str, kind: BookKind) -> Result<Origin> {
    let code = origin_code(code)?;
    let name = crate::validate::required_text("站点名称", name)?;
    Ok(Origin { code, name, kind })
}

/// Refuses `path` for a new book when something is there: no book is ever overwritten. (A
/// caller that asks for a passphrase first checks this, so nobody types one in vain.)
pub fn refuse_existing(path: &Path) -> Result<()> {
    if path.exists() {
        return Err(Error::refused(
            ErrorKind::AlreadyExists,
            format!(
                "台账文件已存在：{}。为免覆盖已有数据，不会重新创建",
                path.display()
            ),
        ));
    }
    Ok(())
}

/// The file of a new book at `path`, made only its owner's (0600 on Unix: SQLite gives the
/// `-wal` and `-shm` files the same mode); refuses an existing one.
fn new_book_file(path: &Path) -> Result<Connection> {
    refuse_existing(path)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    drop(lock::private_file(path)?);
    Ok(open_connection(Some(path), OpenFlags::default())?)
}

/// Every connection the book opens, the process's first one alone. SQLite counts itself ready
/// before SQLCipher's set-up that runs in its start has finished, so a `PRAGMA key` on another
/// thread in that moment was refused ("An error occurred with PRAGMA key or rekey"): two books
/// opened at once as a program starts. The first connection is opened under a `Once`, and every
/// other thread waits for it (tests/first_open.rs).
fn open_connection(path: Option<&Path>, flags: OpenFlags) -> rusqlite::Result<Connection> {
    static SQLCIPHER_READY: Once = Once::new();
    SQLCIPHER_READY.call_once(|| drop(Connection::open_in_memory()));
    match path {
        Some(path) => Connection::open_with_flags(path, flags),
        None => Connection::open_in_memory_with_flags(flags),
    }
}

/// Refuses, before touching it, a file that is not a case book or is one from a newer version.
fn check_is_book(conn: &Connection, path: &Path) -> Result<()> {
    let not_a_book = || {
        Error::refused(
            ErrorKind::Invalid,
            format!("{} 不是台账文件，未作任何改动", path.display()),
        )
    };
    let not_a_database = |err: rusqlite::Error| match err.sqlite_error_code() {
        Some(rusqlite::ErrorCode::NotADatabase) => not_a_book(),
        _ => Error::Sqlite(err),
    };
    let version: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .map_err(not_a_database)?;
    let has_meta: bool = conn
        .query_row(
            "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'book_meta')",
            [],
            |row| row.get(0),
        )
        .map_err(not_a_database)?;
    if version == 0 || !has_meta {
        return Err(not_a_book());
    }
    if version > SCHEMA_VERSION {
        return Err(too_new(conn, version));
    }
    Ok(())
}

/// The refusal of a book from a newer build, naming the version to install when the book keeps
/// it (books written before [`SOFTWARE_VERSION`] was recorded do not). A plain read: a newer
/// book's `book_meta` may be laid out otherwise, and is then read as not saying.
fn too_new(conn: &Connection, version: i64) -> Error {
    let software: Option<String> = conn
        .query_row(
            "SELECT value FROM book_meta WHERE key = 'software_version'",
            [],
            |row| row.get(0),
        )
        .ok();
    let message = match software {
        Some(software) => format!(
            "这本台账已由较新版本的联络站台账（{software}）创建或升级（数据版本 {version}，本软件只支持到 {SCHEMA_VERSION}），请安装联络站台账 {software} 或更新的版本后再打开。台账文件未作任何改动。"
        ),
        None => format!(
            "这本台账已由较新版本的联络站台账创建或升级（数据版本 {version}，本软件只支持到 {SCHEMA_VERSION}），台账中没有记下是哪个版本：请安装最新版本的联络站台账后再打开。台账文件未作任何改动。"
        ),
    };
    Error::refused(ErrorKind::BookTooNew, message)
}

/// A connection to the book at `path`, keyed (for an encrypted book), refused before anything
/// is written when the file is not a book this build can open, then configured.
fn connect(path: &Path, lock: Option<&Lock>) -> Result<Connection> {
    let conn = open_connection(
        Some(path),
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    if let Some(lock) = lock {
        conn.pragma_update(None, "key", lock.key.pragma().as_str())?;
    }
    check_is_book(&conn, path)?;
    configure(&conn)?;
    Ok(conn)
}

/// Brings an older book's schema up to date, a copy of it kept beside it first; whether it did.
/// The pending migrations run in one transaction: one that fails (a full disk, a killed
/// process) leaves the book at its old version, and the next open runs them again.
fn upgrade(conn: &mut Connection, path: &Path, lock: Option<&Lock>) -> Result<bool> {
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0))?;
    if version == SCHEMA_VERSION {
        return Ok(false);
    }
    keep_before_upgrade(conn, path, lock, version)?;
    migrations().to_latest(conn)?;
    Ok(true)
}

/// What names a copy kept before an upgrade: `bx.db` + this + `6.backup`.
const UPGRADE_BACKUP_INFIX: &str = ".before-upgrade-v";

/// Writes the book as it is, at schema `version`, to `<book>.before-upgrade-v<version>.backup`
/// beside it (an encrypted book's copy encrypted, its slots beside it), so that an upgrade that
/// goes wrong in a way the transaction cannot undo still leaves the book as it was. The copy is
/// written under a temporary name and renamed: one left by an attempt that was cut off is
/// replaced only by a complete one. Without a copy there is no upgrade: a full disk refuses it,
/// the book untouched.
fn keep_before_upgrade(
    conn: &Connection,
    path: &Path,
    lock: Option<&Lock>,
    version: i64,
) -> Result<()> {
    let backup = lock::beside(path, &format!("{UPGRADE_BACKUP_INFIX}{version}.backup"));
    let staged = lock::beside(&backup, ".partial");
    let remove_staged = || {
        let _ = std::fs::remove_file(&staged);
        let _ = std::fs::remove_file(lock::slots_path(&staged));
    };
    remove_staged();
    let written = write_copy(conn, lock, &staged).and_then(|()| {
        // The slots first: a copy in place never lacks them.
        if lock.is_some() {
            std::fs::rename(lock::slots_path(&staged), lock::slots_path(&backup))?;
        }
        Ok(std::fs::rename(&staged, &backup)?)
    });
    if let Err(err) = written {
        remove_staged();
        tracing::warn!("no copy of {} before its upgrade: {err}", path.display());
        let reason = match &err {
            Error::Io(err) => io_reason(err),
            Error::Sqlite(err)
                if err.sqlite_error_code() == Some(rusqlite::ErrorCode::DiskFull) =>
            {
                "磁盘已满"
            }
            _ => "读写中断",
        };
        return Err(Error::refused(
            ErrorKind::Storage,
            format!(
                "这本台账需要升级数据版本，升级前要先在它旁边存一份备份（{}），但备份没能写成（{reason}）。台账未作任何改动，也未升级：请腾出磁盘空间后重新打开",
                backup.display()
            ),
        ));
    }
    Ok(())
}

/// Removes the copies kept before an upgrade (and their slots, and any half-written one) beside
/// the book at `path`: called when it opened needing no upgrade, as they are kept until the
/// next successful start. A copy that cannot be removed is left, and said in the log.
fn remove_upgrade_backups(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let prefix = format!("{}{UPGRADE_BACKUP_INFIX}", name.to_string_lossy());
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if !is_upgrade_backup(&prefix, &entry.file_name().to_string_lossy()) {
            continue;
        }
        if let Err(err) = std::fs::remove_file(entry.path()) {
            tracing::warn!(
                "the copy kept before an upgrade stays: {}: {err}",
                entry.path().display()
            );
        }
    }
}

/// Whether `name` is one of the files [`keep_before_upgrade`] writes for the book whose name
/// and [`UPGRADE_BACKUP_INFIX`] make `prefix`.
fn is_upgrade_backup(prefix: &str, name: &str) -> bool {
    let Some(rest) = name.strip_prefix(prefix) else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    let kind = &rest[digits..];
    let kind = kind.strip_suffix(lock::SLOTS_SUFFIX).unwrap_or(kind);
    digits > 0 && matches!(kind, ".backup" | ".backup.partial")
}

/// Writes a consistent copy of the book on `conn` to `path`, which must not exist: made first,
/// empty and the owner's only, VACUUM INTO fills it, keeping the mode (and, for an encrypted
/// book, the book's encryption); synced, as an upgrade counts on it once renamed into place. An
/// encrypted book's slots are copied beside it.
fn write_copy(conn: &Connection, lock: Option<&Lock>, path: &Path) -> Result<()> {
    drop(lock::private_file(path)?);
    conn.execute("VACUUM INTO ?1", [path.to_string_lossy()])?;
    std::fs::OpenOptions::new()
        .write(true)
        .open(path)?
        .sync_all()?;
    if let Some(lock) = lock {
        lock.slots.copy_to(&lock::slots_path(path))?;
    }
    Ok(())
}

fn configure(conn: &Connection) -> Result<()> {
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    // 32 MiB of page cache (grown on demand): bulk writes and searches stay off the disk. In an
    // encrypted book a page read from the file costs a decryption and an HMAC check; one found
    // here costs nothing (docs/benchmarks.md: a save decrypts no page once the cache is warm).
    conn.pragma_update(None, "cache_size", -32_768)?;
    // SQLCipher does not encrypt SQLite's temporary files (sorts, temporary tables and indexes):
    // they stay in memory. The build's default already says so (SQLITE_TEMP_STORE=2, which
    // SQLCipher requires); this holds it against a `PRAGMA temp_store` anywhere else
    // (docs/security.md).
    conn.pragma_update(None, "temp_store", "MEMORY")?;
    // Every statement of the write path stays prepared (the default keeps 16: a reception's
    // save and a bundle's import use more, and parsing SQL again cost a tenth of an import).
    conn.set_prepared_statement_cache_capacity(128);
    conn.busy_timeout(std::time::Duration::from_secs(10))?;
    Ok(())
}

fn read_origin(conn: &Connection) -> Result<Origin> {
    let meta = |key: &str| -> Result<String> {
        conn.query_row("SELECT value FROM book_meta WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?
        .ok_or_else(|| Error::Corrupt(format!("book_meta has no {key}: not a case book")))
    };
    let kind = match meta("kind")?.as_str() {
        "town" => BookKind::Town,
        "county" => BookKind::County,
        _ => BookKind::Station,
    };
    Ok(Origin {
        code: meta("origin_code")?,
        name: meta("origin_name")?,
        kind,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A damaged id in the change log is reported as a damaged book, not read as "no deputy".
    #[test]
    fn a_damaged_stored_id_is_corrupt_not_a_default() {
        let book = Book::create_in_memory("BX", "东岭村联络站", BookKind::Station).unwrap();
        book.conn()
            .execute_batch(
                "INSERT INTO change_log (origin, seq, hlc, deputy_id, schema_version, op, entity,
                     record_id, data)
                 VALUES ('BX', 1, 1, 'not-a-uuid', 1, 'grid_upsert', 'grid', 'g', '{}')",
            )
            .unwrap();
        let err = book.changes_since(None, 0, None).unwrap_err();
        assert!(matches!(err, Error::Corrupt(_)), "{err:?}");
        assert_eq!(err.kind(), ErrorKind::Storage);
        assert!(!err.deputy_message().contains("not-a-uuid"));
    }

    #[test]
    fn migrations_are_valid() {
        migrations().validate().unwrap();
    }

    #[test]
    fn every_version_upgrades_to_the_latest() {
        for from in 0..=MIGRATION_SQL.len() {
            let mut conn = Connection::open_in_memory().unwrap();
            migrations().to_version(&mut conn, from).unwrap();
            migrations().to_latest(&mut conn).unwrap();
            let version: i64 = conn
                .pragma_query_value(None, "user_version", |r| r.get(0))
                .unwrap();
            assert_eq!(version, SCHEMA_VERSION);
        }
    }

    /// A version-3 book that had stopped sending (the hold-back was book-wide then) keeps
    /// holding back that peer only, and its quarantine keeps its newer-schema bundle.
    #[test]
    fn a_version_3_hold_back_becomes_the_peers_own() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v3.db");
        let mut conn = Connection::open(&path).unwrap();
        migrations().to_version(&mut conn, 3).unwrap();
        conn.execute_batch(
            r#"INSERT INTO book_meta VALUES ('origin_code', 'BX'), ('origin_name', '东岭村联络站'),
                   ('kind', 'station'), ('created_at', '2026-01-05T09:00:00+08:00'), ('hlc', '7'),
                   ('log_behind_peer', '{"peer":"QX","message":"对方已收到的同步记录比本机台账还多"}');
               INSERT INTO peers VALUES ('QX', zeroblob(32), zeroblob(32), '2026-01-05T09:00:00+08:00', NULL);
               INSERT INTO quarantine VALUES ('b1', 'QX', 9, '2026-02-01T09:00:00+08:00', x'00');"#,
        )
        .unwrap();
        drop(conn);

        let book = Book::open(&path).unwrap();
        let status = book.bundle_status().unwrap();
        assert_eq!(
            status[0].held_back.as_deref(),
            Some("对方已收到的同步记录比本机台账还多")
        );
        let quarantined = &status[0].quarantined;
        assert_eq!(quarantined.len(), 1);
        assert_eq!(quarantined[0].refusal_kind, None);
        let old_key: Option<String> = book
            .conn
            .query_row(
                "SELECT value FROM book_meta WHERE key = 'log_behind_peer'",
                [],
                |r| r.get(0),
            )
            .optional()
            .unwrap();
        assert_eq!(old_key, None);
    }

    /// A version-4 book opens with its records and keeps drafts from then on.
    #[test]
    fn a_version_4_book_gains_drafts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v4.db");
        let mut conn = Connection::open(&path).unwrap();
        migrations().to_version(&mut conn, 4).unwrap();
        conn.execute_batch(
            "INSERT INTO book_meta VALUES ('origin_code', 'DL'), ('origin_name', '东岭村联络站'),
                 ('kind', 'station'), ('created_at', '2026-01-05T09:00:00+08:00'), ('hlc', '7');
             INSERT INTO peers VALUES ('QX', zeroblob(32), zeroblob(32), '2026-01-05T09:00:00+08:00', NULL);",
        )
        .unwrap();
        assert!(conn.prepare("SELECT 1 FROM drafts").is_err());
        drop(conn);

        let book = Book::open(&path).unwrap();
        assert_eq!(book.peers().unwrap().len(), 1);
        book.save_draft("reception", r#"{"matter":"渡槽"}"#)
            .unwrap();
        assert!(book.draft("reception").unwrap().is_some());
    }

    /// A version-5 book at `path` as that version wrote it, in WAL mode like any opened book:
    /// one deputy, one change, no `software_version`.
    fn version_5_book(path: &Path) {
        let mut conn = Connection::open(path).unwrap();
        conn.pragma_update(None, "journal_mode", "WAL").unwrap();
        migrations().to_version(&mut conn, 5).unwrap();
        let deputy = r#"{"id":"0190e3a0-0000-7000-8000-000000000001","name":"陈建国","congress":"town","grid":null,"station":"DL","phone":null,"mediator_since":null,"active":true}"#;
        conn.execute_batch(&format!(
            "INSERT INTO book_meta VALUES ('origin_code', 'DL'), ('origin_name', '东岭村联络站'),
                 ('kind', 'station'), ('created_at', '2026-01-05T09:00:00+08:00'), ('hlc', '7');
             INSERT INTO deputies VALUES ('0190e3a0-0000-7000-8000-000000000001', '陈建国', 'town',
                 NULL, 'DL', NULL, NULL, 1);
             INSERT INTO change_log (origin, seq, hlc, deputy_id, schema_version, op, entity,
                 record_id, data)
             VALUES ('DL', 1, 7, NULL, 4, 'deputy_upsert', 'deputy',
                 '0190e3a0-0000-7000-8000-000000000001', '{deputy}');"
        ))
        .unwrap();
    }

    /// The schema version, the integrity check's verdict and the count of changes of the book
    /// at `path`, read without opening it as a book.
    fn raw_state(path: &Path) -> (i64, String, i64) {
        let conn = Connection::open(path).unwrap();
        let version = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        let verdict = conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .unwrap();
        let changes = conn
            .query_row("SELECT count(*) FROM change_log", [], |r| r.get(0))
            .unwrap();
        (version, verdict, changes)
    }

    /// A version-5 book opens with its log (its entries have no recorder), and from then on a
    /// signed-in deputy is the recorder of each change and the program keeps a trail.
    #[test]
    fn a_version_5_book_gains_sign_in_and_a_trail() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.db");
        version_5_book(&path);

        let mut book = Book::open(&path).unwrap();
        let old = book.changes_since(None, 0, None).unwrap();
        assert_eq!((old.len(), old[0].recorder), (1, None));
        book.set_channel(crate::domain::AuditChannel::App);
        let chen = Uuid::parse_str("0190e3a0-0000-7000-8000-000000000001").unwrap();
        book.sign_in(chen, "385920", china_now()).unwrap();
        let log = book.changes_since(None, 0, None).unwrap();
        assert_eq!(
            log.len(),
            3,
            "the deputy's own record, the PIN set, the sign-in"
        );
        assert!(log[1..].iter().all(|entry| entry.recorder == Some(chen)));
        assert_eq!(log[2].schema_version, LOG_VERSION);
    }

    /// Makes a new book what version 6 made: without what migrations 007 and later add.
    fn back_to_version_6(conn: &Connection) {
        conn.execute_batch(
            "DROP TABLE suggestion_events; DROP TABLE suggestions; DROP TABLE deputy_activities;
             ALTER TABLE peers DROP COLUMN format_version; DROP TABLE meeting_events;
             ALTER TABLE inbound DROP COLUMN sender_head;
             ALTER TABLE inbound DROP COLUMN sender_head_at;
             DROP INDEX receptions_open_by_due; DROP INDEX receptions_renumbered;
             DROP INDEX mediations_renumbered; ALTER TABLE receptions DROP COLUMN kind;
             DROP INDEX stations_by_committee; ALTER TABLE stations DROP COLUMN committee_name;
             ALTER TABLE stations DROP COLUMN committee_short_name; DROP INDEX IF EXISTS case_events_by_kind; DROP TABLE relay_keys; DROP TABLE relayed_stations; DROP TABLE relay_acks; DROP TABLE relay_units; DROP INDEX mediations_by_accepted; PRAGMA user_version = 6;",
        )
        .unwrap();
    }

    /// A version-6 book (the same tables, without the index of open cases) opens, gains the
    /// index, and the first screen's counts read from it.
    #[test]
    fn a_version_6_book_gains_the_index_of_open_cases() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v6.db");
        drop(Book::create(&path, "BX", "东岭村联络站", BookKind::Station).unwrap());
        let conn = Connection::open(&path).unwrap();
        back_to_version_6(&conn);
        drop(conn);

        let book = Book::open(&path).unwrap();
        let indexed: i64 = book
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'receptions_open_by_due'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(indexed, 1);
        // `INDEXED BY` names the index: without it the count is an error, not a slow scan.
        let counts = book.case_counts(china_now().date_naive()).unwrap();
        assert_eq!((counts.awaiting, counts.overdue), (0, 0));
    }

    /// A version-7 town book that has heard from a station opens with what it knew, and sends
    /// the station nothing back until the station says how far it holds its log.
    #[test]
    fn a_version_7_book_keeps_its_sync_state_and_returns_nothing_yet() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v7.db");
        let mut conn = Connection::open(&path).unwrap();
        migrations().to_version(&mut conn, 7).unwrap();
        conn.execute_batch(
            "INSERT INTO inbound (origin, acked_to, last_import_at) VALUES ('BX', 40, '2026-11-30T18:00:00+08:00');",
        )
        .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let (acked, head): (i64, Option<i64>) = conn
            .query_row(
                "SELECT acked_to, sender_head FROM inbound WHERE origin = 'BX'",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!((acked, head), (40, None));
    }

    /// A version-8 book opens and gains the indexes of renumbered records, from which
    /// `renumbered` reads (a record's former number is in its stored JSON).
    #[test]
    fn a_version_8_book_gains_the_indexes_of_renumbered_records() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrations().to_version(&mut conn, 8).unwrap();
        conn.execute_batch(
            r#"INSERT INTO receptions (id, case_no, station, case_year, case_seq, received_at,
                   channel, category, head_count, reply_due, status, due, body)
               VALUES ('r1', 'BX-2026-0031', 'BX', 2026, 31, '2026-11-30T10:00:00+08:00',
                   'station_visit', '村务管理', 1, '2026-12-15', 'pending', '2026-12-15',
                   '{"former_case_no":"BX-2026-0021"}'),
                  ('r2', 'BX-2026-0032', 'BX', 2026, 32, '2026-11-30T11:00:00+08:00',
                   'station_visit', '村务管理', 1, '2026-12-15', 'pending', '2026-12-15', '{}');"#,
        )
        .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let book = Book {
            conn,
            ..Book::create_in_memory("BX", "东岭村联络站", BookKind::Station).unwrap()
        };
        let listed = book.renumbered().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(
            (listed[0].number.as_str(), listed[0].former.as_str()),
            ("BX-2026-0031", "BX-2026-0021")
        );
    }

    /// A version-9 book's receptions, all disputes then, are disputes after the upgrade, in
    /// the table and in the statistics.
    #[test]
    fn a_version_9_books_receptions_are_disputes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v9.db");
        drop(Book::create(&path, "BX", "东岭村联络站", BookKind::Station).unwrap());
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE deputy_activities; ALTER TABLE peers DROP COLUMN format_version;
             DROP TABLE suggestion_events; DROP TABLE suggestions;
             DROP TABLE meeting_events; ALTER TABLE receptions DROP COLUMN kind; DROP INDEX stations_by_committee;
             ALTER TABLE stations DROP COLUMN committee_name;
             ALTER TABLE stations DROP COLUMN committee_short_name; DROP INDEX IF EXISTS case_events_by_kind; DROP TABLE relay_keys; DROP TABLE relayed_stations; DROP TABLE relay_acks; DROP TABLE relay_units; DROP INDEX mediations_by_accepted; PRAGMA user_version = 9;",
        )
        .unwrap();
        migrations().to_version(&mut conn, 9).unwrap();
        conn.execute_batch(
            r#"INSERT INTO receptions (id, case_no, station, case_year, case_seq, received_at,
                   channel, category, head_count, reply_due, status, due, body)
               VALUES ('r1', 'BX-2026-0001', 'BX', 2026, 1, '2026-11-30T10:00:00+08:00',
                   'station_visit', '村务管理', 1, '2026-12-15', 'pending', '2026-12-15', '{}');"#,
        )
        .unwrap();
        drop(conn);
        let book = Book::open(&path).unwrap();
        let kind: String = book
            .conn
            .query_row("SELECT kind FROM receptions WHERE id = 'r1'", [], |row| {
                row.get(0)
            })
            .unwrap();
        assert_eq!(kind, "dispute");
        let stats = book.stats(None, None, None).unwrap();
        assert_eq!(stats.by_kind.len(), 1);
        assert_eq!(
            (stats.by_kind[0].label.as_str(), stats.by_kind[0].count),
            ("矛盾纠纷", 1)
        );
        assert_eq!(stats.by_category[0].key, "村务管理");
    }

    /// A version-10 book opens and gains the table of what follows a meeting (011). A meeting it
    /// recorded, whose JSON has no kind, reads as a 民主议事会 with its own quorum and verdicts,
    /// and takes events.
    #[test]
    fn a_version_10_book_gains_meeting_events_and_its_meetings_read_as_councils() {
        const OLD: &str = r#"{"id":"01a2205a-0000-7000-8000-000000000009","station":"BX","village":"东岭村","held_at":"2024-05-10T19:30:00+08:00","place":"村委会会议室","host":"陈志明","recorder":"梁少玲","deputies":[],"expected":31,"present":21,"quorum":{"numerator":2,"denominator":3},"quorum_met":true,"items":[{"title":"路灯维修","case_no":null,"discussion":null,"votes":{"for":15,"against":4,"abstain":2},"method":"show_of_hands","resolution":"同意","passed":true,"rights_review":null},{"title":"分红方案","case_no":null,"discussion":null,"votes":{"for":12,"against":6,"abstain":3},"method":"secret_ballot","resolution":null,"passed":true,"rights_review":{"infringes":true,"note":"未列出嫁女","correction":"补列出嫁女"}}],"published_from":"2024-05-11","published_to":"2024-05-17"}"#;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v10.db");
        drop(Book::create(&path, "BX", "东岭村联络站", BookKind::Station).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE deputy_activities; ALTER TABLE peers DROP COLUMN format_version;
             DROP TABLE suggestion_events; DROP TABLE suggestions;
             DROP TABLE meeting_events; DROP INDEX stations_by_committee;
             ALTER TABLE stations DROP COLUMN committee_name;
             ALTER TABLE stations DROP COLUMN committee_short_name; DROP INDEX IF EXISTS case_events_by_kind; DROP TABLE relay_keys; DROP TABLE relayed_stations; DROP TABLE relay_acks; DROP TABLE relay_units; DROP INDEX mediations_by_accepted; PRAGMA user_version = 10;",
        )
        .unwrap();
        conn.execute(
            "INSERT INTO meetings (id, station, village, held_at, quorum_met, body)
             VALUES ('01a2205a-0000-7000-8000-000000000009', 'BX', '东岭村',
                     '2024-05-10T19:30:00+08:00', 1, ?1)",
            [OLD],
        )
        .unwrap();
        drop(conn);

        let mut book = Book::open(&path).unwrap();
        let listed = book.meetings().unwrap();
        let old = &listed[0];
        assert_eq!(old.meeting.kind, crate::domain::MeetingKind::Council);
        assert_eq!(
            old.meeting.quorum,
            Some(crate::domain::QuorumRule::default())
        );
        assert!(old.attendance.met);
        // Its verdicts are the ones it was given: the corrected item passed then.
        assert_eq!(
            old.meeting
                .items
                .iter()
                .map(|i| i.passed)
                .collect::<Vec<_>>(),
            [true, true]
        );
        let input = |json: &str| -> crate::domain::MeetingEventInput {
            serde_json::from_str(json).unwrap()
        };
        let id = old.meeting.id.to_string();
        book.add_meeting_event(
            &id,
            input(r#"{"kind":"carried_out","item":1,"report":"路灯已修复"}"#),
        )
        .unwrap();
        let listed = book.meetings().unwrap();
        assert_eq!(listed[0].events.len(), 1);
        assert_eq!(
            listed[0].publication.as_ref().map(|p| p.from.to_string()),
            Some("2024-05-11".to_owned())
        );
    }

    /// A version-14 book opens and gains the tables of deputies' suggestions (015): a reception
    /// it recorded becomes a suggestion's source, the suggestion takes its events, and the
    /// change log carries it at this version.
    #[test]
    fn a_version_14_book_gains_suggestions() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v14.db");
        let mut book = Book::create(&path, "BX", "东岭村联络站", BookKind::Station).unwrap();
        let roster = r#"{"stations": [{"code": "BX", "name": "东岭村人大代表联络站", "level": "base"}],
            "deputies": [{"name": "李秀英", "congress": "county", "station": "BX"},
                         {"name": "王立新", "congress": "county", "station": "BX"}]}"#;
        book.import_roster(&serde_json::from_str(roster).unwrap())
            .unwrap();
        let reception: crate::domain::ReceptionInput = serde_json::from_value(serde_json::json!({
            "received_at": "2026-03-02T09:30:00+08:00", "channel": "station_visit",
            "deputies": ["李秀英"], "visitors": [{"name": "梁秀英"}], "kind": "suggestion",
            "category": "资源环境、城乡建设和农林水利", "matter": "渡槽年久失修",
            "request": "请求维修", "consent": true
        }))
        .unwrap();
        let case_no = book.add_reception(reception).unwrap().case_no;
        drop(book);
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE suggestion_events; DROP TABLE suggestions; DROP INDEX IF EXISTS case_events_by_kind; DROP TABLE relay_keys; DROP TABLE relayed_stations; DROP TABLE relay_acks; DROP TABLE relay_units; DROP INDEX mediations_by_accepted; PRAGMA user_version = 14;",
        )
        .unwrap();
        migrations().to_version(&mut conn, 14).unwrap();
        drop(conn);

        let mut book = Book::open(&path).unwrap();
        let input: crate::domain::SuggestionInput = serde_json::from_value(serde_json::json!({
            "title": "关于维修东岭村渡槽的建议", "category": "资源环境、城乡建设和农林水利",
            "reasons": "渡槽漏水，灌溉受影响", "proposals": "列入明年水利计划",
            "cases": [case_no], "lead": "李秀英", "cosigners": ["王立新"],
            "drafted_at": "2026-03-05T10:00:00+08:00"
        }))
        .unwrap();
        let added = book.add_suggestion(input).unwrap();
        assert_eq!(added.number, "BX建议〔2026〕1号");
        let event: crate::domain::SuggestionEventInput = serde_json::from_value(
            serde_json::json!({"kind": "submitted", "at": "2026-03-06T10:00:00+08:00"}),
        )
        .unwrap();
        book.add_suggestion_event("2026-1", event).unwrap();
        let listed = book.suggestions().unwrap();
        assert_eq!(listed.len(), 1);
        assert_eq!(listed[0].cosigner_names, ["王立新"]);
        assert_eq!(
            listed[0].state.status,
            crate::domain::SuggestionStatus::Submitted
        );
        let log = book.changes_since(None, 0, None).unwrap();
        assert!(
            log.iter()
                .any(|e| e.change.op() == "suggestion_create" && e.schema_version == LOG_VERSION)
        );
    }

    /// A version-15 book gains the index of case events by kind, and its statistics count a
    /// case closed in the range from it (and not one closed again after the range).
    #[test]
    fn a_version_15_book_gains_the_index_of_events_by_kind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v15.db");
        let mut book = Book::create(&path, "BX", "东岭村联络站", BookKind::Station).unwrap();
        let roster = r#"{"stations": [{"code": "BX", "name": "东岭村人大代表联络站", "level": "base"}],
            "deputies": [{"name": "李秀英", "congress": "county", "station": "BX"}]}"#;
        book.import_roster(&serde_json::from_str(roster).unwrap())
            .unwrap();
        let mut close = |matter: &str, events: &[serde_json::Value]| {
            let reception: crate::domain::ReceptionInput =
                serde_json::from_value(serde_json::json!({
                    "received_at": "2026-03-02T09:30:00+08:00", "channel": "station_visit",
                    "deputies": ["李秀英"], "visitors": [{"name": "梁秀英"}],
                    "category": "村务管理", "matter": matter, "request": "请求处理",
                    "consent": true
                }))
                .unwrap();
            let case_no = book.add_reception(reception).unwrap().case_no;
            for event in events {
                book.add_case_event(&case_no, serde_json::from_value(event.clone()).unwrap())
                    .unwrap();
            }
        };
        let closed = |at: &str| serde_json::json!({"kind": "closed", "at": at});
        let reopened =
            |at: &str| serde_json::json!({"kind": "reopened", "reason": "仍未修好", "at": at});
        let accepted = serde_json::json!({"kind": "accepted", "at": "2026-03-02T10:00:00+08:00"});
        close(
            "路灯不亮",
            &[accepted.clone(), closed("2026-03-10T10:00:00+08:00")],
        );
        close(
            "水渠堵塞",
            &[
                accepted,
                closed("2026-03-11T10:00:00+08:00"),
                reopened("2026-03-20T10:00:00+08:00"),
                closed("2026-04-02T10:00:00+08:00"),
            ],
        );
        drop(book);
        let mut conn = Connection::open(&path).unwrap();
        conn.execute_batch("DROP INDEX case_events_by_kind; DROP TABLE relay_keys; DROP TABLE relayed_stations; DROP TABLE relay_acks; DROP TABLE relay_units; DROP INDEX mediations_by_accepted; PRAGMA user_version = 15;")
            .unwrap();
        migrations().to_version(&mut conn, 15).unwrap();
        drop(conn);

        let book = Book::open(&path).unwrap();
        let indexed: i64 = book
            .conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE name = 'case_events_by_kind'",
                [],
                |row| row.get(0),
            )
            .unwrap();
        assert_eq!(indexed, 1);
        let concluded = |from: (u32, u32), to: (u32, u32)| {
            let day = |(m, d)| chrono::NaiveDate::from_ymd_opt(2026, m, d);
            let stats = book.stats(None, day(from), day(to)).unwrap();
            stats
                .deputies
                .iter()
                .find(|d| d.name == "李秀英")
                .map_or(0, |d| d.concluded)
        };
        assert_eq!(
            concluded((3, 1), (3, 31)),
            1,
            "the second case was closed again in April"
        );
        assert_eq!(concluded((4, 1), (4, 30)), 1);
        assert_eq!(concluded((3, 1), (4, 30)), 2);
    }

    /// A version-16 town book gains the relay's tables: the next station bundle it takes is
    /// kept for the county it will relay to.
    #[test]
    fn a_version_16_town_book_keeps_station_bundles_for_a_county() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v16.db");
        let mut town = Book::create(&path, "QX", "清溪镇人大", BookKind::Town).unwrap();
        let mut station = Book::create_in_memory("BX", "东岭村联络站", BookKind::Station).unwrap();
        // So that enrolling its town leaves a change in its log (its audit trail travels).
        station.set_channel(crate::domain::AuditChannel::Cli);
        let (t, s) = (town.public_keys(), station.public_keys());
        town.add_peer("BX", &s.sign_public, &s.seal_public).unwrap();
        station
            .add_peer("QX", &t.sign_public, &t.seal_public)
            .unwrap();
        drop(town);
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch(
            "DROP TABLE relay_keys; DROP TABLE relayed_stations; DROP TABLE relay_acks;
             DROP TABLE relay_units; DROP INDEX mediations_by_accepted; PRAGMA user_version = 16;",
        )
        .unwrap();
        drop(conn);

        let mut town = Book::open(&path).unwrap();
        let sealed = station.seal_bundle("QX").unwrap().unwrap();
        assert!(town.import_bundle(&sealed.bytes).unwrap().applied > 0);
        let overview = town.relay_overview().unwrap();
        assert_eq!(overview.relay_to, None);
        assert_eq!(overview.stations.len(), 1);
        assert_eq!(overview.stations[0].waiting, 1);
        assert_eq!(overview.stations[0].held_to, 0);
    }

    /// A version-17 book gains the index of mediation files by the day they were accepted,
    /// and a month's Ministry table reads through it.
    #[test]
    fn a_version_17_book_finds_a_month_s_mediation_files_by_index() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v17.db");
        drop(Book::create(&path, "XC", "溪城县人大常委会", BookKind::County).unwrap());
        let conn = Connection::open(&path).unwrap();
        conn.execute_batch("DROP INDEX mediations_by_accepted; PRAGMA user_version = 17;")
            .unwrap();
        drop(conn);

        let book = Book::open(&path).unwrap();
        let plan: Vec<String> = book
            .conn
            .prepare(
                "EXPLAIN QUERY PLAN SELECT m.id FROM mediations m
                 WHERE m.accepted_at >= '2026-11-01' AND m.accepted_at < '2026-12-01'",
            )
            .unwrap()
            .query_map([], |row| row.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|step| step.contains("mediations_by_accepted")),
            "{plan:?}"
        );
        let day = |d| chrono::NaiveDate::from_ymd_opt(2026, 11, d);
        let (figures, table) = book.mediation_table(None, day(1), day(30)).unwrap();
        assert_eq!(figures.accepted, 0);
        assert_eq!(table.len(), crate::domain::DISPUTE_TYPES.len());
    }

    /// A version-11 book's stations have no committee after the upgrade: their mediation
    /// numbers stay headed by the station's code until the roster names one.
    #[test]
    fn a_version_11_books_stations_have_no_committee() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrations().to_version(&mut conn, 11).unwrap();
        conn.execute_batch(
            "INSERT INTO stations (id, code, name, level)
             VALUES ('s', 'BX', '东岭村人大代表联络站', 'base');",
        )
        .unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let committee: (Option<String>, Option<String>) = conn
            .query_row(
                "SELECT committee_name, committee_short_name FROM stations",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .unwrap();
        assert_eq!(committee, (None, None));
    }

    /// Version-12 books upgrade: a town's stations and a station's town, enrolled then, may
    /// still run the previous release (formats 1 and 2 only), so each is written format 1 until
    /// a bundle of its own shows that it reads 3; a peer enrolled from now on is written 3.
    #[test]
    fn a_version_12_books_peers_are_written_the_older_format_until_they_show_more() {
        let dir = tempfile::tempdir().unwrap();
        let town_path = dir.path().join("town.db");
        let station_path = dir.path().join("bx.db");
        let mut town = Book::create(&town_path, "QX", "清溪镇人大", BookKind::Town).unwrap();
        let mut station =
            Book::create(&station_path, "BX", "东岭村联络站", BookKind::Station).unwrap();
        let (keys_of_town, keys_of_station) = (town.public_keys(), station.public_keys());
        town.add_peer(
            "BX",
            &keys_of_station.sign_public,
            &keys_of_station.seal_public,
        )
        .unwrap();
        station
            .add_peer("QX", &keys_of_town.sign_public, &keys_of_town.seal_public)
            .unwrap();
        drop((town, station));
        for path in [&town_path, &station_path] {
            Connection::open(path)
                .unwrap()
                .execute_batch(
                    "DROP TABLE suggestion_events; DROP TABLE suggestions; DROP TABLE deputy_activities;
                     ALTER TABLE peers DROP COLUMN format_version; DROP INDEX IF EXISTS case_events_by_kind; DROP TABLE relay_keys; DROP TABLE relayed_stations; DROP TABLE relay_acks; DROP TABLE relay_units; DROP INDEX mediations_by_accepted; PRAGMA user_version = 12;",
                )
                .unwrap();
        }

        let mut town = Book::open(&town_path).unwrap();
        let mut station = Book::open(&station_path).unwrap();
        assert_eq!(town.peer_format("BX").unwrap(), Some(1));
        assert_eq!(station.peer_format("QX").unwrap(), Some(1));
        let roster = r#"{"grids": [{"code": "C", "name": "清溪镇中心网格", "level": "center"}]}"#;
        town.import_roster(&serde_json::from_str(roster).unwrap())
            .unwrap();
        let version = |bytes: &[u8]| u16::from_le_bytes([bytes[8], bytes[9]]);
        let down = town.seal_bundle("BX").unwrap().unwrap();
        assert_eq!(version(&down.bytes), 1);
        // The station, upgraded too, learns from the header's log version that the town reads
        // 3, and writes it 3 (a receipt of the town's grid).
        station.import_bundle(&down.bytes).unwrap();
        assert_eq!(station.peer_format("QX").unwrap(), Some(3));
        let up = station.seal_bundle("QX").unwrap().unwrap();
        assert_eq!(version(&up.bytes), 3);

        let other = Book::create_in_memory("NT", "南塘村联络站", BookKind::Station).unwrap();
        let keys = other.public_keys();
        town.add_peer("NT", &keys.sign_public, &keys.seal_public)
            .unwrap();
        assert_eq!(town.peer_format("NT").unwrap(), None, "written 3");
    }

    /// A version-13 book gains the table of deputies' reports to voters and trainings (014):
    /// its deputies' files read with none, and a report recorded after the upgrade shows.
    #[test]
    fn a_version_13_book_gains_deputies_activities() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v13.db");
        drop(Book::create(&path, "BX", "东岭村联络站", BookKind::Station).unwrap());
        Connection::open(&path)
            .unwrap()
            .execute_batch(
                "DROP TABLE suggestion_events; DROP TABLE suggestions; DROP TABLE deputy_activities;
                 DROP INDEX IF EXISTS case_events_by_kind; DROP TABLE relay_keys; DROP TABLE relayed_stations; DROP TABLE relay_acks; DROP TABLE relay_units; DROP INDEX mediations_by_accepted; PRAGMA user_version = 13;",
            )
            .unwrap();
        // What migration 013 leaves is what a version-13 build made.
        let mut fresh = Connection::open_in_memory().unwrap();
        migrations().to_version(&mut fresh, 13).unwrap();
        let tables = |conn: &Connection| -> Vec<String> {
            conn.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
                .unwrap()
                .query_map([], |row| row.get(0))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap()
        };
        assert_eq!(tables(&Connection::open(&path).unwrap()), tables(&fresh));
        let mut book = Book::open(&path).unwrap();
        let version: i64 = book
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        let roster = r#"{"deputies": [{"name": "陈建国", "congress": "镇"}]}"#;
        book.import_roster(&serde_json::from_str(roster).unwrap())
            .unwrap();
        let year = chrono::Datelike::year(&china_now());
        assert!(book.deputy_file("陈建国", year).unwrap().reports.is_empty());
        let report = r#"{"kind": "述职", "deputy": "陈建国", "date": "2024-12-20",
                         "place": "村文化室", "topic": "2024年度履职情况"}"#;
        book.add_deputy_activity(serde_json::from_str(report).unwrap())
            .unwrap();
        assert_eq!(book.deputy_file("陈建国", 2024).unwrap().reports.len(), 1);
    }

    /// A book written by the first release (schema 1) opens, gains keys and the record clocks
    /// of its roster, and keeps working.
    #[test]
    fn a_version_1_book_upgrades_with_its_data() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v1.db");
        let mut conn = Connection::open(&path).unwrap();
        migrations().to_version(&mut conn, 1).unwrap();
        let deputy = r#"{"id":"0190e3a0-0000-7000-8000-000000000001","name":"陈建国","congress":"town","grid":null,"station":"BX","phone":null,"mediator_since":null,"active":true}"#;
        conn.execute_batch(&format!(
            "INSERT INTO book_meta VALUES ('origin_code', 'BX'), ('origin_name', '东岭村联络站'),
                 ('kind', 'station'), ('created_at', '2026-01-05T09:00:00+08:00'), ('hlc', '7');
             INSERT INTO deputies VALUES ('0190e3a0-0000-7000-8000-000000000001', '陈建国', 'town',
                 NULL, 'BX', NULL, NULL, 1);
             INSERT INTO change_log (origin, seq, hlc, deputy_id, schema_version, op, entity,
                 record_id, data)
             VALUES ('BX', 1, 7, NULL, 1, 'deputy_upsert', 'deputy',
                 '0190e3a0-0000-7000-8000-000000000001', '{deputy}');"
        ))
        .unwrap();
        drop(conn);

        let mut book = Book::open(&path).unwrap();
        let version: i64 = book
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, SCHEMA_VERSION);
        assert!(!book.public_keys().sign_public.is_empty());
        let clock: (String, i64) = book
            .conn
            .query_row("SELECT origin, hlc FROM record_clock", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .unwrap();
        assert_eq!(clock, ("BX".to_owned(), 7));
        let added = book
            .add_reception(crate::domain::ReceptionInput {
                received_at: crate::time::china_now(),
                channel: crate::domain::Channel::Phone,
                deputies: vec!["陈建国".into()],
                visitors: vec![],
                head_count: None,
                kind: None,
                category: "邻里".into(),
                subcategory: None,
                matter: "噪音".into(),
                request: "协调".into(),
                proposed_handling: None,
                place: None,
                grid: None,
                reply_due: None,
                confidential: false,
                consent: false,
            })
            .unwrap();
        assert!(added.case_no.starts_with("BX-"));
        let log = book.changes_since(None, 0, None).unwrap();
        assert_eq!(log.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![1, 2]);
    }

    #[test]
    fn refuses_bad_station_codes() {
        for code in ["", "bx", "B-X", "ABCDEFGHI"] {
            let err = Book::create_in_memory(code, "站", BookKind::Station).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Invalid, "{code}");
        }
    }

    #[test]
    fn create_refuses_an_existing_file_and_open_a_missing_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("book.db");
        let book = Book::create(&path, "BX", "东岭村联络站", BookKind::Station).unwrap();
        drop(book);
        let err = Book::create(&path, "BX", "东岭村联络站", BookKind::Station).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::AlreadyExists);
        let reopened = Book::open(&path).unwrap();
        assert_eq!(reopened.origin().code, "BX");
        let synchronous: i64 = reopened
            .conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(synchronous, 2, "FULL");
        let err = Book::open(&dir.path().join("missing.db")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
    }

    #[test]
    fn open_leaves_foreign_files_and_newer_books_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let foreign = dir.path().join("notes.sqlite");
        Connection::open(&foreign)
            .unwrap()
            .execute_batch("CREATE TABLE notes (text TEXT)")
            .unwrap();
        let before = std::fs::read(&foreign).unwrap();
        assert_eq!(Book::open(&foreign).unwrap_err().kind(), ErrorKind::Invalid);
        assert_eq!(std::fs::read(&foreign).unwrap(), before);
        let text = dir.path().join("notes.txt");
        std::fs::write(&text, "不是数据库").unwrap();
        assert_eq!(Book::open(&text).unwrap_err().kind(), ErrorKind::Invalid);

        let wal = |path: &Path| lock::beside(path, "-wal").exists();
        let newer = dir.path().join("newer.db");
        drop(Book::create(&newer, "BX", "站", BookKind::Station).unwrap());
        let raw = Connection::open(&newer).unwrap();
        raw.execute(
            "UPDATE book_meta SET value = '9.1.0' WHERE key = 'software_version'",
            [],
        )
        .unwrap();
        raw.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
        drop(raw);
        let before = std::fs::read(&newer).unwrap();
        assert!(!wal(&newer));
        let err = Book::open(&newer).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BookTooNew);
        assert!(err.kind().is_refusal());
        let message = err.to_string();
        assert!(
            message.contains("请安装联络站台账 9.1.0 或更新的版本"),
            "{message}"
        );
        assert!(
            message.contains(&format!(
                "数据版本 {}，本软件只支持到 {SCHEMA_VERSION}",
                SCHEMA_VERSION + 1
            )),
            "{message}"
        );
        assert_eq!(std::fs::read(&newer).unwrap(), before);
        assert!(!wal(&newer));

        // A book from before versions were recorded: the data versions, and no version made up.
        Connection::open(&newer)
            .unwrap()
            .execute("DELETE FROM book_meta WHERE key = 'software_version'", [])
            .unwrap();
        let before = std::fs::read(&newer).unwrap();
        let err = Book::open(&newer).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BookTooNew);
        assert!(err.to_string().contains("没有记下是哪个版本"), "{err}");
        assert!(err.to_string().contains("本软件只支持到"), "{err}");
        assert_eq!(std::fs::read(&newer).unwrap(), before);
        assert!(!wal(&newer));
        let copies = std::fs::read_dir(dir.path())
            .unwrap()
            .filter(|entry| {
                let name = entry.as_ref().unwrap().file_name();
                name.to_string_lossy().contains(UPGRADE_BACKUP_INFIX)
            })
            .count();
        assert_eq!(copies, 0, "no copy of a book that is not upgraded");
    }

    /// A new book and an upgraded one both say which version of the software wrote them last.
    #[test]
    fn books_keep_the_version_that_created_or_upgraded_them() {
        let software = |book: &Book| -> String {
            book.conn
                .query_row(
                    "SELECT value FROM book_meta WHERE key = 'software_version'",
                    [],
                    |r| r.get(0),
                )
                .unwrap()
        };
        let new = Book::create_in_memory("BX", "东岭村联络站", BookKind::Station).unwrap();
        assert_eq!(software(&new), SOFTWARE_VERSION);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.db");
        version_5_book(&path);
        assert_eq!(software(&Book::open(&path).unwrap()), SOFTWARE_VERSION);
    }

    /// A disk that fills during the upgrade's last step (SQLite's page limit, one page short of
    /// the upgraded book's size) fails it as a whole: the book keeps its version, its data and
    /// its integrity, and the next open, with room, upgrades it.
    #[test]
    fn a_full_disk_during_the_upgrade_leaves_the_book_as_it_was() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("v5.db");
        version_5_book(&path);
        let trial = dir.path().join("trial.db");
        std::fs::copy(&path, &trial).unwrap();
        let mut conn = Connection::open(&trial).unwrap();
        migrations().to_latest(&mut conn).unwrap();
        let upgraded_pages: i64 = conn
            .pragma_query_value(None, "page_count", |r| r.get(0))
            .unwrap();
        drop(conn);

        let mut conn = connect(&path, None).unwrap();
        conn.pragma_update(None, "max_page_count", upgraded_pages - 1)
            .unwrap();
        let err = upgrade(&mut conn, &path, None).unwrap_err();
        assert!(matches!(err, Error::Migration(_)), "{err:?}");
        assert_eq!(err.kind(), ErrorKind::Storage);
        assert!(err.to_string().contains("full"), "{err}");
        drop(conn);
        assert_eq!(raw_state(&path), (5, "ok".to_owned(), 1));

        let book = Book::open(&path).unwrap();
        assert_eq!(book.changes_since(None, 0, None).unwrap().len(), 1);
        drop(book);
        assert_eq!(raw_state(&path), (SCHEMA_VERSION, "ok".to_owned(), 1));
    }

    /// An upgrade first copies the book beside it, replacing a half-written copy left by an
    /// attempt that was cut off; the copy stays after the upgrade and goes at the next open
    /// that needs none, leaving other files beside the book alone.
    #[test]
    fn an_upgrade_keeps_a_copy_until_the_next_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bx.db");
        version_5_book(&path);
        let copy = dir.path().join("bx.db.before-upgrade-v5.backup");
        let half_written = dir.path().join("bx.db.before-upgrade-v5.backup.partial");
        std::fs::write(&half_written, "cut off").unwrap();
        let others = [
            "bx.db.before-upgrade-notes.txt",
            "bx.db.before-upgrade-v5.backup.txt",
            "dl.db.before-upgrade-v5.backup",
        ];
        for other in others {
            std::fs::write(dir.path().join(other), "").unwrap();
        }

        drop(Book::open(&path).unwrap());
        assert!(!half_written.exists());
        assert_eq!(raw_state(&copy), (5, "ok".to_owned(), 1));
        assert_eq!(raw_state(&path).0, SCHEMA_VERSION);

        drop(Book::open(&path).unwrap());
        assert!(!copy.exists());
        for other in others {
            assert!(dir.path().join(other).exists(), "{other}");
        }
    }

    /// An encrypted book's copy before an upgrade is encrypted with its key, its slots beside it:
    /// the passphrase opens it.
    #[test]
    fn an_encrypted_books_copy_before_upgrade_opens_with_its_passphrase() {
        const PASSPHRASE: &str = "东岭村2026年修渡槽";
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bx.db");
        let book =
            Book::create_encrypted(&path, "BX", "东岭村联络站", BookKind::Station, PASSPHRASE)
                .unwrap();
        back_to_version_6(&book.conn);
        drop(book);

        drop(Book::open_with_passphrase(&path, Some(PASSPHRASE)).unwrap());
        let copy = dir.path().join("bx.db.before-upgrade-v6.backup");
        assert!(lock::is_encrypted(&copy).unwrap());
        let key = lock::KeySlots::read(&copy)
            .unwrap()
            .unlock(PASSPHRASE)
            .unwrap();
        let conn = Connection::open(&copy).unwrap();
        conn.pragma_update(None, "key", key.pragma().as_str())
            .unwrap();
        let version: i64 = conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .unwrap();
        assert_eq!(version, 6);
    }

    /// A copy that cannot be written (here its file's place is taken by a folder) stops the
    /// upgrade with a message saying so: the book is not changed in any byte.
    #[test]
    fn no_copy_no_upgrade() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bx.db");
        version_5_book(&path);
        std::fs::create_dir(dir.path().join("bx.db.before-upgrade-v5.backup.partial")).unwrap();
        let before = std::fs::read(&path).unwrap();

        let err = Book::open(&path).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Storage);
        assert!(err.to_string().contains("备份没能写成"), "{err}");
        assert!(
            err.to_string().contains("台账未作任何改动，也未升级"),
            "{err}"
        );
        assert_eq!(std::fs::read(&path).unwrap(), before);
        assert!(!dir.path().join("bx.db.before-upgrade-v5.backup").exists());
    }
}
