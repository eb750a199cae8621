//! The audit trail (操作记录): who did what to the book, when, and through which program.
//!
//! Entries are append-only records in the change log, so a station's trail travels to the town
//! like its cases. They name records by id, case or file number and peers by code, never a
//! visitor: the trail itself holds no personal data.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The program a deputy or operator used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AuditChannel {
    /// The desktop app.
    App,
    /// The `casebook` command line.
    Cli,
    /// The town hub.
    Hub,
}

impl AuditChannel {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditChannel::App => "app",
            AuditChannel::Cli => "cli",
            AuditChannel::Hub => "hub",
        }
    }

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            AuditChannel::App => "桌面程序",
            AuditChannel::Cli => "命令行",
            AuditChannel::Hub => "镇汇总服务",
        }
    }
}

/// What was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A deputy signed in.
    SignIn,
    /// A wrong PIN.
    SignInFailed,
    /// Too many wrong PINs: the deputy is locked out for a while.
    LockedOut,
    /// A deputy signed out, switched or was signed out when the PC sat idle.
    SignOut,
    /// A deputy set their PIN.
    PinSet,
    /// A deputy's forgotten PIN cleared, to be set again at their next sign-in.
    PinReset,
    /// A sync bundle written for a peer.
    BundleExport,
    /// A sync bundle read from a peer.
    BundleImport,
    /// A sync bundle refused.
    BundleRefused,
    /// A document with personal data printed.
    DocumentPrint,
    /// A document with personal data saved to a file.
    DocumentSave,
    /// An Excel export.
    ExcelExport,
    /// A backup copy of the book.
    Backup,
    /// A peer enrolled or its keys changed.
    PeerAdd,
    /// A peer revoked.
    PeerRevoke,
    /// A station enrolled again with new keys (a new PC), from its keys file.
    PeerKeysReplace,
    /// The book's passphrase set (the book encrypted) or changed.
    PassphraseChange,
    /// The town's recovery key used on a station's book.
    RecoveryUse,
}

impl AuditAction {
    /// Every action, in display order.
    pub const ALL: [AuditAction; 18] = [
        AuditAction::SignIn,
        AuditAction::SignInFailed,
        AuditAction::LockedOut,
        AuditAction::SignOut,
        AuditAction::PinSet,
        AuditAction::PinReset,
        AuditAction::BundleExport,
        AuditAction::BundleImport,
        AuditAction::BundleRefused,
        AuditAction::DocumentPrint,
        AuditAction::DocumentSave,
        AuditAction::ExcelExport,
        AuditAction::Backup,
        AuditAction::PeerAdd,
        AuditAction::PeerRevoke,
        AuditAction::PeerKeysReplace,
        AuditAction::PassphraseChange,
        AuditAction::RecoveryUse,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::SignIn => "sign_in",
            AuditAction::SignInFailed => "sign_in_failed",
            AuditAction::LockedOut => "locked_out",
            AuditAction::SignOut => "sign_out",
            AuditAction::PinSet => "pin_set",
            AuditAction::PinReset => "pin_reset",
            AuditAction::BundleExport => "bundle_export",
            AuditAction::BundleImport => "bundle_import",
            AuditAction::BundleRefused => "bundle_refused",
            AuditAction::DocumentPrint => "document_print",
            AuditAction::DocumentSave => "document_save",
            AuditAction::ExcelExport => "excel_export",
            AuditAction::Backup => "backup",
            AuditAction::PeerAdd => "peer_add",
            AuditAction::PeerRevoke => "peer_revoke",
            AuditAction::PeerKeysReplace => "peer_keys_replace",
            AuditAction::PassphraseChange => "passphrase_change",
            AuditAction::RecoveryUse => "recovery_use",
        }
    }

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            AuditAction::SignIn => "登录",
            AuditAction::SignInFailed => "登录失败",
            AuditAction::LockedOut => "登录锁定",
            AuditAction::SignOut => "退出登录",
            AuditAction::PinSet => "设置登录密码",
            AuditAction::PinReset => "重置登录密码",
            AuditAction::BundleExport => "导出同步包",
            AuditAction::BundleImport => "导入同步包",
            AuditAction::BundleRefused => "拒收同步包",
            AuditAction::DocumentPrint => "打印文书",
            AuditAction::DocumentSave => "保存文书",
            AuditAction::ExcelExport => "导出表格",
            AuditAction::Backup => "备份台账",
            AuditAction::PeerAdd => "登记同步对方",
            AuditAction::PeerRevoke => "吊销同步对方",
            AuditAction::PeerKeysReplace => "更换站点密钥",
            AuditAction::PassphraseChange => "设置或修改台账口令",
            AuditAction::RecoveryUse => "使用镇恢复密钥",
        }
    }

    /// The action named `name` ([`Self::as_str`]).
    pub fn from_name(name: &str) -> Option<AuditAction> {
        AuditAction::ALL
            .into_iter()
            .find(|action| action.as_str() == name)
    }
}

/// One entry of the audit trail.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditEntry {
    /// Record id.
    pub id: Uuid,
    /// The book that recorded it (a station's code, or the town's).
    pub station: String,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// The signed-in deputy, or for a failed sign-in the deputy whose PIN was tried.
    pub deputy: Option<Uuid>,
    /// Through which program.
    pub channel: AuditChannel,
    /// What was done.
    pub action: AuditAction,
    /// What it was done to: a case or file number, a peer's code, a document's kind. Never a
    /// visitor's name, phone or ID number.
    pub subject: Option<String>,
    /// A short fact: how many changes a bundle carried, why it was refused.
    pub detail: Option<String>,
}
