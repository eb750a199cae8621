//! What the hub and a station's sync client send each other besides bundles (JSON bodies).

use serde::Serialize;

use super::Imported;
use super::format::Receipt;
use crate::error::ErrorKind;

/// What the hub answers to an upload.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct UploadAnswer {
    /// What the import did.
    pub imported: Imported,
    /// The town's signed receipt for the station's changes.
    pub receipt: Option<Receipt>,
}

/// The body of a refusal by the hub.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Refusal {
    /// Stable kind, as in the CLI.
    pub kind: ErrorKind,
    /// A short reason.
    pub message: String,
}

/// A station's signed request for its bundle from the hub. Replay-safe by its nonce, which
/// the hub accepts once (the time is informative: station clocks may be days off).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct PullRequest {
    /// The station asking.
    pub station: String,
    /// When it asked (RFC 3339, its own clock).
    pub time: String,
    /// 16 random bytes, base64.
    pub nonce: String,
    /// Ed25519 signature (base64) of the station over [`PullRequest::signed_text`].
    pub signature: String,
}

impl PullRequest {
    /// What the signature covers.
    pub fn signed_text(&self) -> String {
        format!(
            "liaison-pull v1\n{}\n{}\n{}",
            self.station, self.time, self.nonce
        )
    }
}
