//! What the station owes, and by when: `casebook due` and the 待办 panel of 今日值班. Deadlines
//! are checked when a record is entered; this watches them afterwards. Each rule and its source
//! are in docs/domain.md ("Deadlines that are watched").

use std::collections::BTreeMap;

use chrono::{DateTime, Months, NaiveDate, TimeDelta};
use rusqlite::params;
use serde::Serialize;

use super::Book;
use super::apply::{decode, parse_date};
use crate::domain::{CaseStatus, MediationEventKind, Performance, SuggestionState};
use crate::error::{Error, Result};

/// Days after a reply within which the visitor is told (反馈), and after that within which the
/// follow-up visit (回访) is made: the station's own promise of a reply in
/// [`crate::domain::DEFAULT_REPLY_DAYS`] days, applied to each following step.
pub const FOLLOW_THROUGH_DAYS: i64 = crate::domain::DEFAULT_REPLY_DAYS;

/// 人民调解法 第三十三条: the parties may apply for judicial confirmation within thirty days of
/// the agreement taking effect.
pub const CONFIRMATION_DAYS: i64 = 30;

/// A closing judicial-confirmation window is listed this many days before it closes.
pub const CONFIRMATION_NOTICE_DAYS: i64 = 7;

/// What is owed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DueKind {
    /// An answer to the visitor (the promised reply date, or a referral's deadline).
    Reply,
    /// The reply came: the visitor is to be told (反馈群众).
    Feedback,
    /// The visitor was told: the follow-up visit (回访).
    FollowUp,
    /// A mediation open for a month (人民调解工作若干规定（司法部令第75号）第三十三条: 一般在一个月内调结).
    MediationTerm,
    /// The thirty days to apply for judicial confirmation of an agreement (人民调解法 第三十三条).
    JudicialConfirmation,
    /// An agreement's performance deadline, with no full performance recorded.
    Performance,
    /// The end of a meeting's public notice (公示).
    Publication,
    /// A deputies' suggestion's answer, owed by its assignment's deadline (代表法: 交办之日起三个月内).
    SuggestionAnswer,
}

impl DueKind {
    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            DueKind::Reply => "答复来访人",
            DueKind::Feedback => "反馈群众",
            DueKind::FollowUp => "回访",
            DueKind::MediationTerm => "调解满一个月",
            DueKind::JudicialConfirmation => "司法确认申请期限",
            DueKind::Performance => "协议履行期限",
            DueKind::Publication => "公示期满",
            DueKind::SuggestionAnswer => "代表建议答复期限",
        }
    }
}

/// One thing owed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DueItem {
    /// What.
    pub kind: DueKind,
    /// The same, as the deputy reads it.
    pub label: &'static str,
    /// The record: a case number, a mediation number, or a meeting's id.
    pub record: String,
    /// Owed by this day.
    pub date: NaiveDate,
    /// Days from today to then; negative when it is late.
    pub days_left: i64,
}

