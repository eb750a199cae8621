//! Enrolment in one file each way, confirmed by a fingerprint read over the phone.
//!
//! The town writes `BX.enrol` for a station: its own code, name and public keys, the station's
//! code and name, what its first bundle to that station would carry (the roster and the
//! station's duty plan) and a token only the town can make, all signed with the town's key. The
//! new PC makes its book from the file and answers with `BX.keys`: the station's public keys and
//! the token, signed with the station's key. The town enrols the station from that file.
//!
//! A signature proves that a file is whole and was made by the holder of the key inside it, not
//! who that is: anyone can make a key and sign with it. What ties the keys to the right office is
//! the fingerprint, read aloud between the station and the town office on the phone.

use std::path::{Path, PathBuf};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::export::write_atomically;
use super::keys::{PublicKeys, seal_public_key, sign_public_key};
use crate::change::LogEntry;
use crate::domain::AuditAction;
use crate::error::{Error, ErrorKind, Result};
use crate::store::{Book, BookKind, lock};
use crate::time::{china_now, stored};

/// The largest enrolment file read: a town's roster and a year of one station's duty plan take
/// well under a megabyte.
pub const MAX_ENROLMENT_BYTES: u64 = 16 << 20;
/// The largest station keys file read.
pub const MAX_KEYS_BYTES: u64 = 64 << 10;

const ENROLMENT_FORMAT: &str = "liaison-enrolment";
const KEYS_FORMAT: &str = "liaison-station-keys";
const FORMAT_VERSION: u32 = 1;
/// Where a station book keeps the token of the enrolment it was made from, to write its keys
/// file again.
const TOKEN_META_KEY: &str = "enrolment_token";

/// A signed file: the body's JSON as text, and a signature over the format's name and that text
/// (so neither file can stand for the other).
#[derive(Serialize, Deserialize)]
struct SignedFile {
    format: String,
    version: u32,
    body: String,
    signature: String,
}

fn signed_message(format: &str, body: &str) -> Vec<u8> {
    [format.as_bytes(), b"\0", body.as_bytes()].concat()
}

fn bad(message: impl Into<String>) -> Error {
    Error::refused(ErrorKind::BadEnrolment, message)
}

fn too_large(what: &str, max: u64) -> Error {
    bad(format!(
        "{what}太大（超过 {} KB），不是本系统生成的文件",
        max >> 10
    ))
}

fn write_signed(format: &str, body: &impl Serialize, key: &SigningKey) -> Result<Vec<u8>> {
    let body = serde_json::to_string(body).map_err(|err| Error::Internal(err.to_string()))?;
    let signature = key.sign(&signed_message(format, &body));
    let file = SignedFile {
        format: format.to_owned(),
        version: FORMAT_VERSION,
        body,
        signature: STANDARD.encode(signature.to_bytes()),
    };
    let mut bytes =
        serde_json::to_vec_pretty(&file).map_err(|err| Error::Internal(err.to_string()))?;
    bytes.push(b'\n');
    Ok(bytes)
}

/// Reads a signed file of `format` whose body names the key that signed it: the body, once the
/// signature by that key holds. `what` names the file for the deputy.
fn read_signed<B: for<'de> Deserialize<'de>>(
    bytes: &[u8],
    format: &str,
    max: u64,
    what: &str,
    signer: impl Fn(&B) -> &str,
) -> Result<B> {
    if bytes.len() as u64 > max {
        return Err(too_large(what, max));
    }
    let damaged = || bad(format!("{what}已损坏或不完整，请让对方重新生成"));
    let file: SignedFile = serde_json::from_slice(bytes).map_err(|_| damaged())?;
    if file.format != format {
        return Err(bad(format!("这不是{what}")));
    }
    if file.version != FORMAT_VERSION {
        return Err(bad(format!(
            "{what}的格式版本（{}）本程序不认识，请升级本程序",
            file.version
        )));
    }
    let body: B = serde_json::from_str(&file.body).map_err(|_| damaged())?;
    let key = sign_public_key(signer(&body)).map_err(|_| damaged())?;
    let signature = STANDARD
        .decode(file.signature.trim())
        .ok()
        .and_then(|bytes| Signature::from_slice(&bytes).ok())
        .ok_or_else(damaged)?;
    key.verify(&signed_message(format, &file.body), &signature)
        .map_err(|_| bad(format!("{what}的签名不符：文件被改动过，不能使用")))?;
    Ok(body)
}

