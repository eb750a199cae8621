//! The bundle file, byte by byte (docs/bundle-format.md):
//!
//! ```text
//! magic "LSBUNDLE" (8) | format version u16 LE (2) | header length u32 LE (4) | header (JSON)
//! | ciphertext (header.payload_len bytes) | Ed25519 signature (64)
//! ```
//!
//! The ciphertext is XChaCha20-Poly1305 over the zstd-compressed payload JSON, with the
//! magic, version, length and header as associated data, under a key derived (HKDF-SHA256) from
//! an ephemeral X25519 key and the recipient's sealing key. The signature covers every byte
//! before it. [`parse`] checks the framing only; [`open`] verifies and decrypts.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit, Payload as AeadPayload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;
use x25519_dalek::{PublicKey, StaticSecret};

use super::keys::random_32;
use crate::change::LogEntry;
use crate::error::{Error, ErrorKind, Result};

/// First bytes of every bundle.
pub const MAGIC: &[u8; 8] = b"LSBUNDLE";
/// The newest version of this layout: 3, whose receipts name the hash of the last entry they
/// cover ([`Receipt::last_entry`]), so that a reader before it, which would take the receipt
/// without the hash, refuses the whole file instead. Written to every peer that reads it
/// ([`version_for`]).
pub const FORMAT_VERSION: u16 = 3;
/// The oldest version read, and written to a peer that reads no newer one when nothing goes
/// back to it: what a writer before version 3 made of a bundle with nothing returned (every
/// bundle of a station). Its receipts carry no hash.
pub const PLAIN_VERSION: u16 = 1;
/// What a writer before version 3 made of a bundle that carries returned changes; those
/// writers read versions 1 and 2 (the release that brought returned changes brought it).
pub const RETURNED_VERSION: u16 = 2;
/// The first version whose receipts name the last entry by its hash: a receipt goes without
/// it in a bundle of an older version (or the hub's answer to one), for a reader that knows
/// no such field.
pub const HASHED_RECEIPTS_VERSION: u16 = 3;
/// A town's bundle to its county: version 3 and the stations' bundles it relays
/// ([`Payload::relay`]). Written only to the county a town relays to; a reader before it
/// refuses the whole file rather than drop what it cannot read.
pub const RELAY_VERSION: u16 = 4;
/// The newest version this build reads.
pub const NEWEST_READ_VERSION: u16 = RELAY_VERSION;

/// The first log version (`store::LOG_VERSION`, migration 010) of a release that reads format
/// 3: every writer of it or a later one reads 3, whatever format it wrote.
pub const FIRST_LOG_VERSION_READING_3: i64 = 10;

/// The newest format the sender of a bundle of format `version`, whose header says log version
/// `schema_version`, is known to read: the format it wrote, and 3 for a writer of log version
/// 10 or later. So an upgraded book that writes an older format to a peer it does not yet know
/// to be upgraded still tells the peer that it reads 3, and the two do not go on writing the
/// older format to each other for ever.
pub fn reads_at_least(version: u16, schema_version: i64) -> u16 {
    if schema_version >= FIRST_LOG_VERSION_READING_3 {
        version.max(HASHED_RECEIPTS_VERSION)
    } else {
        version
    }
}

