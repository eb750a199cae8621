//! The encrypted book in the app: a station starts locked, opens with the right passphrase
//! only, remembers it in a key store when asked (and never depends on one), converts a plain
//! book in place and changes the passphrase. Driven on `Station` directly.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use casebook::store::{BookKind, lock};
use casebook::{Book, ErrorKind};
use liaison_station::error::{CommandError, CommandErrorKind};
use liaison_station::keystore::{KeyStore, KeyStoreError, OsKeyStore};
use liaison_station::station::{Paths, Station};
use zeroize::Zeroizing;

const PASSPHRASE: &str = "东岭村2026年修渡槽";
const NEW_PASSPHRASE: &str = "清溪镇人大联络站密码";

/// A key store in memory, as the OS's would keep it.
#[derive(Debug, Default)]
struct MemoryKeyStore(Mutex<HashMap<PathBuf, String>>);

impl MemoryKeyStore {
    fn held(&self, book: &Path) -> Option<String> {
        self.0.lock().unwrap().get(book).cloned()
    }
}

impl KeyStore for MemoryKeyStore {
    fn get(&self, book: &Path) -> Result<Option<Zeroizing<String>>, KeyStoreError> {
        Ok(self.held(book).map(Zeroizing::new))
    }
    fn set(&self, book: &Path, passphrase: &str) -> Result<(), KeyStoreError> {
        self.0
            .lock()
            .unwrap()
            .insert(book.to_path_buf(), passphrase.to_owned());
        Ok(())
    }
    fn delete(&self, book: &Path) -> Result<(), KeyStoreError> {
        self.0.lock().unwrap().remove(book);
        Ok(())
    }
}

/// A key store that never answers (no Secret Service running, a locked keyring).
#[derive(Debug)]
struct BrokenKeyStore;

impl KeyStore for BrokenKeyStore {
    fn get(&self, _: &Path) -> Result<Option<Zeroizing<String>>, KeyStoreError> {
        Err(KeyStoreError("钥匙串服务没有响应".into()))
    }
    fn set(&self, _: &Path, _: &str) -> Result<(), KeyStoreError> {
        Err(KeyStoreError("钥匙串服务没有响应".into()))
    }
    fn delete(&self, _: &Path) -> Result<(), KeyStoreError> {
        Err(KeyStoreError("钥匙串服务没有响应".into()))
    }
}

fn kind(err: &CommandError) -> CommandErrorKind {
    err.kind
}

fn core(kind: ErrorKind) -> CommandErrorKind {
    CommandErrorKind::Core(kind)
}

/// An encrypted station book in `dir`, made as the wizard makes it, and closed.
async fn encrypted_station(dir: &Path) -> Paths {
    let paths = Paths::in_dir(dir);
    let station = Station::open(paths.clone(), Instant::now()).unwrap();
    let created = station
        .create_book(
            "DL".into(),
            "东岭村人大代表联络站".into(),
            PASSPHRASE.into(),
        )
        .await
        .unwrap();
    assert!(created.open && created.encrypted && !created.locked);
    paths
}

#[tokio::test]
async fn a_weak_passphrase_makes_no_book() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::in_dir(dir.path());
    let station = Station::open(paths.clone(), Instant::now()).unwrap();
    let err = station
        .create_book("DL".into(), "东岭村人大代表联络站".into(), "1234567".into())
        .await
        .unwrap_err();
    assert_eq!(kind(&err), core(ErrorKind::Invalid));
    assert_eq!(err.field.as_deref(), Some("passphrase"));
    assert!(err.message.contains("至少8个字符"), "{}", err.message);
    assert!(!paths.book.exists(), "no book");
    assert!(!lock::slots_path(&paths.book).exists(), "no slots");
}

