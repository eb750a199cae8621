//! This book's keys: Ed25519 to sign what it sends, X25519 to open what is sealed to it.
//! The private halves stay in the book and are never printed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{SigningKey, VerifyingKey};
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use x25519_dalek::{PublicKey, StaticSecret};

use crate::error::{Error, Result};

/// The private keys of a book.
pub struct OwnKeys {
    /// Signs bundles and receipts.
    pub sign: SigningKey,
    /// Opens bundles sealed to this book.
    pub seal: StaticSecret,
}

impl std::fmt::Debug for OwnKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OwnKeys(…)")
    }
}

/// What `keys show` prints: the public halves, base64 (standard alphabet, padded).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PublicKeys {
    /// The book's origin code.
    pub origin: String,
    /// Ed25519 verifying key.
    pub sign_public: String,
    /// X25519 public key.
    pub seal_public: String,
}

/// 32 bytes from the operating system's random source.
pub(crate) fn random_32() -> Result<[u8; 32]> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|err| {
        Error::Internal(format!("no randomness from the operating system: {err}"))
    })?;
    Ok(bytes)
}

/// The symmetric key for bytes sealed to `recipient` with an ephemeral X25519 key: HKDF-SHA256
/// over the shared secret, salted with both public keys. `info` keeps each use apart (a bundle's
/// payload, a book key's town slot).
pub(crate) fn sealing_key(
    info: &[u8],
    shared: &[u8; 32],
    ephemeral: &PublicKey,
    recipient: &PublicKey,
) -> Result<[u8; 32]> {
    let mut salt = [0u8; 64];
    salt[..32].copy_from_slice(ephemeral.as_bytes());
    salt[32..].copy_from_slice(recipient.as_bytes());
    let mut key = [0u8; 32];
    hkdf::Hkdf::<sha2::Sha256>::new(Some(&salt), shared)
        .expand(info, &mut key)
        .map_err(|_| Error::Internal("HKDF output length".into()))?;
    Ok(key)
}

impl OwnKeys {
    /// Loads the book's keys, making them on first use.
    pub(crate) fn load_or_create(conn: &Connection) -> Result<OwnKeys> {
        let stored: Option<(Vec<u8>, Vec<u8>)> = conn
            .query_row(
                "SELECT sign_secret, seal_secret FROM own_keys WHERE id = 1",
                [],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        let (sign, seal) = match stored {
            Some((sign, seal)) => (
                <[u8; 32]>::try_from(sign.as_slice())
                    .map_err(|_| Error::Corrupt("sign key".into()))?,
                <[u8; 32]>::try_from(seal.as_slice())
                    .map_err(|_| Error::Corrupt("seal key".into()))?,
            ),
            None => {
                let (sign, seal) = (random_32()?, random_32()?);
                conn.execute(
                    "INSERT INTO own_keys (id, sign_secret, seal_secret) VALUES (1, ?1, ?2)",
                    (sign.as_slice(), seal.as_slice()),
                )?;
                (sign, seal)
            }
        };
        Ok(OwnKeys {
            sign: SigningKey::from_bytes(&sign),
            seal: StaticSecret::from(seal),
        })
    }

    /// The public halves.
    pub fn public(&self, origin: &str) -> PublicKeys {
        PublicKeys {
            origin: origin.to_owned(),
            sign_public: STANDARD.encode(self.sign.verifying_key().as_bytes()),
            seal_public: STANDARD.encode(PublicKey::from(&self.seal).as_bytes()),
        }
    }
}

/// Decodes a base64 key of 32 bytes, naming the field in the refusal.
pub fn decode_key(field: &str, text: &str) -> Result<[u8; 32]> {
    let bytes = STANDARD
        .decode(text.trim())
        .map_err(|_| Error::invalid(format!("{field}不是有效的 base64 编码")))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| Error::invalid(format!("{field}长度不对：应为32字节")))
}

/// A peer's Ed25519 verifying key from its base64, checked to be a valid curve point: the one
/// parse for a key typed in at enrolment and one read back from the peers table.
pub(super) fn sign_public_key(text: &str) -> Result<VerifyingKey> {
    const FIELD: &str = "签名公钥";
    VerifyingKey::from_bytes(&decode_key(FIELD, text)?)
        .map_err(|_| Error::invalid(format!("{FIELD}不是有效的签名公钥")))
}

/// A peer's X25519 sealing key from its base64.
pub(super) fn seal_public_key(text: &str) -> Result<PublicKey> {
    decode_key("加密公钥", text).map(PublicKey::from)
}