/// The version to write to a peer known to read `known` at newest ([`reads_at_least`] of its
/// bundles; `None`: none came yet), for a bundle that carries returned changes or not.
///
/// A peer known at 3 or later reads 3; so does one not heard from yet, since a peer enrolled
/// now runs this version or a later one (peers enrolled before it are known at 1 from
/// migration 013). A peer known only at 1 or 2 runs a release before 3, which reads 1 and 2
/// and wrote 2 exactly when it returned changes, 1 otherwise: it gets the same. A station's
/// own bundles are always version 1 there, so a station known at 1 gets version 2 when
/// changes go back to it: the release that reads returned changes reads it, and an older one
/// could not take them in any version.
pub fn version_for(known: Option<u16>, returned: bool) -> u16 {
    match known {
        Some(known) if known < HASHED_RECEIPTS_VERSION => {
            if returned {
                RETURNED_VERSION
            } else {
                PLAIN_VERSION
            }
        }
        _ => FORMAT_VERSION,
    }
}
const SIGNATURE_LEN: usize = 64;
/// Headers are small; a larger length field means a damaged file.
const MAX_HEADER_LEN: usize = 64 * 1024;
/// Most a payload may decompress to when the reader sets no lower cap (a book's own import:
/// `casebook bundle import`, a station's pulls). Far above any station's year, which is a few
/// MB of JSON; the 150,000-reception benchmark bundle is 483 MiB.
pub const MAX_PAYLOAD_LEN: usize = 1024 * 1024 * 1024;
const HKDF_INFO: &[u8] = b"liaison-station bundle v1";
/// Highest seq a log may reach (a trillion changes): numbers beyond it are a forged header, and
/// refusing them keeps every `seq + 1` far from overflow.
pub const MAX_SEQ: i64 = 1 << 40;
/// Most missing ranges one receipt may name.
const MAX_MISSING_RANGES: usize = 10_000;

/// The header: readable without keys, authenticated by the AEAD and the signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// Schema version of the book that made the bundle.
    pub schema_version: i64,
    /// Sending origin.
    pub origin: String,
    /// Receiving origin.
    pub recipient: String,
    /// Unique id of this bundle.
    pub bundle_id: Uuid,
    /// First seq of the sender's log covered (changes not meant for the recipient are left out).
    pub from_seq: i64,
    /// Last seq covered; `from_seq - 1` when the bundle carries only receipts.
    pub to_seq: i64,
    /// SHA-256 (hex) of the previous bundle file to the same recipient.
    pub prev_hash: Option<String>,
    /// Changes in the payload.
    pub changes: u64,
    /// Receipts in the payload.
    pub receipts: u64,
    /// The recipient's own changes carried back to it (format versions 2 and later).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub returned: u64,
    /// Stations' bundles a town relays to its county (format version 4).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub relayed: u64,
    /// When it was sealed (RFC 3339).
    pub created_at: String,
    /// Ephemeral X25519 public key (base64).
    pub ephemeral_public: String,
    /// XChaCha20-Poly1305 nonce (base64, 24 bytes).
    pub nonce: String,
    /// Ciphertext length in bytes.
    pub payload_len: u64,
    /// SHA-256 (hex) of the compressed payload.
    pub payload_sha256: String,
}

/// A receipt: what `issuer` holds of `origin`'s log, signed by the issuer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Receipt {
    /// Who holds the changes.
    pub issuer: String,
    /// Whose changes.
    pub origin: String,
    /// Everything up to this seq is held.
    pub acked_to: i64,
    /// Ranges after `acked_to` still missing before bundles that are waiting.
    pub missing: Vec<(i64, i64)>,
    /// When it was issued (RFC 3339).
    pub issued_at: String,
    /// The last entry of `origin`'s log the issuer holds, up to `acked_to`, by its hash: the
    /// side whose log it is notices at once when its own entry there is another (its log
    /// diverged: a book restored from an older copy that then recorded more). Absent when the
    /// issuer holds none, in receipts of writers before format 3, and in those this version
    /// writes for a reader before it (a bundle of format 1 or 2, the hub's answer to one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_entry: Option<LastEntry>,
    /// Ed25519 signature (base64) of the issuer over [`Receipt::signed_bytes`].
    pub signature: String,
}

/// A receipt's [`Receipt::last_entry`]: which entry, and its [`entry_sha256`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LastEntry {
    /// Its seq, at most the receipt's `acked_to`: a station holds only the town's changes
    /// meant for it, so the town's `acked_to` itself may not be one it holds.
    pub seq: i64,
    /// The issuer's log version (`store::LOG_VERSION`), whose encoding of the record was
    /// hashed: a book of another version may encode the same record otherwise (a field added
    /// with its default), so it does not compare.
    pub log_version: i64,
    /// SHA-256 (hex, lower case) of the entry's canonical text ([`entry_sha256`]).
    pub sha256: String,
}

