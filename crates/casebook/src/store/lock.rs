//! The encrypted book's key and the slots that open it, as LUKS keeps a disk's.
//!
//! An encrypted book is a SQLCipher file keyed with a random 256-bit book key. The key itself is
//! never stored: each *slot* holds it wrapped (XChaCha20-Poly1305) by something a person has —
//! the station's passphrase through Argon2id, or the town's private sealing key. Changing the
//! passphrase rewraps the key in its slot; the book is not encrypted again.
//!
//! The slots live in a small file beside the book, `<book>-slots` (JSON, mode 0600). It holds no
//! personal data and nothing that opens the book without a passphrase or the town's key; without
//! it the book cannot be opened at all, so backups carry it with the book. Slots copied beside
//! another book yield that other book's key only if they were its own: a wrong key opens
//! nothing (SQLCipher checks every page).

use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use argon2::{Algorithm, Argon2, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use x25519_dalek::{PublicKey, StaticSecret};
use zeroize::Zeroizing;

use crate::bundle::keys::{random_32, sealing_key};
use crate::error::{Error, ErrorKind, Result};

/// What the slots file's name adds to the book's.
pub const SLOTS_SUFFIX: &str = "-slots";

/// The environment variable that gives the passphrase to the CLI and the hub, for scripts and
/// services (a file, `--passphrase-file`, is safer: other users of the PC may read a process's
/// environment on some systems).
pub const PASSPHRASE_ENV: &str = "CASEBOOK_PASSPHRASE";

/// The longest passphrase file read: a passphrase is a line, not a document.
const PASSPHRASE_FILE_MAX: u64 = 4096;

/// The passphrase given for scripts and services: the first line of `file` (without a leading
/// byte-order mark or a line end, LF or CRLF), else
/// [`PASSPHRASE_ENV`]; None when neither is given.
///
/// # Errors
/// [`ErrorKind::BadInput`] for a file that cannot be read, is larger than 4 KiB or is empty.
pub fn given_passphrase(file: Option<&Path>) -> Result<Option<Zeroizing<String>>> {
    if let Some(file) = file {
        let refused = |why: &str| {
            Error::refused(
                ErrorKind::BadInput,
                format!("密码文件 {}{why}", file.display()),
            )
        };
        let mut text = Zeroizing::new(String::new());
        std::fs::File::open(file)
            .map_err(|err| refused(&format!("无法读取：{}", crate::error::io_reason(&err))))?
            .take(PASSPHRASE_FILE_MAX + 1)
            .read_to_string(&mut text)
            .map_err(|_| refused("不是文本文件"))?;
        if text.len() as u64 > PASSPHRASE_FILE_MAX {
            return Err(refused("太大：应只有一行密码"));
        }
        // Notepad's "UTF-8 with BOM" puts U+FEFF first: it is not part of the passphrase.
        let line = text
            .strip_prefix('\u{feff}')
            .unwrap_or(&text)
            .lines()
            .next()
            .unwrap_or_default();
        if line.is_empty() {
            return Err(refused("是空的"));
        }
        return Ok(Some(Zeroizing::new(line.to_owned())));
    }
    Ok(std::env::var(PASSPHRASE_ENV)
        .ok()
        .filter(|text| !text.is_empty())
        .map(Zeroizing::new))
}

/// The shortest passphrase accepted, in characters.
pub const PASSPHRASE_MIN_CHARS: usize = 8;

/// The first 16 bytes of every plain SQLite file; an encrypted one starts with random bytes.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// The slots file's format.
const SLOTS_FORMAT: u32 = 1;

/// Argon2id's cost for a new passphrase slot: 64 MiB, 6 passes, 2 lanes — 0.24 s to unlock on
/// this 2-core build machine, inside the 0.2–0.5 s aimed at (docs/benchmarks.md,
/// `BENCH_ONLY=unlock cargo bench -p casebook --bench casebook`). 64 MiB is held only while
/// unlocking.
pub const PASSPHRASE_KDF: KdfCost = KdfCost {
    memory_kib: 64 * 1024,
    iterations: 6,
    lanes: 2,
};

/// Argon2id's cost parameters, kept in each slot so that a later version may raise them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KdfCost {
    /// Memory, in KiB.
    pub memory_kib: u32,
    /// Passes over the memory.
    pub iterations: u32,
    /// Parallel lanes.
    pub lanes: u32,
}

