//! A station still on the release before bundle format 3 (log version 9; it reads and writes
//! formats 1 and 2 only), as far as a town at this version can tell: the bundles that release
//! wrote, made through a book's own sealing path in the older format with that release's log
//! version in the header, and that release's reader of what comes back — the format version,
//! the header, receipts and the hub's answer decoded strictly, as it decoded them, so that a
//! field it does not know (a receipt's `last_entry`) is refused as it refused it.

use std::path::Path;

use casebook::Book;
use casebook::bundle::format::{self, LastEntry, Seal};
use casebook::bundle::keys::decode_key;
use ed25519_dalek::VerifyingKey;
use serde::Deserialize;
use x25519_dalek::StaticSecret;

use crate::hostile::{seal_secret, signing_key};

/// The newest bundle format that release reads and writes.
pub const NEWEST_FORMAT: u16 = 2;
/// Its log version: a bundle whose header says more is kept aside there until it is upgraded.
pub const LOG_VERSION: i64 = 9;

/// What migration 013 makes of `peer` in the book at `path` when it upgrades a book that
/// enrolled it before: known to read formats 1 and 2, so it is written format 1 (or 2 with
/// returned changes), receipts without the hash, until a bundle of its own shows more.
pub fn enrolled_before_the_upgrade(path: &Path, peer: &str) {
    let changed = rusqlite::Connection::open(path)
        .expect("book file")
        .execute(
            "UPDATE peers SET format_version = 1 WHERE code = ?1",
            [peer],
        )
        .expect("peers");
    assert_eq!(changed, 1, "{peer} is enrolled");
}

/// The bundle the station book `from` (its file at `from_path`) would have written to `to`
/// (its file at `to_path`) on the previous release: sealed through the book's own path in the
/// older format (its changes, its receipt without the hash, signed as that release signed it),
/// its header saying that release's log version; recorded as sent. `None` when there is
/// nothing new.
pub fn seal_bundle(
    from: &mut Book,
    from_path: &Path,
    to: &Book,
    to_path: &Path,
) -> Option<Vec<u8>> {
    let code = to.origin().code.clone();
    enrolled_before_the_upgrade(from_path, &code);
    let sealed = from.seal_bundle(&code).expect("seal")?;
    from.record_export(&code, &sealed).expect("record");
    let parsed = format::parse(&sealed.bytes).expect("a bundle");
    assert!(parsed.version <= NEWEST_FORMAT, "sealed in an older format");
    let compressed =
        format::verify_and_decrypt(&parsed, &verifying_key(from), &seal_secret(to_path))
            .expect("sealed to the recipient");
    let json = format::decompress(&compressed, format::MAX_PAYLOAD_LEN).expect("a payload");
    let header = &parsed.header;
    let recipient_seal = decode_key("k", &to.public_keys().seal_public).expect("seal key");
    let seal = Seal {
        schema_version: LOG_VERSION,
        origin: &header.origin,
        recipient: &header.recipient,
        recipient_seal: &x25519_dalek::PublicKey::from(recipient_seal),
        seq_range: (header.from_seq, header.to_seq),
        prev_hash: header.prev_hash.clone(),
        created_at: header.created_at.clone(),
        returned: header.returned,
        relayed: 0,
        version: parsed.version,
    };
    let counts = (header.changes, header.receipts);
    Some(format::write_json(&seal, &json, counts, &signing_key(from_path)).expect("seal"))
}

/// A receipt as that release decodes it: no field beyond these.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// Who holds the changes.
    pub issuer: String,
    /// Whose changes.
    pub origin: String,
    /// Everything up to this seq is held.
    pub acked_to: i64,
    /// Ranges still missing.
    pub missing: Vec<(i64, i64)>,
    /// When.
    pub issued_at: String,
    /// Signature over the "liaison-receipt v1" text.
    pub signature: String,
}

impl Receipt {
    /// Checks the signature as that release did: over the version-1 text, the only one it
    /// knew.
    pub fn verify(&self, issuer: &VerifyingKey) -> casebook::Result<()> {
        format::Receipt {
            issuer: self.issuer.clone(),
            origin: self.origin.clone(),
            acked_to: self.acked_to,
            missing: self.missing.clone(),
            issued_at: self.issued_at.clone(),
            last_entry: None::<LastEntry>,
            signature: self.signature.clone(),
        }
        .verify(issuer)
    }
}

/// The hub's answer to an upload as that release decodes it.
#[derive(Debug, Clone, Deserialize)]
pub struct UploadAnswer {
    /// What the import did (not checked field by field there either).
    pub imported: serde_json::Value,
    /// The town's receipt.
    pub receipt: Option<Receipt>,
}

/// A bundle's payload as that release decodes it (changes are left as JSON: what they hold is
/// a matter of the log version, not of the format).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    /// Changes of the sender's log.
    pub changes: Vec<serde_json::Value>,
    /// Receipts.
    pub receipts: Vec<Receipt>,
    /// The recipient's own changes carried back.
    #[serde(default)]
    pub returned: Vec<serde_json::Value>,
}

/// What that release makes of a bundle it was sent.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The format version of the file.
    pub version: u16,
    /// Its payload, decoded as that release decodes it.
    pub payload: Payload,
    /// Its header's log version is above [`LOG_VERSION`]: that release keeps the file aside
    /// (nothing applied, nothing refused) and takes its changes once upgraded.
    pub kept_as_newer: bool,
}

/// Reads `bytes` as that release reads a bundle sealed to `recipient` and signed by `sender`:
/// a version above [`NEWEST_FORMAT`] is refused before anything else, with its message.
///
/// # Errors
/// The refusal that release would give, in its words where they are known.
pub fn read_bundle(
    bytes: &[u8],
    sender: &VerifyingKey,
    recipient: &StaticSecret,
) -> Result<Reading, String> {
    let version = match bytes.get(8..10) {
        Some(&[low, high]) => u16::from_le_bytes([low, high]),
        _ => return Err("同步包无效：不是同步包文件，或文件不完整".into()),
    };
    if version > NEWEST_FORMAT {
        return Err(format!("同步包无效：格式版本 {version} 不受支持"));
    }
    // The layout, the header and the rule on returned changes are as they were then.
    let parsed = format::parse(bytes).map_err(|err| err.to_string())?;
    let compressed =
        format::verify_and_decrypt(&parsed, sender, recipient).map_err(|err| err.to_string())?;
    let json =
        format::decompress(&compressed, format::MAX_PAYLOAD_LEN).map_err(|err| err.to_string())?;
    let payload: Payload = serde_json::from_slice(&json)
        .map_err(|err| format!("同步包无效：内容格式不正确（{err}）"))?;
    for receipt in &payload.receipts {
        receipt.verify(sender).map_err(|err| err.to_string())?;
    }
    Ok(Reading {
        version,
        payload,
        kept_as_newer: parsed.header.schema_version > LOG_VERSION,
    })
}

/// Reads the hub's answer as that release's sync client reads it: a receipt with a field it
/// does not know fails the parse, and the client takes the hub for unreachable.
///
/// # Errors
/// The parse's error.
pub fn read_answer(json: &[u8]) -> Result<UploadAnswer, serde_json::Error> {
    serde_json::from_slice(json)
}

/// A book's signing key from its public keys.
pub fn verifying_key(book: &Book) -> VerifyingKey {
    let bytes = decode_key("k", &book.public_keys().sign_public).expect("a signing key");
    VerifyingKey::from_bytes(&bytes).expect("a valid key")
}