/// The hash a receipt names for one log entry: SHA-256 (hex) of the UTF-8 text
/// `"liaison-entry v1\n{origin}\n{seq}\n{hlc}\n{op}\n{record}"`, where `record` is the
/// record's JSON as this version encodes it, a confidential visit's visitors withheld: the form
/// both books hold of the same entry (the town never has the visitor's identity).
pub fn entry_sha256(origin: &str, seq: i64, hlc: i64, op: &str, record: &str) -> String {
    let text = format!("liaison-entry v1\n{origin}\n{seq}\n{hlc}\n{op}\n{record}");
    hex(&Sha256::digest(text.as_bytes()))
}

impl Receipt {
    /// The bytes the signature covers: every field but the signature, in a fixed layout. A
    /// receipt without a last entry is signed as version 1 wrote it, so that one can still
    /// reach an older reader (the hub's answer to a station not yet upgraded).
    pub fn signed_bytes(&self) -> Vec<u8> {
        let missing: Vec<String> = self
            .missing
            .iter()
            .map(|(a, b)| format!("{a}-{b}"))
            .collect();
        let fields = format!(
            "{}\n{}\n{}\n{}\n{}",
            self.issuer,
            self.origin,
            self.acked_to,
            missing.join(","),
            self.issued_at
        );
        match &self.last_entry {
            None => format!("liaison-receipt v1\n{fields}"),
            Some(last) => format!(
                "liaison-receipt v2\n{fields}\n{}\n{}\n{}",
                last.seq, last.log_version, last.sha256
            ),
        }
        .into_bytes()
    }

    /// Signs the receipt.
    pub fn sign(mut self, key: &SigningKey) -> Receipt {
        self.signature = STANDARD.encode(key.sign(&self.signed_bytes()).to_bytes());
        self
    }

    /// Refuses numbers no real log reaches, before any is used in arithmetic.
    pub fn check_bounds(&self) -> Result<()> {
        let sane = |seq: i64| (0..=MAX_SEQ).contains(&seq);
        let ranges_ok = self.missing.len() <= MAX_MISSING_RANGES
            && self
                .missing
                .iter()
                .all(|&(from, to)| sane(from) && sane(to) && 1 <= from && from <= to);
        let last_ok = self.last_entry.as_ref().is_none_or(|last| {
            (1..=self.acked_to).contains(&last.seq)
                && (0..=MAX_SEQ).contains(&last.log_version)
                && last.sha256.len() == 64
                && last
                    .sha256
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        if sane(self.acked_to) && ranges_ok && last_ok {
            Ok(())
        } else {
            Err(bad("回执中的变更编号超出范围"))
        }
    }

    /// Checks the issuer's signature.
    pub fn verify(&self, key: &VerifyingKey) -> Result<()> {
        let signature = STANDARD
            .decode(&self.signature)
            .ok()
            .and_then(|bytes| Signature::from_slice(&bytes).ok())
            .ok_or_else(|| bad("回执签名格式不正确"))?;
        key.verify(&self.signed_bytes(), &signature)
            .map_err(|_| bad("回执签名验证失败，可能被篡改"))
    }
}

/// What a bundle carries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Payload {
    /// Changes of the sender's log, in seq order.
    pub changes: Vec<LogEntry>,
    /// Receipts for the recipient's own changes.
    pub receipts: Vec<Receipt>,
    /// The recipient's own changes as the sender holds them, in seq order: what the town sends
    /// back to a station that lost them (a new PC, a restore from an older backup).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub returned: Vec<LogEntry>,
    /// What a town relays to its county (format version 4): its stations' keys and bundles.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relay: Option<Relay>,
}

/// A town's relay to its county: the signing key of each station it enrolled, and the
/// stations' bundles as they reached it, which the county checks against those keys.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Relay {
    /// The town's enrolled stations.
    pub stations: Vec<RelayedStation>,
    /// Stations' bundles, in the order they are applied.
    pub units: Vec<RelayUnit>,
}

/// A station a town vouches for to its county.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayedStation {
    /// Its origin code.
    pub code: String,
    /// Its Ed25519 verifying key (base64).
    pub sign_public: String,
}

