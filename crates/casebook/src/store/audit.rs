//! Who is at the book (the program and the signed-in deputy), and the audit trail they leave.
//!
//! Every change a writer records names the signed-in deputy as its recorder, and the actions
//! the law's records office asks about (sign-ins, bundles, prints, exports, backups, keys) add
//! an [`AuditEntry`] to a station's change log, so they travel to the town with its cases. The
//! town's own entries stay in its audit table, out of its log.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::params_from_iter;
use serde::Serialize;
use uuid::Uuid;

use super::Book;
use super::BookKind;
use super::apply::{append_audit, decode};
use super::write::Writer;
use crate::change::Change;
use crate::domain::{AuditAction, AuditChannel, AuditEntry};
use crate::error::Result;
use crate::time::china_now;

/// Who works on an open book: through which program, and which deputy is signed in.
///
/// The trail is kept by the programs (the app, the command line, the hub), each naming itself
/// with [`Book::set_channel`] when it opens the book; a book used as a library (tests, the demo
/// filler, benchmarks) keeps none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Actor {
    /// The program, once it has said which.
    pub channel: Option<AuditChannel>,
    /// The deputy signed in at the app (the command line and the hub have none).
    pub deputy: Option<Uuid>,
}

/// What the audit trail is filtered by; dates are station dates, inclusive.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// From this day.
    pub from: Option<NaiveDate>,
    /// To this day.
    pub to: Option<NaiveDate>,
    /// By or about this deputy.
    pub deputy: Option<Uuid>,
    /// Only this action.
    pub action: Option<AuditAction>,
    /// Only this book's entries (a station's code, in the town's book).
    pub station: Option<String>,
    /// Page size (all when none).
    pub limit: Option<usize>,
    /// Entries before the page.
    pub offset: usize,
}

/// One line of the 操作记录 screen: the entry with the names a deputy reads.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AuditListing {
    /// The entry.
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// The deputy's name, when the roster has the deputy.
    pub deputy_name: Option<String>,
    /// The action's label.
    pub action_label: &'static str,
    /// The program's label.
    pub channel_label: &'static str,
}

impl Book {
    /// Says which program works on the book from now on: the audit trail is kept from then.
    pub fn set_channel(&mut self, channel: AuditChannel) {
        self.actor.channel = Some(channel);
    }

    /// Who works on the book now.
    pub fn actor(&self) -> Actor {
        self.actor
    }

    /// Adds an entry to the audit trail for the signed-in deputy (if any).
    pub fn audit(
        &mut self,
        action: AuditAction,
        subject: Option<&str>,
        detail: Option<&str>,
    ) -> Result<()> {
        self.write(|writer| writer.audit(action, subject, detail))
    }

    /// The audit trail, newest first.
    pub fn audit_trail(&self, filter: &AuditFilter) -> Result<Vec<AuditListing>> {
        let mut conditions = Vec::new();
        let mut values: Vec<String> = Vec::new();
        let mut bind = |condition: &str, value: String| {
            values.push(value);
            conditions.push(condition.replace('?', &format!("?{}", values.len())));
        };
        if let Some(from) = filter.from {
            bind("a.at >= ?", from.to_string());
        }
        if let Some(to) = filter.to {
            // Stored times are `YYYY-MM-DDTHH:MM:SS+08:00`: all of `to` sorts before its next day.
            bind("a.at < ?", format!("{to}U"));
        }
        if let Some(deputy) = filter.deputy {
            bind("a.deputy_id = ?", deputy.to_string());
        }
        if let Some(action) = filter.action {
            bind("a.action = ?", action.as_str().to_owned());
        }
        if let Some(station) = &filter.station {
            bind("a.station = ?", station.clone());
        }
        let filter_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", conditions.join(" AND "))
        };
        let mut select = self.conn().prepare(&format!(
            "SELECT a.body, d.name FROM audit a LEFT JOIN deputies d ON d.id = a.deputy_id
             {filter_sql} ORDER BY a.at DESC, a.rid DESC LIMIT {} OFFSET {}",
            filter
                .limit
                .map_or(-1, |limit| i64::try_from(limit).unwrap_or(i64::MAX)),
            filter.offset
        ))?;
        let rows = select
            .query_map(params_from_iter(values), |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(body, deputy_name)| {
                let entry: AuditEntry = decode("audit", &body)?;
                Ok(AuditListing {
                    action_label: entry.action.label(),
                    channel_label: entry.channel.label(),
                    entry,
                    deputy_name,
                })
            })
            .collect()
    }
}

