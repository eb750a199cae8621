//! The reception register (接待登记表): every reception of a range of days, one row each, as the
//! station files it. The same rows feed the reports' case register (without visitors).

use std::collections::HashMap;

use askama::Template;
use chrono::NaiveDate;
use rusqlite::params;

use super::{DayRange, category_label, chinese_time, decode_body, mask_id_number, page};
use crate::Book;
use crate::domain::{CaseStatus, Reception, Satisfaction};
use crate::error::{Error, Result};
use crate::store::stats::day_bounds;

/// One reception as registers and reports list it.
#[derive(Debug, Clone)]
pub(crate) struct RegisterRow {
    /// The stored reception (personal data: only the printed register shows visitors).
    pub reception: Reception,
    /// Receiving deputies' names.
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

impl RegisterRow {
    /// Type and finer type.
    pub(crate) fn category(&self) -> String {
        category_label(
            &self.reception.category,
            self.reception.subcategory.as_deref(),
        )
    }
}

/// A visitor as the register prints them.
struct VisitorCell {
    name: String,
    detail: String,
}

/// A row as printed.
struct PrintedRow {
    number: usize,
    case_no: String,
    received: String,
    channel: &'static str,
    visitors: Vec<VisitorCell>,
    head_count: u32,
    category: String,
    matter: String,
    request: String,
    proposed_handling: String,
    deputies: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "register.html")]
struct Register {
    station_name: String,
    period: String,
    rows: Vec<PrintedRow>,
    people: u64,
}

impl Book {
    /// The receptions received in `range` (of one station, or all), oldest first, with the same
    /// bounds as [`Book::stats`] so that a register and the figures count the same cases.
    pub(crate) fn register_rows(
        &self,
        range: DayRange,
        station: Option<&str>,
    ) -> Result<Vec<RegisterRow>> {
        let (start, end) = day_bounds(Some(range.from), Some(range.to));
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
                let reception: Reception = decode_body("接待记录", &body)?;
                let deputies = reception
                    .deputies
                    .iter()
                    .map(|id| {
                        let id = id.to_string();
                        names.get(&id).cloned().unwrap_or(id)
                    })
                    .collect();
                Ok(RegisterRow {
                    deputies,
                    grid,
                    status: CaseStatus::parse(&status)
                        .ok_or_else(|| Error::Corrupt(format!("案件状态 {status}")))?,
                    due: due
                        .parse()
                        .map_err(|_| Error::Corrupt(format!("答复期限 {due}")))?,
                    satisfaction: satisfaction.and_then(|s| {
                        Satisfaction::ALL
                            .into_iter()
                            .find(|known| known.as_str() == s)
                    }),
                    reception,
                })
            })
            .collect()
    }

    /// The reception register of `range` as a self-contained HTML page (A4, print CSS).
    ///
    /// The register stays at the station: names, phones and addresses print in full, ID
    /// numbers masked (a list of many people's numbers is not needed to call anyone back), and
    /// a visitor who asked for confidentiality as 来访人要求保密.
    ///
    /// # Errors
    /// Storage errors. An empty range prints an empty register.
    pub fn render_register(&self, range: DayRange) -> Result<String> {
        let station = match self.origin().kind {
            crate::store::BookKind::Station => Some(self.origin().code.clone()),
            crate::store::BookKind::Town => None,
        };
        let rows = self.register_rows(range, station.as_deref())?;
        let people = rows.iter().map(|r| u64::from(r.reception.head_count)).sum();
        let rows = rows
            .into_iter()
            .enumerate()
            .map(|(i, row)| {
                let r = &row.reception;
                // Even the station's register shows a confidential visitor withheld: only the
                // slip's stub names them.
                let outside = r.for_outside();
                PrintedRow {
                    number: i + 1,
                    case_no: r.case_no.clone(),
                    received: chinese_time(r.received_at),
                    channel: r.channel.label(),
                    visitors: outside
                        .visitors
                        .iter()
                        .map(|v| VisitorCell {
                            name: v.name.clone().unwrap_or_else(|| "（未留姓名）".to_owned()),
                            detail: [
                                v.phone.clone(),
                                v.id_number.as_deref().map(mask_id_number),
                                v.address.clone(),
                            ]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join("　"),
                        })
                        .collect(),
                    head_count: r.head_count,
                    category: row.category(),
                    matter: r.matter.clone(),
                    request: r.request.clone(),
                    proposed_handling: r.proposed_handling.clone().unwrap_or_default(),
                    deputies: row.deputies.join("、"),
                    status: row.status.label(),
                }
            })
            .collect();
        let register = Register {
            station_name: self.printed_station_name()?,
            period: range.label(),
            rows,
            people,
        };
        page(&register, "接待登记表")
    }

    /// The station's name as the roster has it (the book's own name before a roster arrives).
    pub(crate) fn printed_station_name(&self) -> Result<String> {
        Ok(self
            .own_station()?
            .map_or_else(|| self.origin().name.clone(), |s| s.name))
    }
}
