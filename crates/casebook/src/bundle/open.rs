//! Opening: framing, sender, recipient, signature and decryption, checked without writing, so
//! the hub can open uploads on several cores before its one writer applies them.

use std::collections::HashMap;

use super::Peer;
use super::format;
use super::import::encode_entries;
use super::keys::sign_public_key;
use super::peers::active;
use super::relay::{OpenedUnit, StationKeys, open_units};
use crate::error::{Error, ErrorKind, Result};
use crate::store::{Book, LOG_VERSION};

impl Book {
    /// Everything about a bundle that needs no write: framing, sender, recipient, signature,
    /// decryption, payload. Only the sender's key is looked up.
    pub(super) fn prepare_import(&self, bytes: &[u8]) -> Result<PreparedBundle> {
        let origin = format::parse(bytes)?.header.origin;
        self.opener_for(self.peer(&origin)?)?.prepare(bytes)
    }

    /// A snapshot of the keys needed to verify and open bundles, for work done away from the
    /// book (the hub opens uploads on several cores, then applies them in one writer).
    pub fn bundle_opener(&self) -> Result<BundleOpener> {
        self.opener_for(self.peers()?)
    }

    /// An opener that knows `peers` (a revoked one as such, so it is refused as revoked).
    fn opener_for(&self, peers: impl IntoIterator<Item = Peer>) -> Result<BundleOpener> {
        let peers = peers
            .into_iter()
            .map(|peer| {
                let key = match peer.revoked_at {
                    Some(_) => None,
                    None => Some(sign_public_key(&peer.sign_public)?),
                };
                Ok((peer.code, key))
            })
            .collect::<Result<_>>()?;
        Ok(BundleOpener {
            own: self.origin().code.clone(),
            seal: self.keys().seal.clone(),
            peers,
            station_keys: self.relayed_station_keys()?,
        })
    }
}

/// Verifies and opens bundles sealed to one book, without the book (see
/// [`Book::bundle_opener`]).
#[derive(Clone)]
pub struct BundleOpener {
    own: String,
    seal: x25519_dalek::StaticSecret,
    /// Enrolled peers; `None` for a revoked one.
    peers: HashMap<String, Option<ed25519_dalek::VerifyingKey>>,
    /// At a county, the keys its towns vouched for each station they relay.
    station_keys: StationKeys,
}

impl std::fmt::Debug for BundleOpener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BundleOpener")
            .field("own", &self.own)
            .finish_non_exhaustive()
    }
}

impl BundleOpener {
    /// An opener that knows no peer and refuses everything.
    pub fn empty() -> BundleOpener {
        BundleOpener {
            own: String::new(),
            seal: x25519_dalek::StaticSecret::from([0u8; 32]),
            peers: HashMap::new(),
            station_keys: StationKeys::default(),
        }
    }

    /// Framing, sender, recipient, signature, decryption and payload of one bundle (whose
    /// payload decompresses to at most [`format::MAX_PAYLOAD_LEN`]).
    pub fn prepare(&self, bytes: &[u8]) -> Result<PreparedBundle> {
        self.open(bytes)?.decode(format::MAX_PAYLOAD_LEN)
    }

    /// Framing, sender, recipient, signature and decryption: an authentic bundle for this book
    /// whose payload is still compressed, so a server can budget the memory its
    /// [`OpenedBundle::payload_len`] needs before [`OpenedBundle::decode`].
    pub fn open(&self, bytes: &[u8]) -> Result<OpenedBundle> {
        let parsed = format::parse(bytes)?;
        let header = parsed.header.clone();
        let version = parsed.version;
        let sender = self.sender_key(&header)?;
        let compressed = format::verify_and_decrypt(&parsed, &sender, &self.seal)?;
        // A newer schema may not decode with this version: keep the verified file as it is.
        let newer = header.schema_version > LOG_VERSION;
        Ok(OpenedBundle {
            version,
            header,
            compressed,
            station_keys: self.station_keys.clone(),
            sender,
            file_hash: format::file_hash(bytes),
            newer,
            file: bytes.to_vec(),
        })
    }

    /// The key of the header's sender, when it is an enrolled, active peer and the bundle is
    /// addressed to this book: checked from the header alone, so the hub can refuse a stranger
    /// before reading the rest of an upload.
    pub fn sender_key(&self, header: &format::Header) -> Result<ed25519_dalek::VerifyingKey> {
        let sender = active(
            &self.own,
            &header.origin,
            self.peers.get(&header.origin).copied(),
        )?;
        if header.recipient != self.own {
            return Err(Error::refused(
                ErrorKind::WrongRecipient,
                format!(
                    "这个同步包是发给“{}”的，不是发给本站（{}）的",
                    header.recipient, self.own
                ),
            ));
        }
        Ok(sender)
    }
}

