//! Forms a deputy has begun and not yet saved.
//!
//! A half-typed reception must survive a click on another screen, a closed window and a power
//! cut, so the window keeps each open form here as it is typed. A draft may hold a visitor's
//! name, phone and ID number: it lives in the book, protected as the book is, and nowhere else.
//! Drafts are this PC's own: not in the change log, never in a bundle, and gone once the form is
//! saved or the deputy discards it.

use chrono::{DateTime, FixedOffset};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

use super::Book;
use crate::error::{Error, ErrorKind, Result};
use crate::time::{china_now, stored};

/// The most a draft's body may hold: a long reception with many visitors is a few KiB.
pub const DRAFT_MAX_BYTES: usize = 256 * 1024;

/// The longest form key (`case-event:` and a case number or record id).
const FORM_KEY_MAX: usize = 80;

/// A form's unsaved content, as the window wrote it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Draft {
    /// Which form: `reception`, `meeting`, `mediation`, `case-event:DL-2026-0001`, ….
    pub form: String,
    /// The form's fields as JSON, in the window's own shape.
    pub body: String,
    /// When it was last written (station time).
    pub saved_at: DateTime<FixedOffset>,
}

/// A form key is a short lowercase name, optionally `:` and the record it belongs to.
fn check_form_key(form: &str) -> Result<()> {
    let (name, record) = form.split_once(':').unwrap_or((form, "x"));
    let name_ok = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
        && name.as_bytes()[0].is_ascii_lowercase();
    let record_ok = !record.is_empty()
        && record
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-');
    if form.len() <= FORM_KEY_MAX && name_ok && record_ok {
        Ok(())
    } else {
        Err(Error::invalid("草稿的表单名称不正确"))
    }
}

impl Book {
    /// Keeps `body` (a JSON object) as the draft of `form`, replacing the one before.
    ///
    /// # Errors
    /// [`ErrorKind::Invalid`] for a malformed form key or a body that is not a JSON object;
    /// [`ErrorKind::TooLarge`] for a body over [`DRAFT_MAX_BYTES`].
    pub fn save_draft(&self, form: &str, body: &str) -> Result<Draft> {
        check_form_key(form)?;
        if body.len() > DRAFT_MAX_BYTES {
            return Err(Error::refused(
                ErrorKind::TooLarge,
                format!(
                    "草稿太长（{} KB），最多 {} KB，未能暂存",
                    body.len() / 1024,
                    DRAFT_MAX_BYTES / 1024
                ),
            ));
        }
        if !matches!(
            serde_json::from_str::<serde_json::Value>(body),
            Ok(serde_json::Value::Object(_))
        ) {
            return Err(Error::invalid("草稿内容不是有效的表单数据"));
        }
        let saved_at = china_now();
        self.conn().execute(
            "INSERT INTO drafts (form, body, saved_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (form) DO UPDATE SET body = excluded.body, saved_at = excluded.saved_at",
            params![form, body, stored(saved_at)],
        )?;
        Ok(Draft {
            form: form.to_owned(),
            body: body.to_owned(),
            saved_at,
        })
    }

    /// The draft of `form`, if one is kept.
    pub fn draft(&self, form: &str) -> Result<Option<Draft>> {
        check_form_key(form)?;
        let found: Option<(String, String)> = self
            .conn()
            .query_row(
                "SELECT body, saved_at FROM drafts WHERE form = ?1",
                [form],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        found
            .map(|(body, saved_at)| {
                let saved_at = DateTime::parse_from_rfc3339(&saved_at)
                    .map_err(|err| Error::Corrupt(format!("draft saved_at {saved_at}: {err}")))?;
                Ok(Draft {
                    form: form.to_owned(),
                    body,
                    saved_at,
                })
            })
            .transpose()
    }

    /// Forgets the draft of `form` (saved, or discarded by the deputy); none is fine.
    pub fn discard_draft(&self, form: &str) -> Result<()> {
        check_form_key(form)?;
        self.conn()
            .execute("DELETE FROM drafts WHERE form = ?1", [form])?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::BookKind;

    fn book() -> Book {
        Book::create_in_memory("DL", "东岭村人大代表联络站", BookKind::Station).unwrap()
    }

    #[test]
    fn a_draft_is_kept_replaced_and_discarded() {
        let book = book();
        assert_eq!(book.draft("reception").unwrap(), None);
        book.save_draft("reception", r#"{"matter":"渡槽渗漏"}"#)
            .unwrap();
        book.save_draft("reception", r#"{"matter":"渡槽渗漏，春灌缺水"}"#)
            .unwrap();
        book.save_draft("case-event:DL-2026-0001", r#"{"kind":"refer"}"#)
            .unwrap();
        let kept = book.draft("reception").unwrap().unwrap();
        assert_eq!(kept.body, r#"{"matter":"渡槽渗漏，春灌缺水"}"#);
        book.discard_draft("reception").unwrap();
        assert_eq!(book.draft("reception").unwrap(), None);
        assert!(book.draft("case-event:DL-2026-0001").unwrap().is_some());
        book.discard_draft("reception").unwrap();
    }

    /// The change log, and so every bundle, knows nothing of drafts.
    #[test]
    fn a_draft_never_enters_the_change_log() {
        let book = book();
        let before = book.changes_since(None, 0, None).unwrap().len();
        book.save_draft("reception", r#"{"visitors":[{"phone":"13912345678"}]}"#)
            .unwrap();
        assert_eq!(book.changes_since(None, 0, None).unwrap().len(), before);
    }

    #[test]
    fn hostile_drafts_are_refused_with_nothing_written() {
        let book = book();
        for form in [
            "",
            "Reception",
            "reception;drop",
            "-x",
            "case-event:",
            "case-event:a/b",
            &"x".repeat(81),
        ] {
            let err = book.save_draft(form, "{}").unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Invalid, "{form:?}");
        }
        for body in ["", "[1,2]", "\"text\"", "{not json"] {
            let err = book.save_draft("reception", body).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::Invalid, "{body:?}");
        }
        let huge = format!(r#"{{"matter":"{}"}}"#, "渠".repeat(DRAFT_MAX_BYTES / 3 + 1));
        let err = book.save_draft("reception", &huge).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TooLarge);
        assert_eq!(book.draft("reception").unwrap(), None);
    }
}