/// Bounds on a slot's stored cost: a hostile slots file must not make an unlock take hours or
/// gigabytes.
const KDF_MAX_MEMORY_KIB: u32 = 1024 * 1024;
const KDF_MAX_ITERATIONS: u32 = 64;
const KDF_MAX_LANES: u32 = 16;

/// HKDF's label for a book key sealed to the town.
const TOWN_SLOT_INFO: &[u8] = b"liaison-station book key v1";

/// The book's key: what SQLCipher encrypts the file with. Wiped from memory when dropped.
pub struct BookKey(Zeroizing<[u8; 32]>);

impl std::fmt::Debug for BookKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("BookKey(…)")
    }
}

impl BookKey {
    /// A new random key, for a new or newly encrypted book.
    pub(crate) fn random() -> Result<BookKey> {
        Ok(BookKey(Zeroizing::new(random_32()?)))
    }

    /// The `PRAGMA key` value: the raw key in hex, so SQLCipher runs no key derivation of its
    /// own (the slots did that already).
    pub(crate) fn pragma(&self) -> Zeroizing<String> {
        let mut text = String::with_capacity(67);
        text.push_str("x'");
        for byte in self.0.iter() {
            text.push_str(&format!("{byte:02x}"));
        }
        text.push('\'');
        Zeroizing::new(text)
    }
}

/// One way to open the book.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
enum Slot {
    /// The station's passphrase, through Argon2id.
    Passphrase {
        cost: KdfCost,
        salt: String,
        nonce: String,
        wrapped: String,
    },
    /// Sealed to the town's public sealing key: the town office can open a book whose
    /// passphrase was lost.
    Town {
        town: String,
        ephemeral: String,
        nonce: String,
        wrapped: String,
    },
}

/// The slots file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Slots {
    format: u32,
    /// A random id of this set of slots, bound into every wrapped key.
    id: String,
    slots: Vec<Slot>,
}

/// Where the slots of the book at `book` are kept.
pub fn slots_path(book: &Path) -> PathBuf {
    beside(book, SLOTS_SUFFIX)
}

/// The file named as `path` with `suffix` added (`dl.db` → `dl.db-wal`), as SQLite names a
/// book's companions.
pub(crate) fn beside(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Whether the file at `path` is an encrypted book, by its first bytes: a plain SQLite file
/// starts with its magic, an encrypted one with random bytes. A file that is neither plain nor
/// has slots beside it is refused, naming the slots file it lacks.
pub fn is_encrypted(path: &Path) -> Result<bool> {
    let mut head = [0u8; 16];
    let mut file = std::fs::File::open(path)?;
    let read = file.read(&mut head)?;
    if read == head.len() && &head == SQLITE_MAGIC {
        return Ok(false);
    }
    let slots = slots_path(path);
    if slots.is_file() {
        return Ok(true);
    }
    Err(Error::refused(
        ErrorKind::Invalid,
        format!(
            "{} 不是台账文件，或是加密的台账却缺少与它放在一起的钥匙文件 {}，未作任何改动",
            path.display(),
            slots.display()
        ),
    ))
}

/// Refuses a passphrase too short or too plain to protect visitors' data, with a hint a deputy
/// can act on.
pub fn check_passphrase(passphrase: &str) -> Result<()> {
    let chars: Vec<char> = passphrase.chars().collect();
    let weak = |message: &str| Err(Error::invalid(message.to_owned()).at("passphrase"));
    if chars.len() < PASSPHRASE_MIN_CHARS {
        return weak("密码太短：至少8个字符。可以用一句好记的话，如“东岭村2026年修渡槽”");
    }
    let distinct = {
        let mut seen = chars.clone();
        seen.sort_unstable();
        seen.dedup();
        seen.len()
    };
    let stepped = chars.windows(2).all(|pair| {
        let step = pair[1] as i64 - pair[0] as i64;
        step == 1 || step == -1
    });
    if distinct < 4 || stepped {
        return weak(
            "密码太简单（重复或连续的字符），别人容易猜到。请加上汉字、字母或不连续的数字",
        );
    }
    if chars.iter().all(char::is_ascii_digit) && chars.len() < 12 {
        return weak("只用数字的密码至少要12位；也可以加上汉字或字母");
    }
    Ok(())
}

fn decode_b64(what: &str, text: &str) -> Result<Vec<u8>> {
    STANDARD
        .decode(text)
        .map_err(|_| Error::Corrupt(format!("slots file: {what} is not base64")))
}

fn decode_array<const N: usize>(what: &str, text: &str) -> Result<[u8; N]> {
    decode_b64(what, text)?
        .try_into()
        .map_err(|_| Error::Corrupt(format!("slots file: {what} has the wrong length")))
}

fn nonce() -> Result<[u8; 24]> {
    let mut nonce = [0u8; 24];
    nonce.copy_from_slice(&random_32()?[..24]);
    Ok(nonce)
}

/// Binds a wrapped key to its slot's kind and its slots file (as AEAD data): a wrapped key
/// moved into another slot or another slots file does not open.
fn aad(kind: &str, slots_id: &str) -> Vec<u8> {
    format!("liaison-station slot {kind} {slots_id}").into_bytes()
}

fn wrap(wrapping: &[u8; 32], nonce: &[u8; 24], key: &BookKey, aad: &[u8]) -> Result<Vec<u8>> {
    XChaCha20Poly1305::new(wrapping.into())
        .encrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: key.0.as_slice(),
                aad,
            },
        )
        .map_err(|_| Error::Internal("key wrapping failed".into()))
}