/// One station bundle relayed: the file as the town received it (signed by the station,
/// sealed to the town) and its compressed payload, which the town decrypted and which the
/// station's signed header names by `payload_sha256`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RelayUnit {
    /// The bundle file (base64).
    pub file: String,
    /// Its compressed payload (base64).
    pub payload: String,
}

fn is_zero(count: &u64) -> bool {
    *count == 0
}

/// A `bad_bundle` refusal: every one says 同步包无效 first.
pub(super) fn bad(message: &str) -> Error {
    Error::refused(ErrorKind::BadBundle, format!("同步包无效：{message}"))
}

/// A bundle whose framing is intact; nothing is verified yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<'a> {
    /// The format version (authenticated only once the signature is verified).
    pub version: u16,
    /// The header.
    pub header: Header,
    /// Magic, version, length and header: the AEAD's associated data.
    pub associated: &'a [u8],
    /// The ciphertext.
    pub ciphertext: &'a [u8],
    /// Everything the signature covers.
    pub signed: &'a [u8],
    /// The signature.
    pub signature: &'a [u8],
}

/// Bytes before the header: magic, format version, header length.
pub const PREFIX_LEN: usize = 8 + 2 + 4;

/// Checks the magic and version of a bundle's first [`PREFIX_LEN`] bytes and returns its header
/// length, so a reader of a stream can refuse a stranger's file before reading on.
pub fn header_len(prefix: &[u8]) -> Result<usize> {
    if prefix.len() < PREFIX_LEN || &prefix[..8] != MAGIC {
        return Err(bad("不是同步包文件，或文件不完整"));
    }
    let version = u16::from_le_bytes([prefix[8], prefix[9]]);
    if version > NEWEST_READ_VERSION {
        return Err(bad(&format!(
            "格式版本 {version} 不受支持（由较新版本的软件生成，请安装新版本后再导入）"
        )));
    }
    if version < PLAIN_VERSION {
        return Err(bad(&format!("格式版本 {version} 不受支持")));
    }
    let header_len = u32::from_le_bytes([prefix[10], prefix[11], prefix[12], prefix[13]]) as usize;
    if header_len > MAX_HEADER_LEN {
        return Err(bad("文件头长度不对，文件可能被截断"));
    }
    Ok(header_len)
}

/// Reads the header JSON (not yet authenticated).
pub fn parse_header(json: &[u8]) -> Result<Header> {
    let header: Header = serde_json::from_slice(json).map_err(|_| bad("文件头损坏"))?;
    // The codes are read before anything is verified and may be logged: a hostile header must
    // not carry escape sequences or megabytes into a log.
    for code in [&header.origin, &header.recipient] {
        if crate::store::origin_code(code).ok().as_ref() != Some(code) {
            return Err(bad("文件头中的站点代码不合规（应为1至8位大写字母或数字）"));
        }
    }
    Ok(header)
}

/// The whole file's length for a header of `header_len` bytes, as the header declares it;
/// `None` when it does not fit in a `u64`.
pub fn file_len(header_len: usize, header: &Header) -> Option<u64> {
    u64::try_from(PREFIX_LEN + header_len + SIGNATURE_LEN)
        .ok()
        .and_then(|len| len.checked_add(header.payload_len))
}

/// Checks the framing and reads the header. Refuses truncated, extended or damaged files.
pub fn parse(bytes: &[u8]) -> Result<Parsed<'_>> {
    if bytes.len() < PREFIX_LEN + SIGNATURE_LEN {
        return Err(bad("不是同步包文件，或文件不完整"));
    }
    let header_len = header_len(bytes)?;
    if PREFIX_LEN + header_len + SIGNATURE_LEN > bytes.len() {
        return Err(bad("文件头长度不对，文件可能被截断"));
    }
    let header_end = PREFIX_LEN + header_len;
    let header = parse_header(&bytes[PREFIX_LEN..header_end])?;
    let version = u16::from_le_bytes([bytes[8], bytes[9]]);
    // Older writers wrote 2 exactly when they returned changes, 1 otherwise; 3 says nothing.
    // Only version 4 relays stations' bundles.
    let consistent = match version {
        PLAIN_VERSION => header.returned == 0,
        RETURNED_VERSION => header.returned > 0,
        _ => true,
    } && (version >= RELAY_VERSION || header.relayed == 0);
    if !consistent {
        return Err(bad(&format!(
            "格式版本 {version} 与内容不符（版本 {PLAIN_VERSION} 不带回本站记录，版本 {RETURNED_VERSION} 必须带回）"
        )));
    }
    if file_len(header_len, &header) != u64::try_from(bytes.len()).ok() {
        return Err(bad("文件长度与文件头不符，文件可能被截断或附加了内容"));
    }
    let signed_end = bytes.len() - SIGNATURE_LEN;
    Ok(Parsed {
        version,
        header,
        associated: &bytes[..header_end],
        ciphertext: &bytes[header_end..signed_end],
        signed: &bytes[..signed_end],
        signature: &bytes[signed_end..],
    })
}