/// A bundle verified and decrypted for this book, its payload not yet decompressed.
pub struct OpenedBundle {
    version: u16,
    header: format::Header,
    compressed: Vec<u8>,
    /// What the opener knew of relayed stations' keys, to check relayed bundles before they
    /// are decompressed.
    station_keys: StationKeys,
    sender: ed25519_dalek::VerifyingKey,
    file_hash: String,
    /// Its schema is newer than this book's: it is kept, not decoded.
    newer: bool,
    /// The whole file, kept in quarantine if it is refused or newer.
    file: Vec<u8>,
}

impl std::fmt::Debug for OpenedBundle {
    // The payload holds visitors' data: never printed.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OpenedBundle")
            .field("header", &self.header)
            .finish_non_exhaustive()
    }
}

impl OpenedBundle {
    /// The sender (authenticated).
    pub fn origin(&self) -> &str {
        &self.header.origin
    }

    /// The header (authenticated): seq range and counts.
    pub fn header(&self) -> &format::Header {
        &self.header
    }

    /// The format version its sender wrote (authenticated): the hub answers in it.
    pub fn format_version(&self) -> u16 {
        self.version
    }

    /// SHA-256 (hex) of the whole file: the same file posted again has the same.
    pub fn file_hash(&self) -> &str {
        &self.file_hash
    }

    /// Bytes the payload takes decompressed, as its (authentic) frame declares; 0 for a bundle
    /// of a newer schema, which is kept whole and not decompressed.
    ///
    /// # Errors
    /// `bad_bundle` when the payload declares no size.
    pub fn payload_len(&self) -> Result<usize> {
        if self.newer {
            return Ok(0);
        }
        format::payload_len(&self.compressed)
    }

    /// Decompresses (at most `cap` bytes, or `bad_bundle`) and decodes the payload.
    pub fn decode(self, cap: usize) -> Result<PreparedBundle> {
        let payload = if self.newer {
            format::Payload::default()
        } else {
            format::decode_payload(&self.header, &self.compressed, cap)?
        };
        let encoded = encode_entries(&payload.changes)?;
        let returned_encoded = encode_entries(&payload.returned)?;
        let units = match &payload.relay {
            Some(relay) => {
                let room = cap.saturating_sub(format::payload_len(&self.compressed)?);
                open_units(&self.header.origin, relay, &self.station_keys, room)?
            }
            None => Vec::new(),
        };
        Ok(PreparedBundle {
            version: self.version,
            header: self.header,
            payload,
            encoded,
            returned_encoded,
            sender: self.sender,
            file_hash: self.file_hash,
            newer: self.newer,
            file: self.file,
            compressed: self.compressed,
            units,
        })
    }
}

/// A bundle verified and decrypted, ready to apply.
#[derive(Debug)]
pub struct PreparedBundle {
    /// The format version its sender wrote, which the sender therefore reads.
    pub(super) version: u16,
    pub(super) header: format::Header,
    pub(super) payload: format::Payload,
    /// Each change's stored form, made here rather than by the one writer.
    pub(super) encoded: Vec<(&'static str, String)>,
    /// The same for the recipient's own changes the bundle carries back.
    pub(super) returned_encoded: Vec<(&'static str, String)>,
    pub(super) sender: ed25519_dalek::VerifyingKey,
    pub(super) file_hash: String,
    /// Its schema is newer than this book's: it is kept until the book is upgraded.
    pub(super) newer: bool,
    /// The whole file, kept in quarantine if it is refused or newer.
    pub(super) file: Vec<u8>,
    /// The payload as decrypted, still compressed: what a town relays to its county.
    pub(super) compressed: Vec<u8>,
    /// The stations' bundles a town relays (to a county), opened.
    pub(super) units: Vec<OpenedUnit>,
}

impl PreparedBundle {
    /// The sender (authenticated).
    pub fn origin(&self) -> &str {
        &self.header.origin
    }

    /// The format version its sender wrote (authenticated): the hub answers in it.
    pub fn format_version(&self) -> u16 {
        self.version
    }

    /// Its header (authenticated).
    pub fn header(&self) -> &format::Header {
        &self.header
    }

    /// What it carries: changes, receipts, returned changes.
    pub fn payload(&self) -> &format::Payload {
        &self.payload
    }

    /// Each change's stored form (`op`, record JSON), in the payload's order.
    pub fn encoded(&self) -> &[(&'static str, String)] {
        &self.encoded
    }

    /// The sender's verified signing key.
    pub fn sender(&self) -> &ed25519_dalek::VerifyingKey {
        &self.sender
    }

    /// SHA-256 (hex) of the whole file.
    pub fn file_hash(&self) -> &str {
        &self.file_hash
    }

    /// Whether its schema is newer than this version's (it is kept aside, not applied).
    pub fn is_newer(&self) -> bool {
        self.newer
    }

    /// The whole file, as received.
    pub fn file(&self) -> &[u8] {
        &self.file
    }
}
