//! What a failed command tells the window: a stable `kind` the UI branches on (which field to
//! mark, whether to offer the wizard) and a message the deputy can act on.

use serde::Serialize;

use casebook::ErrorKind;

/// A command's failure as the UI receives it: `{kind, message}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{message}")]
pub struct CommandError {
    /// `invalid_id_number`, `not_found`, `no_book`, … (the core's kinds plus the app's own).
    pub kind: String,
    /// Chinese, ready to show.
    pub message: String,
}

impl CommandError {
    fn new(kind: &str, message: impl Into<String>) -> Self {
        CommandError {
            kind: kind.to_owned(),
            message: message.into(),
        }
    }

    /// No book is open yet: the window should show the first-run wizard.
    pub fn no_book() -> Self {
        Self::new("no_book", "本机还没有台账，请先新建本站台账")
    }

    /// A file the deputy chose could not be read or written.
    pub fn file(path: &std::path::Path, err: &std::io::Error) -> Self {
        Self::new(
            ErrorKind::BadInput.as_str(),
            format!("无法读写文件 {}：{err}", path.display()),
        )
    }

    /// A refusal of the deputy's input outside the core (settings, arguments).
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Invalid.as_str(), message)
    }

    /// Something inside the app failed; the deputy can only retry or report it.
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new("internal", message)
    }
}

impl From<casebook::Error> for CommandError {
    fn from(err: casebook::Error) -> Self {
        Self::new(err.kind().as_str(), err.to_string())
    }
}

impl From<liaison_sync::SyncError> for CommandError {
    fn from(err: liaison_sync::SyncError) -> Self {
        let kind = if err.is_transient() {
            "unreachable"
        } else {
            "sync_refused"
        };
        Self::new(kind, err.to_string())
    }
}