/// The book key in a slot, or None when `wrapping` is not the slot's.
fn unwrap(wrapping: &[u8; 32], nonce: &[u8; 24], wrapped: &[u8], aad: &[u8]) -> Option<BookKey> {
    let plain = Zeroizing::new(
        XChaCha20Poly1305::new(wrapping.into())
            .decrypt(XNonce::from_slice(nonce), Payload { msg: wrapped, aad })
            .ok()?,
    );
    let key: [u8; 32] = plain.as_slice().try_into().ok()?;
    Some(BookKey(Zeroizing::new(key)))
}

fn passphrase_key(passphrase: &str, salt: &[u8], cost: KdfCost) -> Result<Zeroizing<[u8; 32]>> {
    if cost.memory_kib > KDF_MAX_MEMORY_KIB
        || cost.iterations > KDF_MAX_ITERATIONS
        || cost.lanes > KDF_MAX_LANES
    {
        return Err(Error::Corrupt(format!(
            "slots file: a key derivation cost out of bounds ({cost:?})"
        )));
    }
    let params = Params::new(cost.memory_kib, cost.iterations, cost.lanes, Some(32))
        .map_err(|err| Error::Corrupt(format!("slots file: key derivation cost: {err}")))?;
    let mut key = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), salt, key.as_mut_slice())
        .map_err(|err| Error::Internal(format!("key derivation failed: {err}")))?;
    Ok(key)
}

impl Slot {
    fn passphrase(key: &BookKey, passphrase: &str, book_id: &str) -> Result<Slot> {
        let salt = random_32()?;
        let nonce = nonce()?;
        let wrapping = passphrase_key(passphrase, &salt, PASSPHRASE_KDF)?;
        let wrapped = wrap(&wrapping, &nonce, key, &aad("passphrase", book_id))?;
        Ok(Slot::Passphrase {
            cost: PASSPHRASE_KDF,
            salt: STANDARD.encode(salt),
            nonce: STANDARD.encode(nonce),
            wrapped: STANDARD.encode(wrapped),
        })
    }