impl Book {
    /// Everything owed by `today + within_days` (and everything already late), soonest first.
    ///
    /// The cases come from the index of open cases (migration 007) alone, except the few
    /// listed; mediations and meetings are read whole, being few in any book.
    pub fn due(&self, today: NaiveDate, within_days: u32) -> Result<Vec<DueItem>> {
        // Any number of days is a question with an answer: beyond the calendar, everything.
        let horizon = today
            .checked_add_days(chrono::Days::new(u64::from(within_days)))
            .unwrap_or(NaiveDate::MAX);
        let mut due = Vec::new();
        let mut owed = |kind: DueKind, record: String, date: NaiveDate| {
            if date <= horizon {
                due.push(DueItem {
                    kind,
                    label: kind.label(),
                    record,
                    date,
                    days_left: (date - today).num_days(),
                });
            }
        };
        for (case_no, status, date) in self.open_cases_owing(horizon)? {
            let kind = match status {
                CaseStatus::Replied => DueKind::Feedback,
                CaseStatus::FedBack => DueKind::FollowUp,
                _ => DueKind::Reply,
            };
            owed(kind, case_no, date);
        }
        for file in self.mediations_owing()? {
            if file.open
                && let Some(term) = file.accepted_on.checked_add_months(Months::new(1))
            {
                owed(DueKind::MediationTerm, file.number.clone(), term);
            }
            if let Some(agreed) = file.agreed_on
                && !file.confirmation_applied
            {
                let closes = agreed + TimeDelta::days(CONFIRMATION_DAYS);
                // Listed only while it can still be used: a window that closed is no task.
                if closes >= today && closes <= today + TimeDelta::days(CONFIRMATION_NOTICE_DAYS) {
                    owed(DueKind::JudicialConfirmation, file.number.clone(), closes);
                }
            }
            if let Some(deadline) = file.performance_deadline
                && !file.performed
            {
                owed(DueKind::Performance, file.number, deadline);
            }
        }
        for (id, ends) in self.publications_ending(today)? {
            owed(DueKind::Publication, id, ends);
        }
        for (number, deadline) in self.suggestions_awaiting_answer()? {
            owed(DueKind::SuggestionAnswer, number, deadline);
        }
        due.sort_by(|a, b| (a.date, a.kind, &a.record).cmp(&(b.date, b.kind, &b.record)));
        Ok(due)
    }

