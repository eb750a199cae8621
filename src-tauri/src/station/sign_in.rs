//! Deputies sign in at the window with their PIN; the book then names them as the recorder of
//! every change. While nobody is signed in (and the roster has someone to sign in), the book
//! answers only the sign-in screen.

use casebook::store::sign_in::SignInDeputy;
use casebook::time::{china_now, china_today};
use casebook::{Book, Error, ErrorKind};
use serde::{Deserialize, Serialize};
use ts_rs::TS;
use uuid::Uuid;
use zeroize::Zeroizing;

use super::{BookStatus, Station};
use crate::error::CommandError;

/// The deputy signed in at the window.
#[derive(Debug, Clone, Serialize, TS)]
pub struct SignedIn {
    /// Record id.
    pub id: Uuid,
    /// Name.
    pub name: String,
}

/// Why a deputy leaves, as the audit trail says it.
#[derive(Debug, Clone, Copy, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum SignOutReason {
    /// 切换代表: another deputy takes the PC.
    Switch,
    /// 退出.
    Exit,
    /// The PC sat idle for the set time.
    Idle,
}

impl SignOutReason {
    fn label(self) -> &'static str {
        match self {
            SignOutReason::Switch => "切换代表",
            SignOutReason::Exit => "退出",
            SignOutReason::Idle => "无人操作，自动退出",
        }
    }
}

/// Who is signed in, and whether someone must be: the roster has deputies to sign in as.
pub(super) fn sign_in_state(book: &Book) -> casebook::Result<(Option<SignedIn>, bool)> {
    match book.signed_in() {
        Some(id) => {
            let name = book
                .deputies()?
                .into_iter()
                .find(|listing| listing.deputy.id == id)
                .map(|listing| listing.deputy.name)
                .unwrap_or_default();
            Ok((Some(SignedIn { id, name }), false))
        }
        None => Ok((None, !book.sign_in_deputies(china_today())?.is_empty())),
    }
}

/// Refuses work on the book while nobody is signed in and someone could be. Every command
/// passes here: a signed-in deputy costs no query.
pub(super) fn require_sign_in(book: &Book) -> casebook::Result<()> {
    if book.signed_in().is_some() || book.sign_in_deputies(china_today())?.is_empty() {
        return Ok(());
    }
    Err(Error::refused(
        ErrorKind::SignInRequired,
        "请先选择本人并输入登录密码",
    ))
}

impl Station {
    /// The deputies the sign-in screen offers: today's duty deputies first.
    pub async fn sign_in_deputies(&self) -> Result<Vec<SignInDeputy>, CommandError> {
        self.with_any_book(|book| book.sign_in_deputies(china_today()))
            .await
    }

    /// Signs `deputy` in with `pin` (their first sign-in here sets it).
    pub async fn sign_in(&self, deputy: Uuid, pin: String) -> Result<BookStatus, CommandError> {
        let pin = Zeroizing::new(pin);
        self.with_any_book(move |book| book.sign_in(deputy, &pin, china_now()))
            .await?;
        Ok(self.book_status().await)
    }

    /// Signs the deputy out: 切换代表, 退出, or the idle time has passed.
    pub async fn sign_out(&self, reason: SignOutReason) -> Result<BookStatus, CommandError> {
        self.with_any_book(move |book| book.sign_out(reason.label()))
            .await?;
        Ok(self.book_status().await)
    }
}
