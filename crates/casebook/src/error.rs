//! One error type for the whole crate.
//!
//! Every refusal carries a stable [`ErrorKind`] that the CLI maps to exit codes and the UI
//! branches on, and a message a duty deputy can act on (in Chinese). Internal failures keep the
//! underlying cause for the operator.

use serde::{Deserialize, Serialize};

/// Result with the crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong, stable across releases: scripts and the UI branch on it. The same names
/// travel between the hub, the stations and the window (the hub's refusals, quarantined
/// bundles, the desktop app's errors); a name this build does not know reads as
/// [`ErrorKind::Unknown`], so a newer peer's new kind is shown, not refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
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
    /// An enrolment or station keys file that is damaged, truncated, tampered with, or meant
    /// for another town.
    BadEnrolment,
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
    /// The book is encrypted and no passphrase was given: nothing was read or written.
    Locked,
    /// The passphrase does not open the book: nothing was read or written.
    WrongPassphrase,
    /// The book was created or upgraded by a newer version of the software: nothing was
    /// written, and the message names the version to install when the book keeps it.
    BookTooNew,
    /// A deputy's sign-in PIN is wrong.
    WrongPin,
    /// Too many wrong PINs: the deputy cannot sign in until the time the message names.
    SignInLocked,
    /// Nobody is signed in at the app: sign in first.
    SignInRequired,
    /// The database or file system failed, or a stored record could not be read.
    Storage,
    /// Something inside the program failed (not the book, not the input): retry or report it.
    Internal,
    /// The hub could not be reached or failed (connection, timeout, 5xx): try again later.
    Unreachable,
    /// The hub: a pull request without a signature.
    Unsigned,
    /// The hub: the status page without the admin token, or with a wrong one.
    Unauthorized,
    /// The hub: the status page asked for from another machine.
    Forbidden,
    /// The hub: an upload's body came too slowly.
    TooSlow,
    /// A bundle larger than the receiver takes.
    TooLarge,
    /// The hub: too many uploads or pulls from one station in a minute.
    TooFast,
    /// The hub: no room for another upload now.
    Busy,
    /// The hub: the town's own book is behind a station (restored from an older backup).
    TownNeedsRecovery,
    /// The hub is shutting down.
    Stopping,
    /// A kind this build does not know (sent by a newer peer).
    #[serde(other)]
    Unknown,
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
            ErrorKind::BadEnrolment => "bad_enrolment",
            ErrorKind::UnknownOrigin => "unknown_origin",
            ErrorKind::BadSignature => "bad_signature",
            ErrorKind::LogBehindPeer => "log_behind_peer",
            ErrorKind::NotOwner => "not_owner",
            ErrorKind::Locked => "locked",
            ErrorKind::WrongPassphrase => "wrong_passphrase",
            ErrorKind::BookTooNew => "book_too_new",
            ErrorKind::WrongPin => "wrong_pin",
            ErrorKind::SignInLocked => "sign_in_locked",
            ErrorKind::SignInRequired => "sign_in_required",
            ErrorKind::Storage => "storage",
            ErrorKind::Internal => "internal",
            ErrorKind::Unreachable => "unreachable",
            ErrorKind::Unsigned => "unsigned",
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::TooSlow => "too_slow",
            ErrorKind::TooLarge => "too_large",
            ErrorKind::TooFast => "too_fast",
            ErrorKind::Busy => "busy",
            ErrorKind::TownNeedsRecovery => "town_needs_recovery",
            ErrorKind::Stopping => "stopping",
            ErrorKind::Unknown => "unknown",
        }
    }

    /// The kind named `name`; [`ErrorKind::Unknown`] for a name this build does not know.
    pub fn from_name(name: &str) -> ErrorKind {
        use serde::de::value::{Error as ValueError, StrDeserializer};
        ErrorKind::deserialize(StrDeserializer::<ValueError>::new(name))
            .unwrap_or(ErrorKind::Unknown)
    }

    /// A refusal is the user's input being turned down; nothing was written. The rest are
    /// failures: of the book, of the program, or of the hub or the way to it (try again later).
    pub fn is_refusal(self) -> bool {
        !matches!(
            self,
            ErrorKind::Storage
                | ErrorKind::Internal
                | ErrorKind::Unreachable
                | ErrorKind::Busy
                | ErrorKind::TownNeedsRecovery
                | ErrorKind::Stopping
                | ErrorKind::Unknown
        )
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
        /// The input field refused, as a path into the input's JSON (`visitors.1.phone`,
        /// `items.0.votes`, `parties.0.id_number`; lists counted from 0), so a form can mark it.
        field: Option<String>,
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
    /// The program failed where neither the input nor the book is to blame.
    #[error("程序内部出错：{0}")]
    Internal(String),
    /// A hub's shared database server failed or could not be reached.
    #[error("共享数据库出错：{0}")]
    SharedStore(String),
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Error {
    /// A refusal of `kind` with a message for the deputy.
    pub fn refused(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error::Refused {
            kind,
            message: message.into(),
            field: None,
        }
    }

    /// The same refusal, naming the input field it is about; a refusal that already names one
    /// (a nested check's) keeps it, and other errors are left as they are.
    #[must_use]
    pub fn at(self, path: impl Into<String>) -> Self {
        match self {
            Error::Refused {
                kind,
                message,
                field: None,
            } => Error::Refused {
                kind,
                message,
                field: Some(path.into()),
            },
            other => other,
        }
    }

    /// The input field a refusal is about, as a path (`visitors.1.phone`), when it names one.
    pub fn field(&self) -> Option<&str> {
        match self {
            Error::Refused { field, .. } => field.as_deref(),
            _ => None,
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
            Error::Sqlite(_)
            | Error::Migration(_)
            | Error::Io(_)
            | Error::Corrupt(_)
            | Error::SharedStore(_) => ErrorKind::Storage,
            Error::Internal(_) => ErrorKind::Internal,
        }
    }

    /// What a deputy reads: a refusal's own message, or for a failure a Chinese sentence that
    /// says what to do, without the technical cause (which [`Display`](std::fmt::Display) keeps
    /// for the log and the operator's command line).
    pub fn deputy_message(&self) -> String {
        match self {
            Error::Refused { message, .. } => message.clone(),
            Error::Io(err) => format!("文件读写失败（{}），请检查磁盘或U盘后重试", io_reason(err)),
            Error::Sqlite(_) | Error::Migration(_) | Error::SharedStore(_) => {
                "台账数据库出错，请重试；若反复出现，请关闭程序后重新打开，并联系镇人大办".into()
            }
            Error::Corrupt(_) => {
                "台账中有记录无法解读，台账可能已损坏：请勿继续录入，联系镇人大办从备份恢复".into()
            }
            Error::Internal(_) => "程序内部出错，请重试；若反复出现，请联系镇人大办".into(),
        }
    }
}

/// The cause of a file error in words a deputy knows.
pub fn io_reason(err: &std::io::Error) -> &'static str {
    use std::io::ErrorKind as Io;
    match err.kind() {
        Io::NotFound => "找不到文件",
        Io::PermissionDenied => "没有读写权限",
        Io::AlreadyExists => "文件已存在",
        Io::StorageFull => "磁盘已满",
        Io::ReadOnlyFilesystem => "磁盘只读",
        _ => "读写中断",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failure of the program must not tell the deputy the book is damaged, and neither
    /// failure shows its technical cause on screen.
    #[test]
    fn internal_is_apart_from_corrupt() {
        let internal = Error::Internal("no randomness from the operating system".into());
        assert_eq!(internal.kind(), ErrorKind::Internal);
        assert!(!internal.kind().is_refusal());
        assert!(!internal.deputy_message().contains("损坏"));
        assert!(!internal.deputy_message().contains("randomness"));
        let corrupt = Error::Corrupt("status 已办".into());
        assert_eq!(corrupt.kind(), ErrorKind::Storage);
        assert!(corrupt.deputy_message().contains("损坏"));
        assert!(!corrupt.deputy_message().contains("status"));
        let refused = Error::invalid("电话号码应为11位");
        assert_eq!(refused.deputy_message(), "电话号码应为11位");
    }

    #[test]
    fn kinds_read_back_by_name_and_unknown_names_read_as_unknown() {
        for name in [
            "invalid",
            "not_owner",
            "book_too_new",
            "too_fast",
            "internal",
            "unreachable",
        ] {
            let kind = ErrorKind::from_name(name);
            assert_eq!(kind.as_str(), name);
            assert_eq!(serde_json::to_string(&kind).unwrap(), format!("\"{name}\""));
            let read: ErrorKind = serde_json::from_str(&format!("\"{name}\"")).unwrap();
            assert_eq!(read, kind);
        }
        assert_eq!(ErrorKind::from_name("from_a_newer_hub"), ErrorKind::Unknown);
        let read: ErrorKind = serde_json::from_str("\"from_a_newer_hub\"").unwrap();
        assert_eq!(read, ErrorKind::Unknown);
    }
}