fn sealing_key(
    shared: &[u8; 32],
    ephemeral: &PublicKey,
    recipient: &PublicKey,
) -> Result<[u8; 32]> {
    super::keys::sealing_key(HKDF_INFO, shared, ephemeral, recipient)
}

/// What goes into a new bundle besides the payload.
#[derive(Debug, Clone)]
pub struct Seal<'a> {
    /// Sender's schema version.
    pub schema_version: i64,
    /// Sender.
    pub origin: &'a str,
    /// Recipient.
    pub recipient: &'a str,
    /// Recipient's sealing key.
    pub recipient_seal: &'a PublicKey,
    /// Seq range covered.
    pub seq_range: (i64, i64),
    /// Hash of the previous bundle to this recipient.
    pub prev_hash: Option<String>,
    /// When (RFC 3339).
    pub created_at: String,
    /// How many of the recipient's own changes the payload carries back.
    pub returned: u64,
    /// How many stations' bundles the payload relays (version 4 only).
    pub relayed: u64,
    /// The format version to write ([`version_for`] the recipient): only the number in the
    /// file, the caller makes the payload fit it (no hash in receipts before version 3,
    /// nothing returned in version 1).
    pub version: u16,
}

/// Compresses, seals and signs a payload into bundle bytes.
pub fn write(seal: &Seal<'_>, payload: &Payload, signer: &SigningKey) -> Result<Vec<u8>> {
    let json = serde_json::to_vec(payload).map_err(|err| Error::Internal(err.to_string()))?;
    let counts = (payload.changes.len() as u64, payload.receipts.len() as u64);
    write_json(seal, &json, counts, signer)
}

/// Compresses, seals and signs payload JSON already made (with `counts` of changes and
/// receipts) into bundle bytes.
pub fn write_json(
    seal: &Seal<'_>,
    json: &[u8],
    counts: (u64, u64),
    signer: &SigningKey,
) -> Result<Vec<u8>> {
    // One frame that declares its content size, which `decompress` requires.
    let compressed = zstd::bulk::compress(json, 3)?;
    write_compressed(seal, &compressed, counts, signer)
}