/// The fingerprint of a book's public keys: 24 digits in six groups of four, short enough to
/// read over the phone and long enough (80 bits) that nobody can make other keys with the same.
pub fn fingerprint(keys: &PublicKeys) -> Result<String> {
    let sign = sign_public_key(&keys.sign_public)?;
    let seal = seal_public_key(&keys.seal_public)?;
    let digest = Sha256::new()
        .chain_update(b"liaison-fingerprint/1\0")
        .chain_update(keys.origin.as_bytes())
        .chain_update(b"\0")
        .chain_update(sign.as_bytes())
        .chain_update(seal.as_bytes())
        .finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&digest[..16]);
    let digits = format!("{:024}", u128::from_be_bytes(first) % 10u128.pow(24));
    let groups: Vec<&str> = (0..6).map(|i| &digits[i * 4..i * 4 + 4]).collect();
    Ok(groups.join(" "))
}

/// What an enrolment file holds.
#[derive(Serialize, Deserialize)]
struct EnrolmentBody {
    town: PublicKeys,
    town_name: String,
    station: String,
    station_name: String,
    token: String,
    made_at: String,
    /// The last seq of the town's log that the changes cover.
    to_seq: i64,
    changes: Box<serde_json::value::RawValue>,
    /// For a station the town already holds records of (a new PC): the station's own log as
    /// the town holds it, a JSON array of changes, zstd-compressed, base64.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    returned: Option<String>,
}

/// A verified enrolment file, read before any book is made: what the new PC shows the deputy
/// to confirm on the phone.
#[derive(Debug, Clone)]
pub struct Enrolment {
    /// The town's code, name and public keys.
    pub town: PublicKeys,
    /// The town's name.
    pub town_name: String,
    /// The town's fingerprint, to read to the town office.
    pub town_fingerprint: String,
    /// The station's code.
    pub station: String,
    /// The station's name.
    pub station_name: String,
    token: String,
    to_seq: i64,
    changes: Vec<LogEntry>,
    returned: Vec<LogEntry>,
}

impl Enrolment {
    /// Reads and verifies an enrolment file.
    ///
    /// # Errors
    /// [`ErrorKind::BadEnrolment`] for a file too large, damaged, truncated or tampered with.
    pub fn read(bytes: &[u8]) -> Result<Enrolment> {
        let body: EnrolmentBody = read_signed(
            bytes,
            ENROLMENT_FORMAT,
            MAX_ENROLMENT_BYTES,
            "镇人大提供的登记文件",
            |body: &EnrolmentBody| &body.town.sign_public,
        )?;
        let station = crate::store::origin_code(&body.station)?;
        let town = crate::store::origin_code(&body.town.origin)?;
        if station == town {
            return Err(bad("登记文件中的站点代码与镇代码相同"));
        }
        let changes: Vec<LogEntry> = serde_json::from_str(body.changes.get())
            .map_err(|_| bad("登记文件中的名册无法读取，请让镇人大重新生成"))?;
        let mut last = 0;
        for entry in &changes {
            if entry.origin != town || entry.seq <= last || entry.seq > body.to_seq {
                return Err(bad("登记文件中的名册不是镇人大自己的记录，不能使用"));
            }
            last = entry.seq;
        }
        let returned = match &body.returned {
            None => Vec::new(),
            Some(encoded) => read_returned(encoded, &station)?,
        };
        Ok(Enrolment {
            town_fingerprint: fingerprint(&body.town)?,
            town: PublicKeys {
                origin: town,
                ..body.town
            },
            town_name: body.town_name,
            station,
            station_name: body.station_name,
            token: body.token,
            to_seq: body.to_seq,
            changes,
            returned,
        })
    }

