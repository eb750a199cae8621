//! What a compromised station could send: bundles signed and sealed with its own keys whose
//! payload the writer would never make (a zstd bomb).

use std::path::Path;

use casebook::Book;
use casebook::bundle::format::{FORMAT_VERSION, Payload, Seal, write, write_compressed};
use casebook::bundle::keys::decode_key;
use ed25519_dalek::SigningKey;

/// A station that edits its own book's file: replaces `from` by `to` in every reception its
/// log holds (an unencrypted test book), so that its next bundle carries the edit signed.
pub fn rewrite_receptions(path: &Path, from: &str, to: &str) {
    rusqlite::Connection::open(path)
        .unwrap()
        .execute(
            "UPDATE change_log SET data = replace(data, ?1, ?2) WHERE entity = 'reception'",
            [from, to],
        )
        .unwrap();
}

/// The signing key of the book at `path`, read from its file (test books only).
pub fn signing_key(path: &Path) -> SigningKey {
    let secret: Vec<u8> = rusqlite::Connection::open(path)
        .expect("book file")
        .query_row("SELECT sign_secret FROM own_keys WHERE id = 1", [], |row| {
            row.get(0)
        })
        .expect("own keys");
    SigningKey::from_bytes(&secret.try_into().expect("a 32-byte key"))
}

/// The sealing (decryption) key of the book at `path`, read from its file (test books only):
/// to look inside what was sealed to it.
pub fn seal_secret(path: &Path) -> x25519_dalek::StaticSecret {
    let secret: Vec<u8> = rusqlite::Connection::open(path)
        .expect("book file")
        .query_row("SELECT seal_secret FROM own_keys WHERE id = 1", [], |row| {
            row.get(0)
        })
        .expect("own keys");
    let secret: [u8; 32] = secret.try_into().expect("a 32-byte key");
    x25519_dalek::StaticSecret::from(secret)
}

/// A bundle from `from` (its file at `from_path`) to `to` over seqs `range`, properly signed
/// and sealed, whose payload is `compressed` as it is (declared as no changes, no receipts).
pub fn seal_compressed(
    from: &Book,
    from_path: &Path,
    to: &Book,
    compressed: &[u8],
    range: (i64, i64),
) -> Vec<u8> {
    sealed_by(from, from_path, to, range, 0, |seal, key| {
        write_compressed(seal, compressed, (0, 0), key)
    })
}

/// A bundle from `from` (its file at `from_path`) to `to` over seqs `range` carrying `payload`
/// as it is, properly signed and sealed: whatever a compromised peer chooses to send.
pub fn seal_payload(
    from: &Book,
    from_path: &Path,
    to: &Book,
    payload: &Payload,
    range: (i64, i64),
) -> Vec<u8> {
    seal_payload_as(FORMAT_VERSION, from, from_path, to, payload, range)
}

/// [`seal_payload`] in format `version`, whatever the payload holds: a peer claiming to run
/// an older release, or one that did.
pub fn seal_payload_as(
    version: u16,
    from: &Book,
    from_path: &Path,
    to: &Book,
    payload: &Payload,
    range: (i64, i64),
) -> Vec<u8> {
    let returned = payload.returned.len() as u64;
    sealed_by(from, from_path, to, range, returned, |seal, key| {
        let seal = Seal {
            version,
            ..seal.clone()
        };
        write(&seal, payload, key)
    })
}

/// The seal of a bundle from `from` to `to` with `from`'s own signing key, handed to `write`.
fn sealed_by(
    from: &Book,
    from_path: &Path,
    to: &Book,
    range: (i64, i64),
    returned: u64,
    write: impl FnOnce(&Seal<'_>, &SigningKey) -> casebook::Result<Vec<u8>>,
) -> Vec<u8> {
    let seal_public = decode_key("k", &to.public_keys().seal_public).expect("seal key");
    let seal = Seal {
        schema_version: casebook::store::LOG_VERSION,
        origin: &from.origin().code,
        recipient: &to.origin().code,
        recipient_seal: &x25519_dalek::PublicKey::from(seal_public),
        seq_range: range,
        prev_hash: None,
        created_at: casebook::time::stored(casebook::time::china_now()),
        returned,
        relayed: 0,
        version: FORMAT_VERSION,
    };
    write(&seal, &signing_key(from_path)).expect("seal")
}

/// The payload JSON a bomb starts with: valid, and empty.
pub const BOMB_PREFIX: &[u8] = br#"{"changes":[],"receipts":[]}"#;

/// A zstd frame of [`BOMB_PREFIX`] followed by `spaces` spaces (still valid JSON), declaring
/// `declared` as its size (or no size). Run-length blocks of 128 KiB take 4 bytes each, so a
/// 16 GiB bomb is 512 KiB, made without ever holding its output.
pub fn zstd_bomb(spaces: u64, declared: Option<u64>) -> Vec<u8> {
    const BLOCK: u64 = 128 * 1024;
    // Magic; frame header: an 8-byte content size or none, a 128 KiB window.
    let mut frame = vec![0x28, 0xB5, 0x2F, 0xFD];
    frame.push(if declared.is_some() { 0xC0 } else { 0x00 });
    frame.push(7 << 3);
    if let Some(size) = declared {
        frame.extend_from_slice(&size.to_le_bytes());
    }
    let block_header = |last: bool, kind: u32, size: u64| {
        let size = u32::try_from(size).expect("block size");
        let word = u32::from(last) | (kind << 1) | (size << 3);
        word.to_le_bytes()[..3].to_vec()
    };
    frame.extend(block_header(spaces == 0, 0, BOMB_PREFIX.len() as u64));
    frame.extend_from_slice(BOMB_PREFIX);
    let mut left = spaces;
    while left > 0 {
        let run = left.min(BLOCK);
        left -= run;
        frame.extend(block_header(left == 0, 1, run));
        frame.push(b' ');
    }
    frame
}
