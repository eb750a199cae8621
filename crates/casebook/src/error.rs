//! One error type for the whole crate.
//!
//! Every refusal carries a stable [`ErrorKind`] that the CLI maps to exit codes and the UI
//! branches on, and a message a duty deputy can act on (in Chinese). Internal failures keep the
//! underlying cause for the operator.

use serde::Serialize;

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, stable across releases: scripts and the UI branch on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// A field failed validation (format, range, arithmetic).
    Invalid,
    /// An ID number whose length, date or GB 11643 check digit is wrong.
    InvalidIdNumber,
    /// A mobile number that is not `1[3-9]` followed by 9 digits.
    InvalidPhone,
    /// A date or time later than now.
    FutureDate,
    /// Quorum or vote arithmetic that cannot be right.
    Quorum,
    /// A category that is not one of the dispute types.
    UnknownCategory,
    /// A deputy that is not on the roster (or whose name is ambiguous).
    UnknownDeputy,
    /// Personal data recorded without the visitor's consent.
    ConsentRequired,
    /// A case event that the case's current status does not allow.
    InvalidTransition,
    /// The input could not be read or parsed.
    BadInput,
    /// A case, mediation or other record that does not exist.
    NotFound,
    /// Something that must not exist yet already does (e.g. a book at that path).
    AlreadyExists,
    /// A bundle that is damaged, truncated, tampered with or cannot be decrypted.
    BadBundle,
    /// A bundle sealed for another book.
    WrongRecipient,
    /// A bundle or receipt from an origin that is not enrolled, or was revoked.
    UnknownOrigin,
    /// A signed request that is not signed right, or was already used.
    BadSignature,
    /// A peer holds more of this book's own log than the book itself: the book was restored
    /// from an older backup, and new changes would reuse numbers the peer already has.
    LogBehindPeer,
    /// A bundle that writes records its sender does not own: another station's case or
    /// mediation numbers, events on another origin's records, or roster records from a station.
    NotOwner,
    /// The database or file system failed.
    Storage,
}

impl ErrorKind {
    /// The snake_case name used in JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Invalid => "invalid",
            ErrorKind::InvalidIdNumber => "invalid_id_number",
            ErrorKind::InvalidPhone => "invalid_phone",
            ErrorKind::FutureDate => "future_date",
            ErrorKind::Quorum => "quorum",
            ErrorKind::UnknownCategory => "unknown_category",
            ErrorKind::UnknownDeputy => "unknown_deputy",
            ErrorKind::ConsentRequired => "consent_required",
            ErrorKind::InvalidTransition => "invalid_transition",
            ErrorKind::BadInput => "bad_input",
            ErrorKind::NotFound => "not_found",
            ErrorKind::AlreadyExists => "already_exists",
            ErrorKind::BadBundle => "bad_bundle",
            ErrorKind::WrongRecipient => "wrong_recipient",
            ErrorKind::UnknownOrigin => "unknown_origin",
            ErrorKind::BadSignature => "bad_signature",
            ErrorKind::LogBehindPeer => "log_behind_peer",
            ErrorKind::NotOwner => "not_owner",
            ErrorKind::Storage => "storage",
        }
    }

    /// A refusal is the user's input being turned down; nothing was written.
    pub fn is_refusal(self) -> bool {
        self != ErrorKind::Storage
    }
}

/// The crate's error.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Input refused before anything was written.
    #[error("{message}")]
    Refused {
        /// Stable kind.
        kind: ErrorKind,
        /// What to tell the deputy.
        message: String,
    },
    /// The database failed.
    #[error("台账数据库出错：{0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The schema could not be brought up to date.
    #[error("台账数据库升级失败：{0}")]
    Migration(#[from] rusqlite_migration::Error),
    /// Reading or writing a file failed.
    #[error("文件读写失败：{0}")]
    Io(#[from] std::io::Error),
    /// A stored record could not be decoded (a damaged or foreign book).
    #[error("台账中的记录无法解读：{0}")]
    Corrupt(String),
}

impl Error {
    /// A refusal of `kind` with a message for the deputy.
    pub fn refused(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error::Refused {
            kind,
            message: message.into(),
        }
    }

    /// A validation refusal with the generic [`ErrorKind::Invalid`] kind.
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::refused(ErrorKind::Invalid, message)
    }

    /// A missing record.
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::refused(ErrorKind::NotFound, message)
    }

    /// The stable kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            Error::Refused { kind, .. } => *kind,
            Error::Sqlite(_) | Error::Migration(_) | Error::Io(_) | Error::Corrupt(_) => {
                ErrorKind::Storage
            }
        }
    }
}