/// Seals and signs a payload already compressed. [`write_json`] is the way to make a bundle;
/// this exists so tests can seal payloads the writer would never make (a zstd bomb).
pub fn write_compressed(
    seal: &Seal<'_>,
    compressed: &[u8],
    counts: (u64, u64),
    signer: &SigningKey,
) -> Result<Vec<u8>> {
    let ephemeral = StaticSecret::from(random_32()?);
    let ephemeral_public = PublicKey::from(&ephemeral);
    let shared = ephemeral.diffie_hellman(seal.recipient_seal);
    let key = sealing_key(shared.as_bytes(), &ephemeral_public, seal.recipient_seal)?;
    let nonce: [u8; 24] = random_32()?[..24]
        .try_into()
        .map_err(|_| Error::Internal("nonce".into()))?;
    let header = Header {
        schema_version: seal.schema_version,
        origin: seal.origin.to_owned(),
        recipient: seal.recipient.to_owned(),
        bundle_id: Uuid::now_v7(),
        from_seq: seal.seq_range.0,
        to_seq: seal.seq_range.1,
        prev_hash: seal.prev_hash.clone(),
        changes: counts.0,
        receipts: counts.1,
        returned: seal.returned,
        relayed: seal.relayed,
        created_at: seal.created_at.clone(),
        ephemeral_public: STANDARD.encode(ephemeral_public.as_bytes()),
        nonce: STANDARD.encode(nonce),
        // The tag adds 16 bytes.
        payload_len: compressed.len() as u64 + 16,
        payload_sha256: payload_hash(compressed),
    };
    let header_json =
        serde_json::to_vec(&header).map_err(|err| Error::Internal(err.to_string()))?;
    let mut bytes = Vec::with_capacity(PREFIX_LEN + header_json.len() + compressed.len() + 80);
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(&seal.version.to_le_bytes());
    bytes.extend_from_slice(&(header_json.len() as u32).to_le_bytes());
    bytes.extend_from_slice(&header_json);
    let ciphertext = XChaCha20Poly1305::new((&key).into())
        .encrypt(
            XNonce::from_slice(&nonce),
            AeadPayload {
                msg: compressed,
                aad: &bytes,
            },
        )
        .map_err(|_| Error::Internal("encryption failed".into()))?;
    bytes.extend_from_slice(&ciphertext);
    let signature = signer.sign(&bytes);
    bytes.extend_from_slice(&signature.to_bytes());
    Ok(bytes)
}

/// Verifies the sender's signature, decrypts with the recipient's key and decodes the payload.
pub fn open(
    parsed: &Parsed<'_>,
    sender: &VerifyingKey,
    recipient: &StaticSecret,
) -> Result<Payload> {
    decode_payload(
        &parsed.header,
        &verify_and_decrypt(parsed, sender, recipient)?,
        MAX_PAYLOAD_LEN,
    )
}

/// Checks the header's seq range and the sender's signature over the whole file: all a reader
/// that cannot decrypt it (a county, of a station's bundle its town relays) can check of it.
pub fn verify_signature(parsed: &Parsed<'_>, sender: &VerifyingKey) -> Result<()> {
    let header = &parsed.header;
    if !(1..=MAX_SEQ).contains(&header.from_seq)
        || !(header.from_seq - 1..=MAX_SEQ).contains(&header.to_seq)
    {
        return Err(bad("文件头中的变更范围不合理"));
    }
    let signature = Signature::from_slice(parsed.signature).map_err(|_| bad("签名格式不正确"))?;
    sender
        .verify(parsed.signed, &signature)
        .map_err(|_| bad("签名验证失败：文件被改动过，或不是该站点签发的"))
}

/// SHA-256 (hex) of a compressed payload, as a header's `payload_sha256` names it.
pub fn payload_hash(compressed: &[u8]) -> String {
    hex(&Sha256::digest(compressed))
}

/// Verifies the sender's signature and decrypts: the payload's compressed bytes, authentic
/// and meant for `recipient`, not yet decoded (a newer schema may not decode here).
pub fn verify_and_decrypt(
    parsed: &Parsed<'_>,
    sender: &VerifyingKey,
    recipient: &StaticSecret,
) -> Result<Vec<u8>> {
    verify_signature(parsed, sender)?;
    let ephemeral: [u8; 32] = STANDARD
        .decode(&parsed.header.ephemeral_public)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| bad("文件头中的密钥格式不正确"))?;
    let nonce: [u8; 24] = STANDARD
        .decode(&parsed.header.nonce)
        .ok()
        .and_then(|bytes| bytes.try_into().ok())
        .ok_or_else(|| bad("文件头中的随机数格式不正确"))?;
    let ephemeral = PublicKey::from(ephemeral);
    let own_public = PublicKey::from(recipient);
    let shared = recipient.diffie_hellman(&ephemeral);
    let key = sealing_key(shared.as_bytes(), &ephemeral, &own_public)?;
    let compressed = XChaCha20Poly1305::new((&key).into())
        .decrypt(
            XNonce::from_slice(&nonce),
            AeadPayload {
                msg: parsed.ciphertext,
                aad: parsed.associated,
            },
        )
        .map_err(|_| bad("无法解密：同步包不是发给本站的，或已损坏"))?;
    if payload_hash(&compressed) != parsed.header.payload_sha256 {
        return Err(bad("内容校验值不符"));
    }
    Ok(compressed)
}