    /// Reads and verifies the enrolment file at `path`, refusing one too large before reading.
    pub fn read_file(path: &Path) -> Result<Enrolment> {
        Enrolment::read(&read_bounded(path, MAX_ENROLMENT_BYTES, "登记文件")?)
    }

    /// How many of the town's records (grids, stations, deputies, duty shifts) the file brings.
    pub fn records(&self) -> usize {
        self.changes.len()
    }

    /// What the new PC shows before it makes the book.
    pub fn summary(&self) -> EnrolmentSummary {
        EnrolmentSummary {
            station: self.station.clone(),
            station_name: self.station_name.clone(),
            town: self.town.origin.clone(),
            town_name: self.town_name.clone(),
            town_fingerprint: self.town_fingerprint.clone(),
            records: self.records(),
            recovered: self.returned.len(),
        }
    }
}

/// The station's own log an enrolment file brings back: compressed JSON, decompressed within
/// the same cap as a bundle's payload; every change the station's own, in seq order.
fn read_returned(encoded: &str, station: &str) -> Result<Vec<LogEntry>> {
    use base64::Engine;
    let unreadable = || bad("登记文件中本站原有的记录无法读取，请让镇人大重新生成");
    let compressed = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .map_err(|_| unreadable())?;
    let json = super::format::decompress(&compressed, super::format::MAX_PAYLOAD_LEN)
        .map_err(|_| unreadable())?;
    let returned: Vec<LogEntry> = serde_json::from_slice(&json).map_err(|_| unreadable())?;
    let mut last = 0;
    for entry in &returned {
        if entry.origin != station || entry.seq <= last || entry.seq > super::format::MAX_SEQ {
            return Err(bad("登记文件中送回的记录不是本站自己的，不能使用"));
        }
        last = entry.seq;
    }
    Ok(returned)
}

/// An enrolment file as the new PC shows it, to be confirmed on the phone.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EnrolmentSummary {
    /// The station's code.
    pub station: String,
    /// The station's name.
    pub station_name: String,
    /// The town's code.
    pub town: String,
    /// The town's name.
    pub town_name: String,
    /// The town's fingerprint.
    pub town_fingerprint: String,
    /// The town's records the file brings.
    pub records: usize,
    /// The station's own records the town holds and the file brings back (a new PC for a
    /// station that has synced before); 0 for a new station.
    pub recovered: usize,
}

/// Reads a file of at most `max` bytes (checked before reading).
pub(crate) fn read_bounded(path: &Path, max: u64, what: &str) -> Result<Vec<u8>> {
    let size = std::fs::metadata(path)
        .map_err(|err| {
            Error::refused(
                ErrorKind::NotFound,
                format!("找不到{what}：{}（{err}）", path.display()),
            )
        })?
        .len();
    if size > max {
        return Err(too_large(what, max));
    }
    Ok(std::fs::read(path)?)
}

/// Reads a station's keys file for [`Book::accept_station_keys`], refusing one too large before
/// reading it.
pub fn read_keys_file(path: &Path) -> Result<Vec<u8>> {
    read_bounded(path, MAX_KEYS_BYTES, "站点密钥文件")
}

/// What a station keys file holds.
#[derive(Serialize, Deserialize)]
struct StationKeysBody {
    keys: PublicKeys,
    station_name: String,
    town: String,
    token: String,
    made_at: String,
}

/// What `enrol export` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EnrolmentWritten {
    /// The file written: `<DIR>/<station>.enrol`.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub path: PathBuf,
    /// The station's code.
    pub station: String,
    /// The station's name.
    pub station_name: String,
    /// The town's fingerprint, which the station reads back on the phone.
    pub fingerprint: String,
    /// The town's records the file carries.
    pub records: usize,
    /// The station's own records it carries back (a new PC for a station that synced before).
    pub recovered: usize,
}