    /// The open cases that owe something by `horizon`: (case number, status, owed by). An
    /// answer is owed by the case's due date; feedback and the follow-up visit
    /// [`FOLLOW_THROUGH_DAYS`] after the case's latest event (the reply, the feedback).
    fn open_cases_owing(&self, horizon: NaiveDate) -> Result<Vec<(String, CaseStatus, NaiveDate)>> {
        let statuses: Vec<String> = CaseStatus::ALL
            .into_iter()
            .filter(|s| s.awaits_answer() || matches!(s, CaseStatus::Replied | CaseStatus::FedBack))
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        // The same statuses, in the same order, as the index's own WHERE (and `case_counts`).
        let sql = format!(
            "SELECT rid, status, due FROM receptions INDEXED BY receptions_open_by_due
             WHERE status IN ({})",
            statuses.join(", ")
        );
        let mut select = self.conn.prepare_cached(&sql)?;
        let open = select
            .query_map([], |row| {
                Ok((
                    row.get::<_, i64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut owing = Vec::new();
        for (rid, status, due) in open {
            let status = super::apply::parse_status(&status)?;
            let date = if status.awaits_answer() {
                parse_date(&due)?
            } else {
                let latest: String = self
                    .conn
                    .prepare_cached("SELECT max(at) FROM case_events WHERE reception_rid = ?1")?
                    .query_row([rid], |row| row.get(0))?;
                stored_day(&latest)? + TimeDelta::days(FOLLOW_THROUGH_DAYS)
            };
            if date <= horizon {
                let case_no: String = self
                    .conn
                    .prepare_cached("SELECT case_no FROM receptions WHERE rid = ?1")?
                    .query_row([rid], |row| row.get(0))?;
                owing.push((case_no, status, date));
            }
        }
        Ok(owing)
    }

    /// Each mediation file with what its deadlines depend on.
    fn mediations_owing(&self) -> Result<Vec<MediationDeadlines>> {
        let mut select = self.conn.prepare_cached(
            "SELECT m.id, m.number, m.accepted_at, m.result IS NULL, e.body
             FROM mediations m
             LEFT JOIN mediation_events e ON e.mediation_id = m.id
                 AND e.kind IN ('agreement', 'performance', 'judicial_confirmation')
             ORDER BY m.id, e.at, e.id",
        )?;
        // Folded row by row: a town's book holds tens of thousands of files, and their events'
        // bodies read all at once came to a hundred megabytes (docs/benchmarks.md, issue 18).
        let mut rows = select.query([])?;
        let mut files: BTreeMap<String, MediationDeadlines> = BTreeMap::new();
        while let Some(row) = rows.next()? {
            let (id, number, accepted_at, open, event) = (
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, bool>(3)?,
                row.get::<_, Option<String>>(4)?,
            );
            let file = match files.entry(id) {
                std::collections::btree_map::Entry::Occupied(entry) => entry.into_mut(),
                std::collections::btree_map::Entry::Vacant(entry) => {
                    entry.insert(MediationDeadlines {
                        number,
                        accepted_on: stored_day(&accepted_at)?,
                        open,
                        agreed_on: None,
                        performance_deadline: None,
                        performed: false,
                        confirmation_applied: false,
                    })
                }
            };
            let Some(body) = event else { continue };
            let event: crate::domain::MediationEvent = decode("mediation event", &body)?;
            match event.kind {
                MediationEventKind::Agreement {
                    performance_deadline,
                    ..
                } => {
                    // A new agreement starts its own windows.
                    file.agreed_on = Some(event.at.date_naive());
                    file.performance_deadline = Some(performance_deadline);
                    file.performed = false;
                    file.confirmation_applied = false;
                }
                MediationEventKind::Performance { performance } => {
                    file.performed = performance == Performance::Full;
                }
                MediationEventKind::JudicialConfirmation { .. } => {
                    file.confirmation_applied = true;
                }
                _ => {}
            }
        }
        Ok(files.into_values().collect())
    }

    /// Meetings whose public notice ends today or later: (meeting id, last day). A meeting's
    /// 公示 is on its record or, when recorded afterwards, a `published` event: never both.
    fn publications_ending(&self, today: NaiveDate) -> Result<Vec<(String, NaiveDate)>> {
        let mut select = self.conn.prepare_cached(
            "SELECT id, json_extract(body, '$.published_to') FROM meetings
             WHERE json_extract(body, '$.published_to') >= ?1
             UNION ALL
             SELECT meeting_id, json_extract(body, '$.to') FROM meeting_events
             WHERE kind = 'published' AND json_extract(body, '$.to') >= ?1",
        )?;
        let rows = select
            .query_map(params![today.to_string()], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(id, ends)| Ok((id, parse_date(&ends)?)))
            .collect()
    }
}

impl Book {
    /// Suggestions assigned and not answered since: (number, the latest deadline). Few in any
    /// book, so read whole; a drafted or merely submitted one owes nothing yet.
    fn suggestions_awaiting_answer(&self) -> Result<Vec<(String, NaiveDate)>> {
        let mut select = self.conn.prepare_cached(
            "SELECT id, number FROM suggestions WHERE status NOT IN ('drafted', 'submitted')",
        )?;
        let rows = select
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut owed = Vec::new();
        for (id, number) in rows {
            let events = super::apply::suggestion_events(&self.conn, &id)?;
            let state = SuggestionState::derive(events.iter().map(|e| (&e.at, &e.kind)));
            if let Some(deadline) = state.deadline {
                owed.push((number, deadline));
            }
        }
        Ok(owed)
    }
}

/// What a mediation file's deadlines depend on.
struct MediationDeadlines {
    number: String,
    accepted_on: NaiveDate,
    /// No result yet.
    open: bool,
    /// The latest agreement's day.
    agreed_on: Option<NaiveDate>,
    performance_deadline: Option<NaiveDate>,
    /// Fully performed since the latest agreement.
    performed: bool,
    /// Judicial confirmation applied for since the latest agreement.
    confirmation_applied: bool,
}

/// The station day of a stored time (`2026-11-28T09:30:00+08:00`).
fn stored_day(text: &str) -> Result<NaiveDate> {
    DateTime::parse_from_rfc3339(text)
        .map(|at| at.date_naive())
        .map_err(|_| Error::Corrupt(format!("time {text}")))
}