#[tokio::test]
async fn an_encrypted_book_starts_locked_and_opens_with_the_right_passphrase_only() {
    let dir = tempfile::tempdir().unwrap();
    let paths = encrypted_station(dir.path()).await;
    let store = Arc::new(MemoryKeyStore::default());
    let station = Station::open(paths.clone(), Instant::now())
        .unwrap()
        .with_key_store(store.clone());

    let status = station.book_status().await;
    assert!(status.locked && status.encrypted && !status.open);
    assert_eq!(status.name, None, "nothing is read while locked");
    assert_eq!(status.path.as_deref(), Some(paths.book.as_path()));
    let err = station.today().await.unwrap_err();
    assert_eq!(
        kind(&err),
        CommandErrorKind::App(liaison_station::error::AppErrorKind::NoBook)
    );

    // Nothing remembered: the window shows the unlock screen.
    let unlocked = station.unlock_remembered().await.unwrap();
    assert!(unlocked.book.locked && unlocked.notice.is_none());

    let before = std::fs::read(&paths.book).unwrap();
    let err = station
        .unlock_book("东岭村2026年修渡漕".into(), true)
        .await
        .unwrap_err();
    assert_eq!(kind(&err), core(ErrorKind::WrongPassphrase));
    assert!(err.message.contains("密码不对"), "{}", err.message);
    assert!(station.book_status().await.locked, "still locked");
    assert_eq!(
        store.held(&paths.book),
        None,
        "a wrong one is not remembered"
    );
    assert_eq!(
        std::fs::read(&paths.book).unwrap(),
        before,
        "nothing changed"
    );

    let unlocked = station.unlock_book(PASSPHRASE.into(), false).await.unwrap();
    assert!(unlocked.book.open && !unlocked.book.locked && unlocked.book.encrypted);
    assert_eq!(unlocked.book.name.as_deref(), Some("东岭村人大代表联络站"));
    assert!(!unlocked.book.remembered && unlocked.notice.is_none());
    assert_eq!(store.held(&paths.book), None, "not remembered unless asked");
    station.today().await.unwrap();
}

#[tokio::test]
async fn a_remembered_passphrase_skips_the_unlock_screen_until_it_no_longer_opens_the_book() {
    let dir = tempfile::tempdir().unwrap();
    let paths = encrypted_station(dir.path()).await;
    let store = Arc::new(MemoryKeyStore::default());
    let start = || {
        Station::open(paths.clone(), Instant::now())
            .unwrap()
            .with_key_store(store.clone())
    };

    let station = start();
    let unlocked = station.unlock_book(PASSPHRASE.into(), true).await.unwrap();
    assert!(unlocked.book.open && unlocked.book.remembered);
    assert_eq!(store.held(&paths.book).as_deref(), Some(PASSPHRASE));
    drop(station);

    // The next start opens the book by itself.
    let station = start();
    let unlocked = station.unlock_remembered().await.unwrap();
    assert!(unlocked.book.open && unlocked.book.remembered && unlocked.notice.is_none());

    // Changed with the current passphrase only; the remembered one follows.
    let err = station
        .change_passphrase("东岭村2026年修渡漕".into(), NEW_PASSPHRASE.into())
        .await
        .unwrap_err();
    assert_eq!(kind(&err), core(ErrorKind::WrongPassphrase));
    let err = station
        .change_passphrase(PASSPHRASE.into(), "12345678".into())
        .await
        .unwrap_err();
    assert_eq!(err.field.as_deref(), Some("passphrase"));
    let changed = station
        .change_passphrase(PASSPHRASE.into(), NEW_PASSPHRASE.into())
        .await
        .unwrap();
    assert!(changed.notice.is_none());
    assert_eq!(store.held(&paths.book).as_deref(), Some(NEW_PASSPHRASE));
    drop(station);
    let station = start();
    assert!(station.unlock_remembered().await.unwrap().book.open);
    drop(station);

    // Changed elsewhere (the town office reset it): the stale one is forgotten.
    store.set(&paths.book, PASSPHRASE).unwrap();
    let station = start();
    let unlocked = station.unlock_remembered().await.unwrap();
    assert!(unlocked.book.locked && !unlocked.book.remembered);
    assert!(
        unlocked
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("已把它忘记")),
        "{unlocked:?}"
    );
    assert_eq!(store.held(&paths.book), None);
    station
        .unlock_book(NEW_PASSPHRASE.into(), true)
        .await
        .unwrap();

    // 忘记密码 in 设置.
    let status = station.forget_passphrase().await.unwrap();
    assert!(status.open && !status.remembered);
    assert_eq!(store.held(&paths.book), None);
}