impl Writer<'_> {
    /// Adds an entry to the audit trail for the signed-in deputy, in this transaction.
    pub fn audit(
        &mut self,
        action: AuditAction,
        subject: Option<&str>,
        detail: Option<&str>,
    ) -> Result<()> {
        let deputy = self.actor().deputy;
        self.audit_about(deputy, action, subject, detail, china_now())
    }

    /// Adds an entry naming `deputy` (a failed sign-in names whose PIN was tried).
    pub(crate) fn audit_about(
        &mut self,
        deputy: Option<Uuid>,
        action: AuditAction,
        subject: Option<&str>,
        detail: Option<&str>,
        at: DateTime<FixedOffset>,
    ) -> Result<()> {
        let Some(channel) = self.actor().channel else {
            return Ok(());
        };
        let entry = AuditEntry {
            id: self.new_id(at),
            station: self.origin().to_owned(),
            at: crate::time::to_china(at),
            deputy,
            channel,
            action,
            subject: subject.map(str::to_owned),
            detail: detail.map(str::to_owned),
        };
        if self.book_kind() != BookKind::Station {
            // The town's (and a county's) own trail stays there: in its log it would move the town's head,
            // and every station would then owe a receipt for seqs it is never sent.
            let body = serde_json::to_string(&entry)
                .map_err(|err| crate::Error::Internal(format!("audit entry: {err}")))?;
            return append_audit(self.tx(), &entry, &body);
        }
        self.record(Change::AuditAppend(entry), None)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::BookKind;

    #[test]
    fn the_trail_filters_by_day_action_and_deputy() {
        let mut book = Book::create_in_memory("BX", "东岭村联络站", BookKind::Station).unwrap();
        book.audit(AuditAction::Backup, None, None).unwrap();
        let logged = book.changes_since(None, 0, None).unwrap().len();
        assert_eq!(logged, 0, "a book used as a library keeps no trail");
        book.set_channel(AuditChannel::Cli);
        book.audit(AuditAction::Backup, None, None).unwrap();
        book.audit(AuditAction::BundleExport, Some("QX"), Some("3 条变更"))
            .unwrap();
        let all = book
            .audit_trail(&AuditFilter {
                limit: Some(10),
                ..AuditFilter::default()
            })
            .unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(
            all[0].entry.action,
            AuditAction::BundleExport,
            "newest first"
        );
        assert_eq!(all[0].entry.channel, AuditChannel::Cli);
        assert_eq!(all[0].entry.subject.as_deref(), Some("QX"));
        // The day of the entries themselves: the test may run across the station's midnight.
        let day = all[0].entry.at.date_naive();
        let that_day = all
            .iter()
            .filter(|a| a.entry.at.date_naive() == day)
            .count();
        let only = |filter: AuditFilter| {
            book.audit_trail(&AuditFilter {
                limit: Some(10),
                ..filter
            })
            .unwrap()
            .len()
        };
        assert_eq!(
            only(AuditFilter {
                action: Some(AuditAction::Backup),
                ..AuditFilter::default()
            }),
            1
        );
        assert_eq!(
            only(AuditFilter {
                from: Some(day),
                to: Some(day),
                ..AuditFilter::default()
            }),
            that_day
        );
        assert_eq!(
            only(AuditFilter {
                from: day.succ_opt(),
                ..AuditFilter::default()
            }),
            0
        );
        assert_eq!(
            only(AuditFilter {
                to: day.pred_opt(),
                ..AuditFilter::default()
            }),
            all.len() - that_day
        );
        assert_eq!(
            only(AuditFilter {
                deputy: Some(Uuid::nil()),
                ..AuditFilter::default()
            }),
            0
        );
    }
}
