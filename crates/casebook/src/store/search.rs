//! The search planner: which rows a case list reads, in which order.
//!
//! [`crate::search`] turns text into index terms; this part decides how to use the index with
//! the category and status filters so that a page costs milliseconds on a million cases, and
//! keeps the SQL beside the rest of the store's.

use chrono::NaiveDate;
use rusqlite::params;

use super::Book;
use super::apply::{decode, parse_status};
use super::read::StatusFilter;
use crate::domain::{CaseStatus, Reception};
use crate::error::Result;
use crate::search::{self, TextQuery};

/// The page being filled by a search: hits before `offset` are skipped.
struct Page {
    offset: usize,
    limit: usize,
    found: Vec<i64>,
}

impl Page {
    /// Counts a hit; true when the page is full.
    fn take(&mut self, rid: i64) -> bool {
        if self.offset > 0 {
            self.offset -= 1;
        } else {
            self.found.push(rid);
        }
        self.found.len() == self.limit
    }
}

/// What a search candidate must satisfy beyond its index terms.
struct CandidateCheck<'q> {
    query: &'q TextQuery,
    /// Position in [`DISPUTE_TYPES`], as the index's category term has it.
    category: Option<usize>,
    status: Option<StatusFilter>,
    today: String,
}

impl CandidateCheck<'_> {
    /// Checks case `rid` on its row. With `filtered`, the index already applied the category
    /// and status terms; the due date and the text (for queries of three characters or more)
    /// are checked here either way.
    fn on_row(&self, conn: &rusqlite::Connection, rid: i64, filtered: bool) -> Result<bool> {
        let by_due = matches!(
            self.status,
            Some(StatusFilter::Overdue | StatusFilter::Awaiting)
        );
        if filtered && !by_due && !self.query.needs_confirmation() {
            return Ok(true);
        }
        let mut select = conn
            .prepare_cached("SELECT category, status, due, body FROM receptions WHERE rid = ?1")?;
        let mut rows = select.query([rid])?;
        let Some(row) = rows.next()? else {
            return Ok(false);
        };
        if !filtered {
            let category: String = row.get(0)?;
            // A reception that is not a dispute has a class, not a dispute type: no match.
            if let Some(wanted) = self.category
                && crate::domain::dispute_type_index(&category).ok() != Some(wanted)
            {
                return Ok(false);
            }
            let status: String = row.get(1)?;
            let status_fits = match self.status {
                Some(StatusFilter::Is(wanted)) => wanted.as_str() == status,
                Some(StatusFilter::Overdue | StatusFilter::Awaiting) => {
                    parse_status(&status)?.awaits_answer()
                }
                None => true,
            };
            if !status_fits {
                return Ok(false);
            }
        }
        if by_due {
            let due: String = row.get(2)?;
            let late = due < self.today;
            if late != matches!(self.status, Some(StatusFilter::Overdue)) {
                return Ok(false);
            }
        }
        if !self.query.needs_confirmation() {
            return Ok(true);
        }
        let body: String = row.get(3)?;
        // Most candidates that are not hits lack the text anywhere in the record: rule them out
        // without decoding it.
        if !self.query.may_occur_in(&body) {
            return Ok(false);
        }
        let reception: Reception = decode("reception", &body)?;
        Ok(self.query.matches(search::reception_fields(&reception)))
    }
}

impl Book {
    /// Cases whose text contains `query`, newest first, filtered by category and status.
    ///
    /// FTS5 intersects lists by stepping through them, so an AND with a term that most cases
    /// carry (已办结 holds nine cases in ten) costs milliseconds even when the text itself is
    /// rare. The text's own candidates are therefore tried first, each checked against the
    /// filters on its row; only when a bounded number of them has not filled the page do the
    /// filter terms join the index query, for the older rest.
    pub(super) fn search_rids(
        &self,
        query: &TextQuery,
        category: Option<usize>,
        status: Option<StatusFilter>,
        (offset, limit): (usize, usize),
        today: NaiveDate,
    ) -> Result<Vec<i64>> {
        /// Candidates checked row by row before the filters go into the index query.
        const ROW_CHECK_BUDGET: usize = 128;
        let mut filters = Vec::new();
        if let Some(index) = category {
            filters.push(vec![search::category_term(index)]);
        }
        match status {
            Some(StatusFilter::Is(status)) => filters.push(vec![search::status_term(status)]),
            Some(StatusFilter::Overdue | StatusFilter::Awaiting) => filters.push(
                CaseStatus::ALL
                    .into_iter()
                    .filter(|s| s.awaits_answer())
                    .map(search::status_term)
                    .collect(),
            ),
            None => {}
        }
        let check = CandidateCheck {
            query,
            category,
            status,
            today: today.to_string(),
        };
        let mut page = Page {
            offset,
            limit,
            found: Vec::with_capacity(limit.min(100)),
        };
        let mut candidates = self.conn.prepare_cached(
            "SELECT rowid FROM reception_search WHERE reception_search MATCH ?1 ORDER BY rowid DESC",
        )?;
        let mut rows = candidates.query([query.fts_expression(&[])])?;
        let mut checked = 0;
        let mut below = None;
        while let Some(row) = rows.next()? {
            let rid: i64 = row.get(0)?;
            if check.on_row(&self.conn, rid, filters.is_empty())? && page.take(rid) {
                return Ok(page.found);
            }
            checked += 1;
            if !filters.is_empty() && checked == ROW_CHECK_BUDGET {
                below = Some(rid);
                break;
            }
        }
        let Some(below) = below else {
            return Ok(page.found);
        };
        let mut candidates = self.conn.prepare_cached(
            "SELECT rowid FROM reception_search WHERE reception_search MATCH ?1 AND rowid < ?2
             ORDER BY rowid DESC",
        )?;
        let mut rows = candidates.query(params![query.fts_expression(&filters), below])?;
        while let Some(row) = rows.next()? {
            let rid: i64 = row.get(0)?;
            if check.on_row(&self.conn, rid, true)? && page.take(rid) {
                break;
            }
        }
        Ok(page.found)
    }

    pub(super) fn filter_rids(
        &self,
        category: Option<&str>,
        status: Option<StatusFilter>,
        (offset, limit): (usize, usize),
        today: NaiveDate,
    ) -> Result<Vec<i64>> {
        let awaiting: Vec<String> = CaseStatus::ALL
            .into_iter()
            .filter(|s| s.awaits_answer())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let mut conditions = vec!["(?1 IS NULL OR category = ?1)".to_owned()];
        match status {
            Some(StatusFilter::Is(_)) => conditions.push("status = ?2".into()),
            Some(StatusFilter::Overdue) => {
                conditions.push(format!("status IN ({}) AND due < ?3", awaiting.join(", ")));
            }
            Some(StatusFilter::Awaiting) => {
                conditions.push(format!("status IN ({}) AND due >= ?3", awaiting.join(", ")));
            }
            None => {}
        }
        let sql = format!(
            "SELECT rid FROM receptions WHERE {} ORDER BY rid DESC LIMIT ?4 OFFSET ?5",
            conditions.join(" AND ")
        );
        let status_name = match status {
            Some(StatusFilter::Is(s)) => Some(s.as_str()),
            _ => None,
        };
        let mut select = self.conn.prepare_cached(&sql)?;
        let rids = select
            .query_map(
                params![
                    category,
                    status_name,
                    today.to_string(),
                    i64::try_from(limit).unwrap_or(i64::MAX),
                    i64::try_from(offset).unwrap_or(i64::MAX)
                ],
                |row| row.get(0),
            )?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        Ok(rids)
    }
}
