//! What a failed command tells the window: a stable `kind` the UI branches on (whether to offer
//! the wizard, which field to mark), the field refused when the core names it, and a message the
//! deputy can act on.

use serde::Serialize;
use ts_rs::TS;

use casebook::ErrorKind;

/// The app's own kinds, beside the core's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AppErrorKind {
    /// No book is open yet: the window shows the first-run wizard.
    NoBook,
    /// The hub refused a sync cycle: retrying the same will not help.
    SyncRefused,
    /// This PC's key store could not be used (the book itself is unaffected).
    KeyStore,
}

/// A command's kind: one of the core's (the hub's and the sync client's included) or the app's
/// own. Serialised as the bare name, so the UI sees one union of names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(untagged)]
pub enum CommandErrorKind {
    /// `invalid_id_number`, `not_found`, `internal`, `unreachable`, …
    Core(ErrorKind),
    /// `no_book`, `sync_refused`, `key_store`.
    App(AppErrorKind),
}

/// A command's failure as the UI receives it: `{kind, message, field}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error, TS)]
#[error("{message}")]
pub struct CommandError {
    /// What went wrong, for the UI to branch on.
    pub kind: CommandErrorKind,
    /// Chinese, ready to show.
    pub message: String,
    /// The input field refused, as a path into the command's input (`visitors.1.phone`), when
    /// the refusal names one: the form marks that field.
    pub field: Option<String>,
}

impl CommandError {
    fn new(kind: impl Into<CommandErrorKind>, message: impl Into<String>) -> Self {
        CommandError {
            kind: kind.into(),
            message: message.into(),
            field: None,
        }
    }

    /// No book is open yet: the window should show the first-run wizard.
    pub fn no_book() -> Self {
        Self::new(AppErrorKind::NoBook, "本机还没有台账，请先新建本站台账")
    }

    /// This PC's key store failed; the book is as it was.
    pub fn key_store(err: crate::keystore::KeyStoreError) -> Self {
        Self::new(AppErrorKind::KeyStore, err.to_string())
    }

    /// A file the deputy chose could not be read or written.
    pub fn file(path: &std::path::Path, err: &std::io::Error) -> Self {
        Self::new(
            ErrorKind::BadInput,
            format!(
                "无法读写文件 {}：{}",
                path.display(),
                casebook::error::io_reason(err)
            ),
        )
    }

    /// A refusal of the deputy's input outside the core (settings, arguments).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid, message)
    }

    /// Something inside the app failed; the deputy can only retry or report it.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
}

impl From<ErrorKind> for CommandErrorKind {
    fn from(kind: ErrorKind) -> Self {
        CommandErrorKind::Core(kind)
    }
}

impl From<AppErrorKind> for CommandErrorKind {
    fn from(kind: AppErrorKind) -> Self {
        CommandErrorKind::App(kind)
    }
}

impl From<casebook::Error> for CommandError {
    /// A refusal keeps its message; a failure shows the deputy what to do, and its technical
    /// cause (never a visitor's data: the core's failures name records, not their contents)
    /// goes to the log.
    fn from(err: casebook::Error) -> Self {
        if !err.kind().is_refusal() {
            tracing::error!(kind = %err.kind(), "{err}");
        }
        CommandError {
            field: err.field().map(str::to_owned),
            ..Self::new(err.kind(), err.deputy_message())
        }
    }
}

impl From<liaison_sync::SyncError> for CommandError {
    fn from(err: liaison_sync::SyncError) -> Self {
        let kind = if err.is_transient() {
            CommandErrorKind::Core(ErrorKind::Unreachable)
        } else {
            CommandErrorKind::App(AppErrorKind::SyncRefused)
        };
        Self::new(kind, err.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The window shows what to do; the database's own words stay in the log.
    #[test]
    fn a_failure_shows_the_deputy_chinese_only() {
        let failed = casebook::Error::Io(std::io::Error::other("disk I/O error"));
        let shown = CommandError::from(failed);
        assert_eq!(shown.kind, CommandErrorKind::Core(ErrorKind::Storage));
        assert!(
            shown.message.starts_with("文件读写失败"),
            "{}",
            shown.message
        );
        assert!(!shown.message.contains("disk"), "{}", shown.message);
        let corrupt = CommandError::from(casebook::Error::Corrupt("status 已办".into()));
        assert!(!corrupt.message.contains("status"), "{}", corrupt.message);
        let refused = CommandError::from(casebook::Error::invalid("电话号码应为11位").at("phone"));
        assert_eq!(refused.message, "电话号码应为11位");
        assert_eq!(refused.field.as_deref(), Some("phone"));
    }
}