    fn town(key: &BookKey, town: &str, town_seal: &PublicKey, book_id: &str) -> Result<Slot> {
        let ephemeral = StaticSecret::from(random_32()?);
        let ephemeral_public = PublicKey::from(&ephemeral);
        let shared = ephemeral.diffie_hellman(town_seal);
        let wrapping = Zeroizing::new(sealing_key(
            TOWN_SLOT_INFO,
            shared.as_bytes(),
            &ephemeral_public,
            town_seal,
        )?);
        let nonce = nonce()?;
        let wrapped = wrap(&wrapping, &nonce, key, &aad("town", book_id))?;
        Ok(Slot::Town {
            town: town.to_owned(),
            ephemeral: STANDARD.encode(ephemeral_public.as_bytes()),
            nonce: STANDARD.encode(nonce),
            wrapped: STANDARD.encode(wrapped),
        })
    }
}

/// A book's slots, read from its slots file, and the id that binds them to that book.
#[derive(Debug)]
pub(crate) struct KeySlots {
    path: PathBuf,
    slots: Slots,
}

impl KeySlots {
    /// Slots for a new encrypted book at `book`, opened by `passphrase`.
    /// The caller has checked the passphrase ([`check_passphrase`]) before making any file.
    pub(crate) fn create(book: &Path, key: &BookKey, passphrase: &str) -> Result<KeySlots> {
        let id = uuid::Uuid::now_v7().to_string();
        let slots = KeySlots {
            path: slots_path(book),
            slots: Slots {
                format: SLOTS_FORMAT,
                slots: vec![Slot::passphrase(key, passphrase, &id)?],
                id,
            },
        };
        slots.write()?;
        Ok(slots)
    }

    /// The slots of the book at `book`.
    pub(crate) fn read(book: &Path) -> Result<KeySlots> {
        let path = slots_path(book);
        let text = std::fs::read(&path).map_err(|err| match err.kind() {
            std::io::ErrorKind::NotFound => Error::refused(
                ErrorKind::Locked,
                format!(
                    "找不到台账的钥匙文件 {}，无法打开加密的台账。请从备份中找回它（与台账文件放在一起）",
                    path.display()
                ),
            ),
            _ => Error::Io(err),
        })?;
        // A slots file is a few hundred bytes: anything large is not one.
        if text.len() > 64 * 1024 {
            return Err(Error::Corrupt("slots file: too large".into()));
        }
        let slots: Slots = serde_json::from_slice(&text)
            .map_err(|err| Error::Corrupt(format!("slots file: {err}")))?;
        if slots.format != SLOTS_FORMAT {
            return Err(Error::refused(
                ErrorKind::Invalid,
                "台账的钥匙文件由较新版本的软件写成，请先升级软件",
            ));
        }
        Ok(KeySlots { path, slots })
    }

    /// The book key, from the first passphrase slot that `passphrase` opens.
    ///
    /// # Errors
    /// [`ErrorKind::WrongPassphrase`] when none does.
    pub(crate) fn unlock(&self, passphrase: &str) -> Result<BookKey> {
        for slot in &self.slots.slots {
            if let Slot::Passphrase {
                cost,
                salt,
                nonce,
                wrapped,
            } = slot
            {
                let wrapping = passphrase_key(passphrase, &decode_b64("salt", salt)?, *cost)?;
                let nonce = decode_array::<24>("nonce", nonce)?;
                let wrapped = decode_b64("wrapped key", wrapped)?;
                if let Some(key) = unwrap(
                    &wrapping,
                    &nonce,
                    &wrapped,
                    &aad("passphrase", &self.slots.id),
                ) {
                    return Ok(key);
                }
            }
        }
        Err(Error::refused(
            ErrorKind::WrongPassphrase,
            "密码不对，台账没有打开，也没有改动。请注意大小写和输入法（全角/半角）",
        ))
    }

    /// The book key from the town's slot, opened with the town's private sealing key.
    ///
    /// # Errors
    /// [`ErrorKind::WrongPassphrase`] when the book has no slot for this key.
    pub(crate) fn unlock_for_town(&self, town_seal: &StaticSecret) -> Result<BookKey> {
        let own_public = PublicKey::from(town_seal);
        for slot in &self.slots.slots {
            if let Slot::Town {
                ephemeral,
                nonce,
                wrapped,
                ..
            } = slot
            {
                let ephemeral = PublicKey::from(decode_array::<32>("ephemeral key", ephemeral)?);
                let shared = town_seal.diffie_hellman(&ephemeral);
                let wrapping = Zeroizing::new(sealing_key(
                    TOWN_SLOT_INFO,
                    shared.as_bytes(),
                    &ephemeral,
                    &own_public,
                )?);
                let nonce = decode_array::<24>("nonce", nonce)?;
                let wrapped = decode_b64("wrapped key", wrapped)?;
                if let Some(key) = unwrap(&wrapping, &nonce, &wrapped, &aad("town", &self.slots.id))
                {
                    return Ok(key);
                }
            }
        }
        Err(Error::refused(
            ErrorKind::WrongPassphrase,
            "这本台账没有为本镇保存的恢复钥匙，无法用镇里的钥匙打开",
        ))
    }