/// What making a station book from an enrolment file answers (`init --enrolment`).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StationEnrolled {
    /// The station's code.
    pub station: String,
    /// The station's name.
    pub station_name: String,
    /// The town's code.
    pub town: String,
    /// The town's name.
    pub town_name: String,
    /// The town's fingerprint, as the file gave it.
    pub town_fingerprint: String,
    /// The new book's own fingerprint, which the town office checks on accepting the keys.
    pub station_fingerprint: String,
    /// The town's records taken in.
    pub records: usize,
    /// The station's own records the town brought back (a new PC).
    pub recovered: usize,
    /// The station's keys file, for the town: `<DIR>/<station>.keys`.
    #[cfg_attr(feature = "ts", ts(type = "string"))]
    pub keys_path: PathBuf,
}

/// What `enrol accept` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StationAccepted {
    /// The station's code.
    pub station: String,
    /// The station's name, as its roster entry gives it.
    pub station_name: String,
    /// The station's fingerprint, to compare with what the station reads out.
    pub fingerprint: String,
    /// Whether the station was enrolled with other keys, which these replace (a new PC).
    pub replaced: bool,
    /// Whether the station was already enrolled with these very keys (nothing changed).
    pub unchanged: bool,
}

impl Book {
    /// The town's token for `station`: a keyed hash only this town's signing key can make, so
    /// that a keys file answers an enrolment file that this town wrote for that station.
    fn enrolment_token(&self, station: &str) -> Result<String> {
        let mut token = [0u8; 16];
        hkdf::Hkdf::<Sha256>::new(
            Some(b"liaison-enrolment-token/1"),
            self.keys().sign.as_bytes(),
        )
        .expand(station.as_bytes(), &mut token)
        .map_err(|_| Error::Internal("HKDF output length".into()))?;
        Ok(STANDARD.encode(token))
    }

    fn refuse_unless_town(&self, what: &str) -> Result<()> {
        if self.origin().kind == BookKind::Town {
            return Ok(());
        }
        Err(Error::refused(
            ErrorKind::Invalid,
            format!("{what}只能在镇人大的台账上进行"),
        ))
    }

    /// Writes the enrolment file for `station` (a station of this town's roster) into
    /// `out_dir`: `<station>.enrol`.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] in a station's book; [`ErrorKind::NotFound`] for a station the
    /// roster does not hold.
    pub fn write_enrolment(&mut self, station: &str, out_dir: &Path) -> Result<EnrolmentWritten> {
        self.refuse_unless_town("生成站点登记文件")?;
        let station = crate::store::origin_code(station)?;
        let station_name = self.station_name(&station)?.ok_or_else(|| {
            Error::refused(
                ErrorKind::NotFound,
                format!("名册中没有站点“{station}”：请先在名册中登记该站点"),
            )
        })?;
        let (changes, to_seq, records) = self.first_changes_json(&station)?;
        let (returned, recovered) = self.returned_for_enrolment(&station)?;
        let town = self.public_keys();
        let body = EnrolmentBody {
            town_name: self.origin().name.clone(),
            station: station.clone(),
            station_name: station_name.clone(),
            token: self.enrolment_token(&station)?,
            made_at: stored(china_now()),
            to_seq,
            changes: serde_json::value::RawValue::from_string(changes)
                .map_err(|err| Error::Internal(err.to_string()))?,
            returned,
            town,
        };
        let bytes = write_signed(ENROLMENT_FORMAT, &body, &self.keys().sign)?;
        let path = out_dir.join(format!("{station}.enrol"));
        write_atomically(&path, &bytes)?;
        Ok(EnrolmentWritten {
            path,
            station,
            station_name,
            fingerprint: fingerprint(&body.town)?,
            records,
            recovered,
        })
    }