/// Decompresses (at most `cap` bytes, see [`decompress`]) and decodes a payload, and checks it
/// against its header.
pub fn decode_payload(header: &Header, compressed: &[u8], cap: usize) -> Result<Payload> {
    let json = decompress(compressed, cap)?;
    let payload: Payload = serde_json::from_slice(&json).map_err(|_| bad("内容格式不正确"))?;
    let in_range = payload.changes.iter().all(|entry| {
        entry.origin == header.origin && (header.from_seq..=header.to_seq).contains(&entry.seq)
    });
    let ordered = |entries: &[LogEntry]| entries.windows(2).all(|pair| pair[0].seq < pair[1].seq);
    let returned_ok = payload
        .returned
        .iter()
        .all(|entry| entry.origin == header.recipient && (1..=MAX_SEQ).contains(&entry.seq));
    if !in_range
        || !ordered(&payload.changes)
        || !ordered(&payload.returned)
        || !returned_ok
        || payload.returned.len() as u64 != header.returned
        || payload.relay.as_ref().map_or(0, |relay| relay.units.len()) as u64 != header.relayed
        || payload.changes.len() as u64 != header.changes
        || payload.receipts.len() as u64 != header.receipts
    {
        return Err(bad("内容与文件头不符"));
    }
    Ok(payload)
}

/// How many bytes a compressed payload says it decompresses to: the content size in its zstd
/// frame header, which the writer always records. Known before any decompression, so a reader
/// can refuse or budget the memory first (the hub does).
pub fn payload_len(compressed: &[u8]) -> Result<usize> {
    match zstd::zstd_safe::get_frame_content_size(compressed) {
        Ok(Some(len)) => Ok(usize::try_from(len).unwrap_or(usize::MAX)),
        Ok(None) => Err(bad("内容未注明解压后的大小")),
        Err(_) => Err(bad("内容无法解压")),
    }
}

/// Decompresses a payload of at most `cap` bytes. The size its frame declares is checked
/// against `cap` before anything is decompressed, the output is allocated once at that size,
/// and the decoder is stopped one byte past it: a zstd bomb, even in a validly signed bundle,
/// costs at most `cap` bytes and is refused as `bad_bundle`.
pub fn decompress(compressed: &[u8], cap: usize) -> Result<Vec<u8>> {
    use std::io::Read;
    let declared = payload_len(compressed)?;
    if declared > cap {
        return Err(bad(&format!(
            "内容解压后超过上限（声明 {} MiB，上限 {} MiB）",
            declared.div_ceil(1024 * 1024),
            cap / (1024 * 1024)
        )));
    }
    let mut out = Vec::new();
    out.try_reserve_exact(declared)
        .map_err(|_| bad("内容太大，本机内存不足以解压"))?;
    out.resize(declared, 0);
    let mut decoder =
        zstd::stream::read::Decoder::new(compressed).map_err(|_| bad("内容无法解压"))?;
    let mismatch = || bad("内容解压后的大小与声明不符");
    decoder.read_exact(&mut out).map_err(|_| mismatch())?;
    if decoder.read(&mut [0u8; 1]).map_err(|_| mismatch())? != 0 {
        return Err(mismatch());
    }
    Ok(out)
}

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut out, b| {
            let _ = write!(out, "{b:02x}");
            out
        })
}

