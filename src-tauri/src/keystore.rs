//! The station's passphrase remembered on this PC, when the deputy asks for it: kept in the
//! operating system's key store (Windows Credential Manager; the Secret Service, such as GNOME
//! Keyring, on Linux), never in the app's own files.
//!
//! The trade-off is the deputy's to make, and the unlock screen says it: anyone who can sign
//! in to this PC's account opens the book without the passphrase. A key store that cannot be
//! reached never blocks unlocking: the deputy types the passphrase as if nothing was remembered.

use std::path::Path;

use zeroize::Zeroizing;

/// The name the app's entries carry in the key store; each book's entry is named by its path.
const SERVICE: &str = "liaison-station";

/// The key store could not be used (none runs, it is locked, or it refused).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("本机的钥匙串（Windows 凭据管理器或 Linux 的 Secret Service）无法使用：{0}")]
pub struct KeyStoreError(pub String);

/// Where remembered passphrases are kept, one per book: the OS key store in the app
/// ([`OsKeyStore`]), another in tests.
pub trait KeyStore: Send + Sync + std::fmt::Debug {
    /// The passphrase remembered for `book`, if any.
    ///
    /// # Errors
    /// When the store cannot be used.
    fn get(&self, book: &Path) -> Result<Option<Zeroizing<String>>, KeyStoreError>;

    /// Remembers `passphrase` for `book`, replacing an earlier one.
    ///
    /// # Errors
    /// When the store cannot be used.
    fn set(&self, book: &Path, passphrase: &str) -> Result<(), KeyStoreError>;

    /// Forgets the passphrase of `book`; nothing remembered is no failure.
    ///
    /// # Errors
    /// When the store cannot be used.
    fn delete(&self, book: &Path) -> Result<(), KeyStoreError>;
}

/// The operating system's key store, through the `keyring` crate.
#[derive(Debug, Default, Clone, Copy)]
pub struct OsKeyStore;

/// The entry of `book`: named by its absolute path, so that two books on one PC (or a test's
/// temporary one) never share a passphrase.
fn entry(book: &Path) -> Result<keyring::Entry, KeyStoreError> {
    let account = std::path::absolute(book).unwrap_or_else(|_| book.to_path_buf());
    keyring::Entry::new(SERVICE, &account.display().to_string()).map_err(failure)
}

/// The store's failure in words a deputy understands; the store's own words go to the log.
fn failure(err: keyring::Error) -> KeyStoreError {
    tracing::warn!("key store: {err}");
    let reason = match err {
        keyring::Error::NoStorageAccess(_) => "本机没有可用的钥匙串服务，或它被锁住了",
        keyring::Error::PlatformFailure(_) => "钥匙串服务没有响应",
        _ => "钥匙串拒绝了这次操作",
    };
    KeyStoreError(reason.into())
}

impl KeyStore for OsKeyStore {
    fn get(&self, book: &Path) -> Result<Option<Zeroizing<String>>, KeyStoreError> {
        match entry(book)?.get_password() {
            Ok(passphrase) => Ok(Some(Zeroizing::new(passphrase))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(failure(err)),
        }
    }

    fn set(&self, book: &Path, passphrase: &str) -> Result<(), KeyStoreError> {
        entry(book)?.set_password(passphrase).map_err(failure)
    }

    fn delete(&self, book: &Path) -> Result<(), KeyStoreError> {
        match entry(book)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(failure(err)),
        }
    }
}