#[tokio::test]
async fn a_broken_key_store_never_blocks_unlocking() {
    let dir = tempfile::tempdir().unwrap();
    let paths = encrypted_station(dir.path()).await;
    let station = Station::open(paths, Instant::now())
        .unwrap()
        .with_key_store(Arc::new(BrokenKeyStore));
    let unlocked = station.unlock_remembered().await.unwrap();
    assert!(unlocked.book.locked);
    assert!(
        unlocked
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("这次也请输入密码")),
        "{unlocked:?}"
    );
    let unlocked = station.unlock_book(PASSPHRASE.into(), true).await.unwrap();
    assert!(unlocked.book.open && !unlocked.book.remembered);
    assert!(
        unlocked
            .notice
            .as_deref()
            .is_some_and(|n| n.contains("没有记住密码")),
        "{unlocked:?}"
    );
    let err = station.forget_passphrase().await.unwrap_err();
    assert_eq!(
        kind(&err),
        CommandErrorKind::App(liaison_station::error::AppErrorKind::KeyStore)
    );
    station.today().await.unwrap();
}

/// The OS key store, where one runs (`scripts/test` starts GNOME Keyring on a private D-Bus
/// session for this test); elsewhere its failure must still leave the book usable.
#[tokio::test]
async fn the_os_key_store_remembers_or_fails_harmlessly() {
    let dir = tempfile::tempdir().unwrap();
    let paths = encrypted_station(dir.path()).await;
    let station = Station::open(paths.clone(), Instant::now())
        .unwrap()
        .with_key_store(Arc::new(OsKeyStore));
    let unlocked = station.unlock_book(PASSPHRASE.into(), true).await.unwrap();
    assert!(unlocked.book.open);
    let require = std::env::var_os("LIAISON_TEST_KEY_STORE").is_some();
    if unlocked.book.remembered {
        drop(station);
        let station = Station::open(paths.clone(), Instant::now()).unwrap();
        assert!(station.unlock_remembered().await.unwrap().book.open);
        station.forget_passphrase().await.unwrap();
        assert_eq!(OsKeyStore.get(&paths.book).unwrap(), None);
    } else {
        assert!(
            !require,
            "LIAISON_TEST_KEY_STORE is set but the OS key store failed: {:?}",
            unlocked.notice
        );
        assert!(unlocked.notice.is_some(), "the failure is said");
    }
}

#[tokio::test]
async fn a_plain_book_is_encrypted_in_place_and_stays_usable_when_that_fails() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::in_dir(dir.path());
    drop(Book::create(&paths.book, "DL", "东岭村人大代表联络站", BookKind::Station).unwrap());
    let station = Station::open(paths.clone(), Instant::now()).unwrap();
    let status = station.book_status().await;
    assert!(status.open && !status.encrypted && !status.locked);

    // A weak passphrase is refused before anything is closed.
    let err = station.encrypt_book("12345678".into()).await.unwrap_err();
    assert_eq!(err.field.as_deref(), Some("passphrase"));
    station.today().await.unwrap();

    // Slots in the way: the core refuses, and the plain book is open again.
    let slots = lock::slots_path(&paths.book);
    std::fs::write(&slots, "{}").unwrap();
    let err = station.encrypt_book(PASSPHRASE.into()).await.unwrap_err();
    assert_eq!(kind(&err), core(ErrorKind::AlreadyExists));
    let status = station.book_status().await;
    assert!(status.open && !status.encrypted, "{status:?}");
    station.today().await.unwrap();
    std::fs::remove_file(&slots).unwrap();

    let status = station.encrypt_book(PASSPHRASE.into()).await.unwrap();
    assert!(status.open && status.encrypted, "{status:?}");
    assert_eq!(status.code.as_deref(), Some("DL"));
    station.today().await.unwrap();
    assert!(lock::is_encrypted(&paths.book).unwrap());
    let err = station.encrypt_book(PASSPHRASE.into()).await.unwrap_err();
    assert!(err.message.contains("已经加密"), "{}", err.message);
    drop(station);

    let station = Station::open(paths, Instant::now()).unwrap();
    assert!(station.book_status().await.locked);
    station.unlock_book(PASSPHRASE.into(), false).await.unwrap();
}

#[tokio::test]
async fn the_demo_stays_plain() {
    let station = Station::demo(10, Instant::now()).unwrap();
    let status = station.book_status().await;
    assert!(status.demo && status.open && !status.encrypted);
    let err = station.encrypt_book(PASSPHRASE.into()).await.unwrap_err();
    assert!(err.message.contains("演示台账不加密"), "{}", err.message);
}