    /// Replaces the passphrase slots with one for `passphrase`; the book is not re-encrypted.
    pub(crate) fn change_passphrase(&mut self, key: &BookKey, passphrase: &str) -> Result<()> {
        check_passphrase(passphrase)?;
        let new = Slot::passphrase(key, passphrase, &self.slots.id)?;
        self.slots
            .slots
            .retain(|slot| !matches!(slot, Slot::Passphrase { .. }));
        self.slots.slots.insert(0, new);
        self.write()
    }

    /// Seals the book key to the town (once it is enrolled), replacing an earlier town slot.
    pub(crate) fn set_town(&mut self, key: &BookKey, town: &str, seal: &PublicKey) -> Result<()> {
        let new = Slot::town(key, town, seal, &self.slots.id)?;
        self.slots
            .slots
            .retain(|slot| !matches!(slot, Slot::Town { .. }));
        self.slots.slots.push(new);
        self.write()
    }

    /// The town the book key is sealed to, if any.
    pub(crate) fn town(&self) -> Option<&str> {
        self.slots.slots.iter().find_map(|slot| match slot {
            Slot::Town { town, .. } => Some(town.as_str()),
            Slot::Passphrase { .. } => None,
        })
    }

    fn encoded(&self) -> Result<Vec<u8>> {
        serde_json::to_vec_pretty(&self.slots).map_err(|err| Error::Internal(err.to_string()))
    }

    /// Writes the same slots to `path` (a backup's), which must not exist yet.
    pub(crate) fn copy_to(&self, path: &Path) -> Result<()> {
        let json = self.encoded()?;
        let mut file = private_file(path)?;
        file.write_all(&json)?;
        file.sync_all()?;
        Ok(())
    }

    /// Writes the slots atomically (a new file, synced, renamed over the old), mode 0600.
    fn write(&self) -> Result<()> {
        let json = self.encoded()?;
        let temporary = beside(&self.path, ".new");
        let _ = std::fs::remove_file(&temporary);
        let mut file = private_file(&temporary)?;
        file.write_all(&json)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&temporary, &self.path)?;
        Ok(())
    }
}

