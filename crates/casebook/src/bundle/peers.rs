//! Peers: the books this one syncs with, enrolled by their public keys and revoked for good, and
//! the newest bundle format each is known to read (what it is written).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::VerifyingKey;
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use x25519_dalek::PublicKey;

use super::keys::{PublicKeys, seal_public_key, sign_public_key};
use crate::domain::AuditAction;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{Book, Writer};
use crate::time::{china_now, stored};

/// An enrolled peer.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Peer {
    /// Origin code.
    pub code: String,
    /// Ed25519 verifying key (base64).
    pub sign_public: String,
    /// X25519 public key (base64).
    pub seal_public: String,
    /// Enrolled at.
    pub added_at: String,
    /// Revoked at.
    pub revoked_at: Option<String>,
}

fn unknown_origin(code: &str) -> Error {
    Error::refused(
        ErrorKind::UnknownOrigin,
        format!("“{code}”不是已登记的同步对象，请先用 peer add 登记其公钥"),
    )
}

/// The one check of who a book may sync with, whether the book or a
/// [`BundleOpener`](super::BundleOpener) looks the peer up: never itself, only an enrolled peer,
/// never a revoked one. `enrolled` is `None` for a code not enrolled, `Some(None)` for a
/// revoked peer.
pub(super) fn active<T>(own: &str, code: &str, enrolled: Option<Option<T>>) -> Result<T> {
    if code == own {
        return Err(Error::refused(
            ErrorKind::UnknownOrigin,
            format!("“{code}”是本站自己，不能与自己同步"),
        ));
    }
    match enrolled {
        None => Err(unknown_origin(code)),
        Some(None) => Err(Error::refused(
            ErrorKind::UnknownOrigin,
            format!("“{code}”已被吊销：不再接收其同步包，也不再向其发送"),
        )),
        Some(Some(peer)) => Ok(peer),
    }
}

/// The columns [`peer_from_row`] reads.
const SELECT_PEER: &str = "SELECT code, sign_public, seal_public, added_at, revoked_at FROM peers";

fn peer_from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<Peer> {
    Ok(Peer {
        code: row.get(0)?,
        sign_public: STANDARD.encode(row.get::<_, Vec<u8>>(1)?),
        seal_public: STANDARD.encode(row.get::<_, Vec<u8>>(2)?),
        added_at: row.get(3)?,
        revoked_at: row.get(4)?,
    })
}

impl Book {
    /// The public halves of this book's keys.
    pub fn public_keys(&self) -> PublicKeys {
        self.keys().public(&self.origin().code)
    }

    /// Enrolls (or re-keys) a peer. A revoked peer stays revoked.
    pub fn add_peer(&mut self, code: &str, sign_public: &str, seal_public: &str) -> Result<Peer> {
        let code = crate::store::origin_code(code)?;
        if code == self.origin().code {
            return Err(Error::invalid("不能把本站自己登记为同步对象"));
        }
        if self.origin().kind == crate::store::BookKind::County
            && self
                .relayed_origins()?
                .iter()
                .any(|origin| origin.station == code)
        {
            // A town under a station's code would write as that station.
            return Err(Error::invalid(format!(
                "“{code}”是本县已由某镇转报的联络站代码，不能登记为同步对象"
            )));
        }
        let sign = sign_public_key(sign_public)?;
        let seal = seal_public_key(seal_public)?;
        if let Some(peer) = self.peer(&code)?
            && peer.revoked_at.is_some()
        {
            return Err(Error::refused(
                ErrorKind::UnknownOrigin,
                format!("“{code}”已被吊销，不能重新登记"),
            ));
        }
        // New keys are a new book (a new PC), made by the version that made its keys: what the
        // old one read says nothing of it.
        self.conn().execute(
            "INSERT INTO peers (code, sign_public, seal_public, added_at) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (code) DO UPDATE SET sign_public = excluded.sign_public,
                 seal_public = excluded.seal_public,
                 format_version = CASE WHEN peers.sign_public = excluded.sign_public
                     THEN peers.format_version END",
            params![code, sign.as_bytes(), seal.as_bytes(), stored(china_now())],
        )?;
        // A station's one peer is its town: the town office can then reopen this book.
        self.seal_key_to_town(&code, &seal)?;
        self.audit(AuditAction::PeerAdd, Some(&code), None)?;
        self.peer(&code)?.ok_or_else(|| unknown_origin(&code))
    }