    /// Makes a station book at `path` from a verified enrolment: its code and name from the
    /// file, the town enrolled as its peer (and, for an encrypted book, as its recovery slot),
    /// the town's records taken in as from the town's first bundle. Encrypted with
    /// `passphrase`; plain when it is `None` (demos and tests). Nothing is left at `path` when it
    /// fails.
    pub fn create_from_enrolment(
        path: &Path,
        enrolment: &Enrolment,
        passphrase: Option<&str>,
    ) -> Result<Book> {
        crate::store::refuse_existing(path)?;
        crate::store::refuse_existing(&lock::slots_path(path))?;
        // Made under another name and renamed once complete: a PC switched off half-way (a
        // station's whole log can take seconds) leaves no half book that the next try would
        // refuse as existing.
        let staged = lock::beside(path, ".enrolling");
        let remove_staged = || {
            for suffix in ["", "-slots", "-wal", "-shm"] {
                let _ = std::fs::remove_file(lock::beside(&staged, suffix));
            }
        };
        remove_staged();
        let (code, name) = (&enrolment.station, &enrolment.station_name);
        let made = match passphrase {
            Some(passphrase) => {
                Book::create_encrypted(&staged, code, name, BookKind::Station, passphrase)
            }
            None => Book::create(&staged, code, name, BookKind::Station),
        };
        let filled = made.and_then(|mut book| book.take_enrolment(enrolment));
        if let Err(err) = filled {
            remove_staged();
            return Err(err);
        }
        if passphrase.is_some() {
            std::fs::rename(lock::slots_path(&staged), lock::slots_path(path))?;
        }
        std::fs::rename(&staged, path)?;
        Book::open_with_passphrase(path, passphrase)
    }

    fn take_enrolment(&mut self, enrolment: &Enrolment) -> Result<()> {
        let town = &enrolment.town;
        self.add_peer(&town.origin, &town.sign_public, &town.seal_public)?;
        // The station's own records first: the town's changes may concern them (a referral).
        self.recover_from_enrolment(&town.origin, &enrolment.returned)?;
        self.apply_enrolment_changes(&town.origin, enrolment.to_seq, &enrolment.changes)?;
        self.conn().execute(
            "INSERT INTO book_meta (key, value) VALUES (?1, ?2)
             ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [TOKEN_META_KEY, enrolment.token.as_str()],
        )?;
        Ok(())
    }

    /// Writes this station's keys file for its town into `out_dir`: `<code>.keys`. Only a book
    /// made from an enrolment file has one to write.
    pub fn write_station_keys(&self, out_dir: &Path) -> Result<PathBuf> {
        use rusqlite::OptionalExtension;
        let token: String = self
            .conn()
            .query_row(
                "SELECT value FROM book_meta WHERE key = ?1",
                [TOKEN_META_KEY],
                |row| row.get(0),
            )
            .optional()?
            .ok_or_else(|| {
                Error::refused(
                    ErrorKind::NotFound,
                    "本台账不是用镇人大的登记文件建立的，没有可交回的站点密钥文件",
                )
            })?;
        let town = super::ownership::town_peer(self.conn())?
            .ok_or_else(|| Error::refused(ErrorKind::NotFound, "本台账还没有登记镇人大"))?;
        let body = StationKeysBody {
            keys: self.public_keys(),
            station_name: self.origin().name.clone(),
            town,
            token,
            made_at: stored(china_now()),
        };
        let bytes = write_signed(KEYS_FORMAT, &body, &self.keys().sign)?;
        let path = out_dir.join(format!("{}.keys", self.origin().code));
        write_atomically(&path, &bytes)?;
        Ok(path)
    }

