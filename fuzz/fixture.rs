//! The fixture of the `bundle_reader` fuzz target, shared word for word with its corpus replay
//! test: `fuzz_targets/bundle_reader.rs` and `crates/casebook/tests/fuzz_corpus.rs` both include
//! this file with `#[path]`.
//!
//! A town book `QX` and a station book `BX`, enrolled with each other, whose keys are fixed
//! secrets: the seed corpus was sealed by this station to this town, and opens again in every
//! run. The books are files in a temporary folder, because the only way to give a book fixed
//! keys is to rewrite `own_keys` in its file before opening it.

use std::path::Path;

use casebook::Book;
use casebook::bundle::{Imported, format};
use casebook::store::BookKind;
use tempfile::TempDir;

/// The town's code.
pub const TOWN: &str = "QX";
/// The station's code.
pub const STATION: &str = "BX";
/// The town's Ed25519 signing secret.
pub const TOWN_SIGN: [u8; 32] = *b"casebook-fuzz town signing key!!";
/// The town's X25519 sealing secret: bundles in the corpus are sealed to its public half.
pub const TOWN_SEAL: [u8; 32] = *b"casebook-fuzz town sealing key!!";
/// The station's Ed25519 signing secret: bundles in the corpus are signed with it.
pub const STATION_SIGN: [u8; 32] = *b"casebook-fuzz station sign key!!";
/// The station's X25519 sealing secret.
pub const STATION_SEAL: [u8; 32] = *b"casebook-fuzz station seal key!!";

/// Creates a book at `path` whose keys are the given secrets.
pub fn book_with_keys(
    path: &Path,
    (code, name, kind): (&str, &str, BookKind),
    sign: [u8; 32],
    seal: [u8; 32],
) -> Book {
    drop(Book::create(path, code, name, kind).expect("create the book"));
    rusqlite::Connection::open(path)
        .and_then(|conn| {
            conn.execute(
                "UPDATE own_keys SET sign_secret = ?1, seal_secret = ?2",
                [sign.as_slice(), seal.as_slice()],
            )
        })
        .expect("fix the book's keys");
    Book::open(path).expect("open the book")
}

/// The town and the station, enrolled with each other. The folder goes when this is dropped.
#[derive(Debug)]
pub struct Fixture {
    /// The town book: bundles are imported into it.
    pub town: Book,
    /// The station book: the corpus generator exports bundles from it.
    pub station: Book,
    /// The folder holding both files.
    pub dir: TempDir,
}

impl Fixture {
    /// Fresh books with the fixed keys, a few milliseconds' work.
    pub fn create() -> Fixture {
        let dir = tempfile::Builder::new()
            .prefix("casebook-fuzz-")
            .tempdir()
            .expect("a temporary folder");
        let mut town = book_with_keys(
            &dir.path().join("town.db"),
            (TOWN, "清溪镇人大", BookKind::Town),
            TOWN_SIGN,
            TOWN_SEAL,
        );
        let mut station = book_with_keys(
            &dir.path().join("station.db"),
            (STATION, "东岭村人大代表联络站", BookKind::Station),
            STATION_SIGN,
            STATION_SEAL,
        );
        let (t, s) = (town.public_keys(), station.public_keys());
        town.add_peer(&s.origin, &s.sign_public, &s.seal_public)
            .expect("the town enrolls the station");
        station
            .add_peer(&t.origin, &t.sign_public, &t.seal_public)
            .expect("the station enrolls the town");
        Fixture { town, station, dir }
    }
}

/// What became of one input.
#[derive(Debug)]
pub enum Outcome {
    /// [`format::parse`] refused the framing.
    Unparsed(casebook::Error),
    /// The framing is intact, [`Book::import_bundle`] refused it.
    Refused(casebook::Error),
    /// Imported.
    Imported(Imported),
}

/// The fuzz target's code path: parse the framing, and when it is intact, import the bundle.
/// Panics only when a framing invariant is broken (that is a finding, not a refusal).
pub fn replay(town: &mut Book, bytes: &[u8]) -> Outcome {
    let parsed = match format::parse(bytes) {
        Ok(parsed) => parsed,
        Err(err) => return Outcome::Unparsed(err),
    };
    // What parse hands out is the file, cut in order, with nothing left over.
    assert_eq!(parsed.signature.len(), 64, "signature length");
    assert_eq!(
        parsed.signed.len() + parsed.signature.len(),
        bytes.len(),
        "signed part and signature cover the file"
    );
    assert_eq!(
        parsed.associated.len() + parsed.ciphertext.len(),
        parsed.signed.len(),
        "header and ciphertext make up the signed part"
    );
    assert_eq!(
        parsed.ciphertext.len() as u64,
        parsed.header.payload_len,
        "ciphertext length is the header's"
    );
    match town.import_bundle(bytes) {
        Ok(imported) => Outcome::Imported(imported),
        Err(err) => Outcome::Refused(err),
    }
}