    /// Revokes a peer: its bundles and receipts are refused from now on.
    pub fn revoke_peer(&mut self, code: &str) -> Result<Peer> {
        let changed = self.conn().execute(
            "UPDATE peers SET revoked_at = COALESCE(revoked_at, ?2) WHERE code = ?1",
            params![code.trim(), stored(china_now())],
        )?;
        if changed == 0 {
            return Err(unknown_origin(code.trim()));
        }
        self.audit(AuditAction::PeerRevoke, Some(code.trim()), None)?;
        self.peer(code.trim())?.ok_or_else(|| unknown_origin(code))
    }

    /// Enrolled peers.
    pub fn peers(&self) -> Result<Vec<Peer>> {
        let mut select = self
            .conn()
            .prepare(&format!("{SELECT_PEER} ORDER BY code"))?;
        let peers = select
            .query_map([], peer_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(peers)
    }

    pub(crate) fn peer(&self, code: &str) -> Result<Option<Peer>> {
        Ok(self
            .conn()
            .query_row(
                &format!("{SELECT_PEER} WHERE code = ?1"),
                [code],
                peer_from_row,
            )
            .optional()?)
    }

    /// An enrolled, not revoked peer other than this book.
    fn active_peer(&self, code: &str) -> Result<Peer> {
        let enrolled = self
            .peer(code)?
            .map(|peer| peer.revoked_at.is_none().then_some(peer));
        active(&self.origin().code, code, enrolled)
    }

    /// The key an active peer signs with: what this book takes from it is checked against it.
    pub(super) fn active_sign_key(&self, code: &str) -> Result<VerifyingKey> {
        sign_public_key(&self.active_peer(code)?.sign_public)
    }

    /// The newest bundle format `code` is known to read, from the bundles it sent
    /// ([`format::reads_at_least`](super::format::reads_at_least)); `None` when none came yet,
    /// or the peer is not enrolled.
    ///
    /// # Errors
    /// `storage` when the book holds a version no bundle can have.
    pub fn peer_format(&self, code: &str) -> Result<Option<u16>> {
        let stored: Option<i64> = self
            .conn()
            .query_row(
                "SELECT format_version FROM peers WHERE code = ?1",
                [code],
                |row| row.get(0),
            )
            .optional()?
            .flatten();
        stored
            .map(|version| {
                u16::try_from(version).map_err(|_| {
                    Error::Corrupt(format!("peers.format_version of {code}: {version}"))
                })
            })
            .transpose()
    }

    /// The key an active peer opens bundles with: what this book sends it is sealed to it.
    pub(super) fn active_seal_key(&self, code: &str) -> Result<PublicKey> {
        seal_public_key(&self.active_peer(code)?.seal_public)
    }
}

/// Remembers that `peer` reads bundle format `version`, from a bundle it signed. Only ever
/// raised, so an older bundle read late (a stick found in a drawer), or one a peer seen at 3
/// writes in an older format, does not make this book write an older format to it
/// (docs/security.md, "Older bundle formats").
pub(super) fn note_format(writer: &Writer<'_>, peer: &str, version: u16) -> Result<()> {
    writer
        .tx()
        .prepare_cached(
            "UPDATE peers SET format_version = MAX(COALESCE(format_version, 0), ?2)
             WHERE code = ?1",
        )?
        .execute(params![peer, version])?;
    Ok(())
}
