//! Sync bundles: how a station's work reaches the town and the town's roster, referrals and
//! replies reach the station — uploaded, or on a USB stick that can be lost.
//!
//! One room per step, in the order a change travels:
//!
//! - [`keys`]: each book's Ed25519 signing and X25519 sealing keys. `peers.rs`: the books this
//!   one syncs with, enrolled by their public keys ([`Book::add_peer`]); the one check that
//!   refuses this book itself, an unknown or a revoked origin; the newest bundle format each is
//!   known to read ([`Book::peer_format`]), so that an upgraded town still reaches stations on
//!   the previous release.
//! - `export.rs`: [`Book::export_bundle`] carries every change of the book's own log after the
//!   last receipt from that peer: cumulative until acknowledged, so a lost stick loses nothing.
//!   The town sends each station the roster and what concerns that station's own records. Each
//!   peer gets the format it reads ([`format::version_for`]).
//! - [`mod@format`]: the file, byte by byte (docs/bundle-format.md).
//! - `open.rs`: a [`BundleOpener`] verifies and decrypts without writing, so the hub can open
//!   uploads on several cores before its one writer applies them.
//! - `import.rs`: [`Book::import_bundle`] and [`Book::import_prepared`] apply each bundle all or
//!   nothing: a duplicate changes nothing, the same seq with other content is refused, a bundle
//!   after a gap waits. `ownership.rs` says what a sender may write; [`quarantine`] keeps a
//!   bundle of a newer schema, or one refused from an enrolled peer.
//! - `receipts.rs`: each side records how far it holds the other's log and sends that back as a
//!   signed [`format::Receipt`] in its next bundle (or the hub's [`UploadAnswer`]), naming the
//!   last entry it holds by its hash; a receipt for more than this book holds of its own log,
//!   or naming an entry other than its own, holds sending back (a book restored or copied back
//!   from an older file).
//! - `enrol.rs`: enrolment in one signed file each way ([`Enrolment`]: the town's keys, the
//!   roster and a token, for a new station; the station's keys back), confirmed by a
//!   [`fingerprint`] read over the phone.
//! - `pull.rs` and `wire.rs`: a station's signed, replay-safe [`PullRequest`] and the other
//!   bodies the hub and a station exchange.
//! - `relay.rs`: the tier above the town: a town relays its stations' bundles, as they signed
//!   them, to its county, which checks each station's signature before it reads an entry.
//! - `status.rs`: [`Book::bundle_status`], what the town office looks at.
//!
//! [`Book::add_peer`]: crate::Book::add_peer
//! [`Book::peer_format`]: crate::Book::peer_format
//! [`Book::export_bundle`]: crate::Book::export_bundle
//! [`Book::import_bundle`]: crate::Book::import_bundle
//! [`Book::import_prepared`]: crate::Book::import_prepared
//! [`Book::bundle_status`]: crate::Book::bundle_status

mod enrol;
mod export;
pub mod format;
mod import;
pub mod keys;
mod open;
pub mod ownership;
mod peers;
mod pull;
pub mod quarantine;
mod receipts;
mod recover;
mod relay;
mod status;
mod wire;

pub use enrol::{
    Enrolment, EnrolmentSummary, EnrolmentWritten, MAX_ENROLMENT_BYTES, MAX_KEYS_BYTES,
    StationAccepted, StationEnrolled, fingerprint, read_keys_file,
};
pub use export::{Exported, SealedBundle, StoreView, StoredEntry};
pub use import::{Imported, MAX_PENDING_PER_SENDER, refuse_past_waiting_limit, unusable};
pub use open::{BundleOpener, OpenedBundle, PreparedBundle};
pub(crate) use ownership::{is_town, may_add_case_event};
pub use peers::Peer;
pub use pull::{PULL_WINDOW_DAYS, replayed_pull};
pub use quarantine::Quarantined;
pub use receipts::{ReceiptIssuer, canonical_entry_hash, missing_ranges};
pub use relay::{
    MAX_KEYS_PER_STATION, MAX_RELAY_BYTES, MAX_RELAY_UNITS, MAX_RELAYED_STATIONS, RelayOverview,
    RelayedOrigin,
};
pub use status::{Conflict, PeerStatus};
pub use wire::{PullRequest, Refusal, UploadAnswer};
