//! Sync bundles: how a station's work reaches the town and the town's roster, referrals and
//! replies reach the station — uploaded, or on a USB stick that can be lost.
//!
//! - [`keys`]: each book's Ed25519 signing and X25519 sealing keys; peers ([`Book::add_peer`])
//!   are enrolled by their public keys, and bundles from unknown or revoked origins are refused.
//! - [`mod@format`]: the file, byte by byte (docs/bundle-format.md).
//! - Export ([`Book::export_bundle`]) carries every change of the book's own log after the last
//!   receipt from that peer: cumulative until acknowledged, so a lost stick loses nothing. The town
//!   sends each station the roster and what concerns that station's own records.
//! - Opening ([`BundleOpener`]) verifies and decrypts without writing, so the hub can open
//!   uploads on several cores; import ([`Book::import_bundle`], [`Book::import_prepared`]) then
//!   applies each all or nothing in the one writer: a duplicate changes nothing, the same seq with
//!   other content is refused, a bundle after a gap waits, a bundle of a newer schema or one
//!   refused from an enrolled peer is kept in [`quarantine`].
//! - Receipts: each side records how far it holds the other's log and sends that back as a
//!   signed [`format::Receipt`] in its next bundle (or the hub's [`UploadAnswer`]). A receipt
//!   for more than this book holds of its own log holds sending back (a restored backup).
//! - Pulls ([`Book::pull_request`], [`Book::verify_pull`]): a station's signed, replay-safe
//!   request for its bundle from the hub.
//! - Status ([`Book::bundle_status`]): per peer what was sent, acknowledged and received.

mod export;
pub mod format;
mod import;
pub mod keys;
mod open;
mod ownership;
mod peers;
mod pull;
pub mod quarantine;
mod receipts;
mod status;
mod wire;

pub use export::{Exported, SealedBundle};
pub use import::{Imported, MAX_PENDING_PER_SENDER};
pub use open::{BundleOpener, OpenedBundle, PreparedBundle};
pub(crate) use ownership::{is_town, may_add_case_event};
pub use peers::Peer;
pub use pull::PULL_WINDOW_DAYS;
pub use quarantine::Quarantined;
pub use status::{Conflict, PeerStatus};
pub use wire::{PullRequest, Refusal, UploadAnswer};
