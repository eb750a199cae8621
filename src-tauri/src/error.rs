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
}

/// A command's kind: one of the core's (the hub's and the sync client's included) or the app's
/// own. Serialised as the bare name, so the UI sees one union of names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(untagged)]
pub enum CommandErrorKind {
    /// `invalid_id_number`, `not_found`, `internal`, `unreachable`, …
    Core(ErrorKind),
    /// `no_book`, `sync_refused`.
    App(AppErrorKind),
}

impl PartialEq<ErrorKind> for CommandErrorKind {
    fn eq(&self, other: &ErrorKind) -> bool {
        *self == CommandErrorKind::Core(*other)
    }
}

impl PartialEq<AppErrorKind> for CommandErrorKind {
    fn eq(&self, other: &AppErrorKind) -> bool {
        *self == CommandErrorKind::App(*other)
    }
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

    /// A file the deputy chose could not be read or written.
    pub fn file(path: &std::path::Path, err: &std::io::Error) -> Self {
        Self::new(
            ErrorKind::BadInput,
            format!("无法读写文件 {}：{err}", path.display()),
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
    fn from(err: casebook::Error) -> Self {
        CommandError {
            field: err.field().map(str::to_owned),
            ..Self::new(err.kind(), err.to_string())
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