/// Creates a new file that only its owner can read and write (0600 on Unix); refuses an
/// existing one.
pub(crate) fn private_file(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    Ok(options.open(path)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_passphrase_file_gives_its_first_line_as_notepad_saves_it() {
        let dir = tempfile::tempdir().unwrap();
        for (name, bytes) in [
            ("plain.txt", "东岭村2026年修渡槽\n".as_bytes().to_vec()),
            (
                "crlf.txt",
                "东岭村2026年修渡槽\r\n第二行\r\n".as_bytes().to_vec(),
            ),
            (
                "bom.txt",
                "\u{feff}东岭村2026年修渡槽\r\n".as_bytes().to_vec(),
            ),
        ] {
            let file = dir.path().join(name);
            std::fs::write(&file, bytes).unwrap();
            let given = given_passphrase(Some(&file)).unwrap().unwrap();
            assert_eq!(given.as_str(), "东岭村2026年修渡槽", "{name}");
        }
        let empty = dir.path().join("bom-only.txt");
        std::fs::write(&empty, "\u{feff}\r\n").unwrap();
        let err = given_passphrase(Some(&empty)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadInput);
    }

    #[test]
    fn a_passphrase_opens_its_slot_and_nothing_else_does() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("dl.db");
        let key = BookKey::random().unwrap();
        let slots = KeySlots::create(&book, &key, "东岭村2026年修渡槽").unwrap();
        let read = KeySlots::read(&book).unwrap();
        assert_eq!(read.slots, slots.slots);
        let opened = read.unlock("东岭村2026年修渡槽").unwrap();
        assert_eq!(*opened.0, *key.0);
        let err = read.unlock("东岭村2026年修渡漕").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WrongPassphrase);
    }

    /// A town slot's wrapped key pasted into a passphrase slot opens nothing.
    #[test]
    fn a_wrapped_key_does_not_open_from_another_slot() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("dl.db");
        let key = BookKey::random().unwrap();
        let mut slots = KeySlots::create(&book, &key, "东岭村2026年修渡槽").unwrap();
        let town = StaticSecret::from(random_32().unwrap());
        slots.set_town(&key, "QX", &PublicKey::from(&town)).unwrap();
        let Slot::Passphrase { nonce, wrapped, .. } = slots.slots.slots[0].clone() else {
            panic!("a passphrase slot first")
        };
        let Slot::Town {
            town: code,
            ephemeral,
            ..
        } = slots.slots.slots[1].clone()
        else {
            panic!("a town slot second")
        };
        slots.slots.slots[1] = Slot::Town {
            town: code,
            ephemeral,
            nonce,
            wrapped,
        };
        slots.write().unwrap();
        let err = KeySlots::read(&book)
            .unwrap()
            .unlock_for_town(&town)
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WrongPassphrase);
    }

    #[test]
    fn the_town_slot_opens_with_the_towns_key_only() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("dl.db");
        let key = BookKey::random().unwrap();
        let mut slots = KeySlots::create(&book, &key, "东岭村2026年修渡槽").unwrap();
        let town = StaticSecret::from(random_32().unwrap());
        let stranger = StaticSecret::from(random_32().unwrap());
        slots.set_town(&key, "QX", &PublicKey::from(&town)).unwrap();
        let read = KeySlots::read(&book).unwrap();
        assert_eq!(read.town(), Some("QX"));
        assert_eq!(*read.unlock_for_town(&town).unwrap().0, *key.0);
        let err = read.unlock_for_town(&stranger).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::WrongPassphrase);
    }

    #[test]
    fn a_new_passphrase_rewraps_the_same_key() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("dl.db");
        let key = BookKey::random().unwrap();
        let mut slots = KeySlots::create(&book, &key, "东岭村2026年修渡槽").unwrap();
        slots
            .change_passphrase(&key, "清溪镇人大联络站密码")
            .unwrap();
        let read = KeySlots::read(&book).unwrap();
        assert_eq!(*read.unlock("清溪镇人大联络站密码").unwrap().0, *key.0);
        assert_eq!(
            read.unlock("东岭村2026年修渡槽").unwrap_err().kind(),
            ErrorKind::WrongPassphrase
        );
    }

    #[test]
    fn weak_passphrases_are_refused_with_a_hint() {
        for weak in [
            "1234567", "12345678", "aaaaaaaa", "abababab", "87654321", "20261204",
        ] {
            let err = check_passphrase(weak).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Invalid, "{weak}");
            assert_eq!(err.field(), Some("passphrase"));
        }
        for fine in ["东岭村2026年修渡槽", "qingxi-dl-7391", "729183640512"] {
            check_passphrase(fine).unwrap();
        }
    }

    #[test]
    fn a_hostile_cost_is_refused_before_any_work() {
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("dl.db");
        let key = BookKey::random().unwrap();
        KeySlots::create(&book, &key, "东岭村2026年修渡槽").unwrap();
        let path = slots_path(&book);
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("\"memory_kib\": 65536", "\"memory_kib\": 4000000000");
        std::fs::write(&path, text).unwrap();
        let err = KeySlots::read(&book)
            .unwrap()
            .unlock("东岭村2026年修渡槽")
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Storage);
    }

    #[cfg(unix)]
    #[test]
    fn the_slots_file_is_the_owners_only() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let book = dir.path().join("dl.db");
        KeySlots::create(&book, &BookKey::random().unwrap(), "东岭村2026年修渡槽").unwrap();
        let mode = std::fs::metadata(slots_path(&book))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
}