/// SHA-256 of a whole bundle file, hex.
pub fn file_hash(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn receipt(last_entry: Option<LastEntry>) -> Receipt {
        Receipt {
            issuer: "QX".into(),
            origin: "BX".into(),
            acked_to: 7,
            missing: vec![(9, 10)],
            issued_at: "2026-11-28T09:00:00+08:00".into(),
            last_entry,
            signature: String::new(),
        }
    }

    fn last_entry() -> LastEntry {
        LastEntry {
            seq: 7,
            log_version: 6,
            sha256: entry_sha256("BX", 7, 1_234_567_890, "case_event_append", "{}"),
        }
    }

    /// The entry hash is what another implementation must compute byte for byte
    /// (docs/bundle-format.md): pinned to `sha256sum` of the same text.
    #[test]
    fn the_entry_hash_is_sha256_of_the_documented_text() {
        assert_eq!(
            entry_sha256(
                "BX",
                7,
                1_234_567_890,
                "case_event_append",
                r#"{"kind":"referred"}"#
            ),
            "6147b78fbb0dec77c0a1ce6b9933a0d181fc5b50397af2a814c5489beda46023"
        );
    }

    /// A receipt without a last entry is signed as version 1 signed it (an older reader checks
    /// it); one with it as version 2, which covers the entry.
    #[test]
    fn the_signed_text_is_v1_without_a_last_entry_and_v2_with_it() {
        let plain = String::from_utf8(receipt(None).signed_bytes()).unwrap();
        assert_eq!(
            plain,
            "liaison-receipt v1\nQX\nBX\n7\n9-10\n2026-11-28T09:00:00+08:00"
        );
        let hashed = String::from_utf8(receipt(Some(last_entry())).signed_bytes()).unwrap();
        assert_eq!(
            hashed,
            format!("{plain}\n7\n6\n{}", last_entry().sha256)
                .replace("liaison-receipt v1", "liaison-receipt v2")
        );
    }

    /// What each peer is written: the newest format it is known to read, and for a release
    /// before 3 what that release itself wrote (2 exactly when changes go back).
    #[rstest::rstest]
    #[case::nothing_known_yet(None, false, 3)]
    #[case::nothing_known_yet_returned(None, true, 3)]
    #[case::known_at_3(Some(3), false, 3)]
    #[case::known_at_3_returned(Some(3), true, 3)]
    #[case::a_newer_peer_gets_the_newest_here(Some(4), false, 3)]
    #[case::a_previous_release(Some(1), false, 1)]
    #[case::a_previous_release_owed_its_log(Some(1), true, 2)]
    #[case::a_previous_town(Some(2), false, 1)]
    #[case::a_previous_town_returned(Some(2), true, 2)]
    fn each_peer_is_written_the_newest_format_it_reads(
        #[case] known: Option<u16>,
        #[case] returned: bool,
        #[case] written: u16,
    ) {
        assert_eq!(version_for(known, returned), written);
    }

    /// A writer of log version 10 or later reads 3 whatever it wrote; an older one reads what
    /// it wrote, however it fills its header otherwise.
    #[test]
    fn a_sender_of_log_version_10_reads_format_3_whatever_it_wrote() {
        assert_eq!(reads_at_least(PLAIN_VERSION, 9), PLAIN_VERSION);
        assert_eq!(reads_at_least(RETURNED_VERSION, 6), RETURNED_VERSION);
        assert_eq!(reads_at_least(FORMAT_VERSION, 9), FORMAT_VERSION);
        assert_eq!(reads_at_least(PLAIN_VERSION, 10), FORMAT_VERSION);
        assert_eq!(reads_at_least(RETURNED_VERSION, 11), FORMAT_VERSION);
        assert_eq!(reads_at_least(4, 12), 4);
        // This version's own bundles, in whatever format, say that it reads 3.
        assert_eq!(
            reads_at_least(PLAIN_VERSION, crate::store::LOG_VERSION),
            FORMAT_VERSION
        );
    }

    #[test]
    fn a_last_entry_beyond_the_acknowledged_or_not_a_hash_is_refused() {
        assert!(receipt(Some(last_entry())).check_bounds().is_ok());
        let beyond = LastEntry {
            seq: 8,
            ..last_entry()
        };
        let upper = LastEntry {
            sha256: last_entry().sha256.to_uppercase(),
            ..last_entry()
        };
        let short = LastEntry {
            sha256: "00".into(),
            ..last_entry()
        };
        let zero = LastEntry {
            seq: 0,
            ..last_entry()
        };
        for last in [beyond, upper, short, zero] {
            let err = receipt(Some(last.clone())).check_bounds().unwrap_err();
            assert_eq!(err.kind(), ErrorKind::BadBundle, "{last:?}");
        }
    }
}
