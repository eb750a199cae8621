//! Reads for the printed documents and reports (the `casebook-docs` crate): the receptions of
//! a range of days as a register lists them, a mediation file with its events, a meeting
//! with what followed it, a station's name. The documents themselves hold no SQL.

use std::collections::HashMap;

use chrono::NaiveDate;
use rusqlite::{OptionalExtension, params};

use super::Book;
use super::apply::{decode, meeting_events, parse_date, parse_satisfaction, parse_status};
use super::read::MeetingListing;
use super::stats::day_bounds;
use crate::domain::{
    CaseStatus, CouncilMeeting, Mediation, MediationEvent, Reception, Satisfaction,
};
use crate::error::Result;

/// One reception as registers and reports list it.
#[derive(Debug, Clone)]
pub struct RegisterEntry {
    /// The stored reception (personal data: only the printed register shows visitors).
    pub reception: Reception,
    /// Receiving deputies' names (the id when the roster lacks the deputy).
    pub deputies: Vec<String>,
    /// The grid's name, or its code when the roster lacks it.
    pub grid: Option<String>,
    /// Status as of now.
    pub status: CaseStatus,
    /// Answer owed by.
    pub due: NaiveDate,
    /// Latest follow-up.
    pub satisfaction: Option<Satisfaction>,
}

/// A mediation file with its events, oldest first (by time, then id).
#[derive(Debug, Clone)]
pub struct MediationWithEvents {
    /// The file as accepted.
    pub mediation: Mediation,
    /// Its events.
    pub events: Vec<MediationEvent>,
}

impl Book {
    /// The receptions received from `from` to `to` (of one station, or all), oldest first, with
    /// the same bounds as [`Book::stats`] so that a register and the figures count the same
    /// cases.
    ///
    /// # Errors
    /// Storage errors, and `Corrupt` for a stored record that cannot be decoded.
    pub fn register_entries(
        &self,
        from: NaiveDate,
        to: NaiveDate,
        station: Option<&str>,
    ) -> Result<Vec<RegisterEntry>> {
        let (start, end) = day_bounds(Some(from), Some(to));
        let names: HashMap<String, String> = self
            .deputies()?
            .into_iter()
            .map(|d| (d.deputy.id.to_string(), d.deputy.name))
            .collect();
        let mut select = self.conn().prepare(
            "SELECT r.body, r.status, r.due, r.satisfaction, COALESCE(g.name, r.grid)
             FROM receptions r LEFT JOIN grids g ON g.code = r.grid
             WHERE r.received_at >= ?1 AND r.received_at < ?2 AND (?3 IS NULL OR r.station = ?3)
             ORDER BY r.received_at, r.rid",
        )?;
        let rows = select
            .query_map(params![start, end, station], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(3)?,
                    row.get::<_, Option<String>>(4)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(body, status, due, satisfaction, grid)| {
                let reception: Reception = decode("接待记录", &body)?;
                let deputies = reception
                    .deputies
                    .iter()
                    .map(|id| {
                        let id = id.to_string();
                        names.get(&id).cloned().unwrap_or(id)
                    })
                    .collect();
                Ok(RegisterEntry {
                    deputies,
                    grid,
                    status: parse_status(&status)?,
                    due: parse_date(&due)?,
                    satisfaction: satisfaction
                        .as_deref()
                        .map(parse_satisfaction)
                        .transpose()?,
                    reception,
                })
            })
            .collect()
    }

    /// A mediation file by its number (`（2026）BX人调字第1号`) or its record id, with its
    /// events; `None` when the book has no such file.
    ///
    /// # Errors
    /// Storage errors, and `Corrupt` for a stored record that cannot be decoded.
    pub fn mediation_with_events(&self, key: &str) -> Result<Option<MediationWithEvents>> {
        Ok(self.mediation(key)?.map(|listing| MediationWithEvents {
            mediation: listing.mediation,
            events: listing.events,
        }))
    }

    /// A meeting by its record id, with what followed it; `None` when the book has no such
    /// meeting.
    ///
    /// # Errors
    /// Storage errors, and `Corrupt` for a stored record that cannot be decoded.
    pub fn meeting(&self, id: &str) -> Result<Option<MeetingListing>> {
        let body: Option<String> = self
            .conn()
            .query_row("SELECT body FROM meetings WHERE id = ?1", [id], |row| {
                row.get(0)
            })
            .optional()?;
        let Some(body) = body else {
            return Ok(None);
        };
        let meeting: CouncilMeeting = decode("会议", &body)?;
        let events = meeting_events(self.conn(), &meeting.id.to_string())?;
        Ok(Some(MeetingListing::new(meeting, events)))
    }

    /// The name of the station `code` as the roster has it; `None` when it is not on the
    /// roster.
    ///
    /// # Errors
    /// Storage errors.
    pub fn station_name(&self, code: &str) -> Result<Option<String>> {
        Ok(self
            .conn()
            .query_row("SELECT name FROM stations WHERE code = ?1", [code], |row| {
                row.get(0)
            })
            .optional()?)
    }
}