    /// Makes the station book and writes its keys file: `casebook init --enrolment`.
    pub fn enrol_new_station(
        path: &Path,
        enrolment: &Enrolment,
        passphrase: Option<&str>,
        keys_dir: &Path,
    ) -> Result<(Book, StationEnrolled)> {
        let book = Book::create_from_enrolment(path, enrolment, passphrase)?;
        let keys_path = book.write_station_keys(keys_dir)?;
        let enrolled = StationEnrolled {
            station: enrolment.station.clone(),
            station_name: enrolment.station_name.clone(),
            town: enrolment.town.origin.clone(),
            town_name: enrolment.town_name.clone(),
            town_fingerprint: enrolment.town_fingerprint.clone(),
            station_fingerprint: fingerprint(&book.public_keys())?,
            records: enrolment.records(),
            recovered: enrolment.returned.len(),
            keys_path,
        };
        Ok((book, enrolled))
    }

    /// Checks a station's keys file as [`Book::accept_station_keys`] would, writing nothing:
    /// what the town office confirms (the station and its fingerprint, and whether it replaces
    /// keys enrolled before) before it accepts.
    pub fn check_station_keys(&self, bytes: &[u8]) -> Result<StationAccepted> {
        Ok(self.checked_station_keys(bytes)?.0)
    }

    fn checked_station_keys(&self, bytes: &[u8]) -> Result<(StationAccepted, PublicKeys)> {
        self.refuse_unless_town("登记站点")?;
        let body: StationKeysBody = read_signed(
            bytes,
            KEYS_FORMAT,
            MAX_KEYS_BYTES,
            "站点交回的密钥文件",
            |body: &StationKeysBody| &body.keys.sign_public,
        )?;
        let own = self.origin().code.clone();
        if body.town != own {
            return Err(bad(format!(
                "这份密钥文件是交给“{}”的，不是本镇（{own}）的",
                body.town
            )));
        }
        let station = crate::store::origin_code(&body.keys.origin)?;
        let station_name = self.station_name(&station)?.ok_or_else(|| {
            Error::refused(
                ErrorKind::NotFound,
                format!("名册中没有站点“{station}”，不能登记"),
            )
        })?;
        if body.token != self.enrolment_token(&station)? {
            return Err(bad(format!(
                "这份密钥文件不是对本镇为“{station}”生成的登记文件的回复，不能使用"
            )));
        }
        let keys = PublicKeys {
            origin: station.clone(),
            ..body.keys
        };
        let before = self.peer(&station)?;
        let unchanged = before.as_ref().is_some_and(|peer| {
            peer.sign_public == keys.sign_public && peer.seal_public == keys.seal_public
        });
        let checked = StationAccepted {
            fingerprint: fingerprint(&keys)?,
            station,
            station_name,
            replaced: before.is_some() && !unchanged,
            unchanged,
        };
        Ok((checked, keys))
    }

    /// Enrols a station from its keys file: signed by the keys it carries, answering an
    /// enrolment file this town wrote for that station, for a station of the roster. A station
    /// already enrolled with other keys (a new PC) needs `replace_keys`, and the replacement is
    /// on the audit trail.
    ///
    /// # Errors
    /// [`ErrorKind::BadEnrolment`] for a damaged, tampered or foreign file;
    /// [`ErrorKind::NotFound`] for a station not in the roster; [`ErrorKind::AlreadyExists`]
    /// for other keys without `replace_keys`. Nothing is written on any of them.
    pub fn accept_station_keys(
        &mut self,
        bytes: &[u8],
        replace_keys: bool,
    ) -> Result<StationAccepted> {
        let (accepted, keys) = self.checked_station_keys(bytes)?;
        let StationAccepted {
            station,
            fingerprint,
            replaced,
            unchanged,
            ..
        } = &accepted;
        if *replaced && !replace_keys {
            return Err(Error::refused(
                ErrorKind::AlreadyExists,
                format!(
                    "站点“{station}”已用另一套密钥登记过。若该站换了电脑，确认指纹后加 --replace-keys 更换"
                ),
            ));
        }
        if !unchanged {
            self.add_peer(station, &keys.sign_public, &keys.seal_public)?;
        }
        if *replaced {
            self.audit(
                AuditAction::PeerKeysReplace,
                Some(station),
                Some(fingerprint),
            )?;
        }
        Ok(accepted)
    }
}
