//! Reading the book: the case list and search, a case with its timeline, the roster, meetings,
//! mediations and the change log.

use chrono::{DateTime, FixedOffset, NaiveDate};
use rusqlite::{OptionalExtension, Row, params};
use serde::Serialize;
use uuid::Uuid;

use super::Book;
use super::apply::{
    case_events, change_from_parts, decode, mediation_events, meeting_events, parse_date,
    parse_satisfaction, parse_status, parse_uuid, suggestion_events,
};
use crate::change::LogEntry;
use crate::domain::*;
use crate::error::{Error, Result};
use crate::search::TextQuery;
use crate::time::china_today;

/// A record that took a new number after a restore: [`Book::renumbered`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Renumbered {
    /// A case (its reception) or a mediation file.
    pub kind: RenumberedKind,
    /// Its number now.
    pub number: String,
    /// The number it was given first, printed on what the visitor holds.
    pub former: String,
    /// When the visitor came, or the mediation was accepted (stored time).
    pub at: String,
}

/// What kind of record took a new number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum RenumberedKind {
    /// A case: the 更正通知 names its case number.
    Case,
    /// A mediation file.
    Mediation,
}

/// Which cases `case list` shows.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    /// Status filter.
    pub status: Option<StatusFilter>,
    /// Dispute type.
    pub category: Option<String>,
    /// Text that must occur in the matter, request, a visitor's name or address.
    pub query: Option<String>,
    /// Page size.
    pub limit: usize,
    /// Cases skipped before the page (newest first).
    pub offset: usize,
}

/// A status filter: one status, or every case whose answer is late.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatusFilter {
    /// Exactly this status.
    Is(CaseStatus),
    /// Awaiting an answer past its due date.
    Overdue,
    /// Awaiting an answer that is not yet late.
    Awaiting,
}

impl StatusFilter {
    /// Parses `overdue`/逾期 or a status name or label.
    pub fn parse(text: &str) -> Result<StatusFilter> {
        let text = text.trim();
        if matches!(text, "overdue" | "逾期") {
            return Ok(StatusFilter::Overdue);
        }
        if matches!(text, "awaiting" | "待答复") {
            return Ok(StatusFilter::Awaiting);
        }
        CaseStatus::parse(text)
            .map(StatusFilter::Is)
            .ok_or_else(|| {
                let known: Vec<String> = CaseStatus::ALL
                    .iter()
                    .map(|s| format!("{}（{}）", s.as_str(), s.label()))
                    .collect();
                Error::invalid(format!(
                    "没有“{text}”这种状态，可用：{}、overdue（逾期）、awaiting（待答复）",
                    known.join("、")
                ))
            })
    }
}

/// One line of the case list.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseSummary {
    /// Record id.
    pub id: Uuid,
    /// Case number.
    pub case_no: String,
    /// Received at.
    pub received_at: DateTime<FixedOffset>,
    /// Channel.
    pub channel: Channel,
    /// Dispute type.
    pub category: String,
    /// Finer type.
    pub subcategory: Option<String>,
    /// Status.
    pub status: CaseStatus,
    /// Its label.
    pub status_label: &'static str,
    /// Answer owed by.
    pub due: NaiveDate,
    /// Late.
    pub overdue: bool,
    /// 事由.
    pub matter: String,
    /// Visitors' names (anonymous ones left out).
    pub visitors: Vec<String>,
    /// Head count.
    pub head_count: u32,
}

/// One event on a case's timeline, with its label.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct TimelineEntry {
    /// What the deputy reads.
    pub label: &'static str,
    /// Who recorded it.
    pub deputy_name: Option<String>,
    /// The event.
    #[serde(flatten)]
    pub event: CaseEvent,
}

/// A case with everything known about it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseDetail {
    /// The reception.
    pub reception: Reception,
    /// Receiving deputies' names, in order.
    pub deputy_names: Vec<String>,
    /// Status.
    pub status: CaseStatus,
    /// Its label.
    pub status_label: &'static str,
    /// Answer owed by.
    pub due: NaiveDate,
    /// Late.
    pub overdue: bool,
    /// Latest follow-up's satisfaction.
    pub satisfaction: Option<Satisfaction>,
    /// The timeline in order.
    pub timeline: Vec<TimelineEntry>,
    /// Council meetings that discussed it (ids).
    pub meetings: Vec<Uuid>,
    /// Mediation numbers opened for it.
    pub mediations: Vec<String>,
    /// Numbers of the deputies' suggestions drafted from it.
    pub suggestions: Vec<String>,
}

/// A deputy with the station and grid names.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeputyListing {
    /// The deputy.
    #[serde(flatten)]
    pub deputy: Deputy,
    /// Congress label.
    pub congress_label: &'static str,
    /// The grid's name, when the roster has the grid: screens show it rather than the code.
    pub grid_name: Option<String>,
    /// The station's name, when the roster has the station.
    pub station_name: Option<String>,
}

/// A deputy named on a duty shift.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DutyDeputy {
    /// Record id.
    pub id: Uuid,
    /// Name.
    pub name: String,
}

/// A duty shift with its deputies' names.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DutyShiftListing {
    /// Record id.
    pub id: Uuid,
    /// Station code.
    pub station: String,
    /// Day of duty.
    pub date: NaiveDate,
    /// Start, `HH:MM`.
    pub starts: String,
    /// End, `HH:MM`.
    pub ends: String,
    /// Deputies on duty, in roster order.
    pub deputies: Vec<DutyDeputy>,
}

/// How many cases owe something on a day: the 今日值班 screen's summary.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseCounts {
    /// Awaiting an answer, not yet late (待答复).
    pub awaiting: u32,
    /// Awaiting an answer past its due date (逾期).
    pub overdue: u32,
    /// Answered by the department; the visitor is still to be told (已答复, 待反馈).
    pub to_feed_back: u32,
    /// The visitor has been told; the follow-up visit is still to do (已反馈, 待回访).
    pub to_follow_up: u32,
}

/// A meeting in the list, with what followed it and its attendance worked out.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MeetingListing {
    /// The meeting.
    #[serde(flatten)]
    pub meeting: CouncilMeeting,
    /// Its attendance against the law of its kind.
    pub attendance: Attendance,
    /// For each item, the votes in favour its rule needed.
    pub needed: Vec<u32>,
    /// Its 公示, from the record or a later event.
    pub publication: Option<Publication>,
    /// What followed it, in order.
    pub events: Vec<MeetingEvent>,
    /// Objections not answered yet.
    pub open_objections: u32,
}

impl MeetingListing {
    /// The listing of `meeting` with its `events`.
    pub fn new(meeting: CouncilMeeting, events: Vec<MeetingEvent>) -> Self {
        let attendance = meeting.attendance();
        let needed = meeting
            .items
            .iter()
            .map(|item| {
                item.approval
                    .needed(attendance.voting_present, attendance.voting_all)
            })
            .collect();
        MeetingListing {
            publication: publication(&meeting, &events),
            open_objections: u32::try_from(open_objections(&events).len()).unwrap_or(u32::MAX),
            attendance,
            needed,
            meeting,
            events,
        }
    }
}

/// A mediation with its derived state.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MediationListing {
    /// The file.
    #[serde(flatten)]
    pub mediation: Mediation,
    /// State.
    pub state: MediationState,
    /// Open for more than a month.
    pub overdue: bool,
    /// Its events.
    pub events: Vec<MediationEvent>,
}

/// A suggestion in the list, with its deputies' names and its state.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SuggestionListing {
    /// The suggestion.
    #[serde(flatten)]
    pub suggestion: Suggestion,
    /// The lead deputy's name.
    pub lead_name: String,
    /// The co-signers' names, in order.
    pub cosigner_names: Vec<String>,
    /// Where it stands.
    pub state: SuggestionState,
    /// Its status's label.
    pub status_label: &'static str,
    /// An assignment's deadline passed without an answer.
    pub overdue: bool,
    /// Its life, in order.
    pub events: Vec<SuggestionEvent>,
}

pub(crate) fn deputy_from_row(row: &Row<'_>) -> rusqlite::Result<Deputy> {
    let text = |i: usize| row.get::<_, String>(i);
    let parse_err = |i, e: String| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
    };
    let congress = match text(2)?.as_str() {
        "national" => CongressLevel::National,
        "provincial" => CongressLevel::Provincial,
        "city" => CongressLevel::City,
        "county" => CongressLevel::County,
        _ => CongressLevel::Town,
    };
    Ok(Deputy {
        id: Uuid::parse_str(&text(0)?).map_err(|e| parse_err(0, e.to_string()))?,
        name: text(1)?,
        congress,
        grid: row.get(3)?,
        station: row.get(4)?,
        phone: row.get(5)?,
        mediator_since: row
            .get::<_, Option<String>>(6)?
            .map(|d| {
                d.parse()
                    .map_err(|e: chrono::ParseError| parse_err(6, e.to_string()))
            })
            .transpose()?,
        active: row.get(7)?,
    })
}

impl Book {
    /// Cases, newest recorded first.
    pub fn list_cases(&self, filter: &CaseFilter) -> Result<Vec<CaseSummary>> {
        let today = china_today();
        let category = filter
            .category
            .as_deref()
            .map(|c| dispute_type_index(c).map(|i| (i, DISPUTE_TYPES[i])))
            .transpose()?;
        if filter.limit == 0 {
            return Err(Error::invalid("每页条数至少为1"));
        }
        let page = (filter.offset, filter.limit);
        let rids = match filter.query.as_deref().and_then(TextQuery::parse) {
            Some(query) => {
                self.search_rids(&query, category.map(|c| c.0), filter.status, page, today)?
            }
            None => self.filter_rids(category.map(|c| c.1), filter.status, page, today)?,
        };
        rids.into_iter()
            .map(|rid| self.case_summary(rid, today))
            .collect()
    }

    /// Cases received on `day` (station time), newest first.
    pub fn cases_received_on(&self, day: NaiveDate) -> Result<Vec<CaseSummary>> {
        let next = day.succ_opt().unwrap_or(day);
        let rids = self
            .conn
            .prepare_cached(
                "SELECT rid FROM receptions WHERE received_at >= ?1 AND received_at < ?2
                 ORDER BY received_at DESC, rid DESC",
            )?
            .query_map([day.to_string(), next.to_string()], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<i64>>>()?;
        let today = china_today();
        rids.into_iter()
            .map(|rid| self.case_summary(rid, today))
            .collect()
    }

    /// Duty shifts of this book's station (every station's, in the town's book) from `from` to
    /// `to`, by day and start.
    pub fn duty_shifts(&self, from: NaiveDate, to: NaiveDate) -> Result<Vec<DutyShiftListing>> {
        let origin = self.origin();
        let station = (origin.kind == super::BookKind::Station).then(|| origin.code.clone());
        let shifts = self
            .conn
            .prepare_cached(
                "SELECT id, station, date, starts, ends, deputies FROM duty_shifts
                 WHERE date >= ?1 AND date <= ?2 AND (?3 IS NULL OR station = ?3)
                 ORDER BY date, starts, station",
            )?
            .query_map(params![from.to_string(), to.to_string(), station], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, String>(4)?,
                    row.get::<_, String>(5)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut name_of = self
            .conn
            .prepare_cached("SELECT name FROM deputies WHERE id = ?1")?;
        let mut listings = Vec::with_capacity(shifts.len());
        for (id, station, date, starts, ends, deputies) in shifts {
            let deputy_ids: Vec<Uuid> = decode("duty_shift", &deputies)?;
            let deputies = deputy_ids
                .iter()
                .map(|id| {
                    let name: Option<String> = name_of
                        .query_row([id.to_string()], |row| row.get(0))
                        .optional()?;
                    Ok(DutyDeputy {
                        id: *id,
                        name: name.unwrap_or_else(|| "（名册中无此人）".to_owned()),
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            listings.push(DutyShiftListing {
                id: parse_uuid(&id)?,
                station,
                date: parse_date(&date)?,
                starts,
                ends,
                deputies,
            });
        }
        Ok(listings)
    }

    /// How many cases owe an answer, are late, or wait for feedback or a follow-up on `today`,
    /// counted as the case list's filters count them, so each number opens the same list. One
    /// pass over the open cases' index (migration 007, which names the same statuses in the
    /// same order): no case's row is read, and closed cases, the bulk of a large book, not even
    /// in the index. `INDEXED BY` makes a list that no longer matches the index an error (the
    /// tests see it) rather than a slow first screen.
    pub fn case_counts(&self, today: NaiveDate) -> Result<CaseCounts> {
        let wanted: Vec<String> = CaseStatus::ALL
            .into_iter()
            .filter(|s| s.awaits_answer() || matches!(s, CaseStatus::Replied | CaseStatus::FedBack))
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let sql = format!(
            "SELECT status, due < ?1, count(*) FROM receptions INDEXED BY receptions_open_by_due
             WHERE status IN ({}) GROUP BY 1, 2",
            wanted.join(", ")
        );
        let mut counts = CaseCounts::default();
        let mut select = self.conn.prepare_cached(&sql)?;
        let rows = select.query_map([today.to_string()], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, bool>(1)?,
                row.get::<_, u32>(2)?,
            ))
        })?;
        for row in rows {
            let (status, late, n) = row?;
            let status = parse_status(&status)?;
            let slot = match status {
                CaseStatus::Replied => &mut counts.to_feed_back,
                CaseStatus::FedBack => &mut counts.to_follow_up,
                _ if late => &mut counts.overdue,
                _ => &mut counts.awaiting,
            };
            *slot += n;
        }
        Ok(counts)
    }

    /// The shifts of the first day after `day` that has any: who is on duty next when nobody
    /// is today. Empty when no later shift is on record.
    pub fn next_duty(&self, day: NaiveDate) -> Result<Vec<DutyShiftListing>> {
        let origin = self.origin();
        let station = (origin.kind == super::BookKind::Station).then(|| origin.code.clone());
        let next: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT min(date) FROM duty_shifts WHERE date > ?1 AND (?2 IS NULL OR station = ?2)",
            )?
            .query_row(params![day.to_string(), station], |row| row.get(0))?;
        match next {
            Some(next) => {
                let next = parse_date(&next)?;
                self.duty_shifts(next, next)
            }
            None => Ok(Vec::new()),
        }
    }

    /// This book's own station as the town's roster describes it (phone and address for
    /// slips), once a roster has arrived.
    pub fn own_station(&self) -> Result<Option<Station>> {
        let found = self
            .conn
            .query_row(
                "SELECT id, code, name, level, grid, phone, address, committee_name,
                        committee_short_name
                 FROM stations WHERE code = ?1",
                [&self.origin().code],
                |row| {
                    Ok((
                        row.get::<_, String>(0)?,
                        Station {
                            id: Uuid::nil(),
                            code: row.get(1)?,
                            name: row.get(2)?,
                            level: match row.get::<_, String>(3)?.as_str() {
                                "center" => GridLevel::Center,
                                "area" => GridLevel::Area,
                                _ => GridLevel::Base,
                            },
                            grid: row.get(4)?,
                            phone: row.get(5)?,
                            address: row.get(6)?,
                            committee: committee(row.get(7)?, row.get(8)?),
                        },
                    ))
                },
            )
            .optional()?;
        found
            .map(|(id, station)| {
                let id = parse_uuid(&id)?;
                Ok(Station { id, ..station })
            })
            .transpose()
    }

    /// The mediation committee of station `code`, as the roster has it.
    pub fn committee_of(&self, code: &str) -> Result<Option<MediationCommittee>> {
        let found: Option<(Option<String>, Option<String>)> = self
            .conn
            .prepare_cached(
                "SELECT committee_name, committee_short_name FROM stations WHERE code = ?1",
            )?
            .query_row([code], |row| Ok((row.get(0)?, row.get(1)?)))
            .optional()?;
        Ok(found.and_then(|(name, short_name)| committee(name, short_name)))
    }

    fn case_summary(&self, rid: i64, today: NaiveDate) -> Result<CaseSummary> {
        let (status, due, body): (String, String, String) = self
            .conn
            .prepare_cached("SELECT status, due, body FROM receptions WHERE rid = ?1")?
            .query_row([rid], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))?;
        let reception: Reception = decode("reception", &body)?;
        let status = parse_status(&status)?;
        let due = parse_date(&due)?;
        Ok(CaseSummary {
            id: reception.id,
            case_no: reception.case_no,
            received_at: reception.received_at,
            channel: reception.channel,
            category: reception.category,
            subcategory: reception.subcategory,
            status,
            status_label: status.label(),
            due,
            overdue: status.awaits_answer() && due < today,
            matter: reception.matter,
            visitors: reception
                .visitors
                .into_iter()
                .filter_map(|v| v.name)
                .collect(),
            head_count: reception.head_count,
        })
    }

    /// A case by its number, with its timeline.
    pub fn case(&self, case_no: &str) -> Result<CaseDetail> {
        let found: Option<(i64, String, String, Option<String>, String)> = self
            .conn
            .query_row(
                "SELECT rid, status, due, satisfaction, body FROM receptions WHERE case_no = ?1",
                [case_no.trim()],
                |row| {
                    Ok((
                        row.get(0)?,
                        row.get(1)?,
                        row.get(2)?,
                        row.get(3)?,
                        row.get(4)?,
                    ))
                },
            )
            .optional()?;
        let (rid, status, due, satisfaction, body) =
            found.ok_or_else(|| Error::not_found(format!("找不到案件“{}”", case_no.trim())))?;
        let reception: Reception = decode("reception", &body)?;
        let status = parse_status(&status)?;
        let due = parse_date(&due)?;
        let satisfaction = satisfaction
            .as_deref()
            .map(parse_satisfaction)
            .transpose()?;
        let timeline = case_events(&self.conn, rid)?
            .into_iter()
            .map(|event| {
                Ok(TimelineEntry {
                    label: event.kind.label(),
                    deputy_name: event.deputy.map(|d| self.deputy_name(d)).transpose()?,
                    event,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let deputy_names = reception
            .deputies
            .iter()
            .map(|d| self.deputy_name(*d))
            .collect::<Result<Vec<_>>>()?;
        let meetings = self
            .column_list(
                "SELECT meeting_id FROM meeting_cases WHERE case_no = ?1",
                &reception.case_no,
            )?
            .iter()
            .map(|id| parse_uuid(id))
            .collect::<Result<_>>()?;
        let mediations = self.column_list(
            "SELECT number FROM mediations WHERE case_no = ?1 ORDER BY year, seq",
            &reception.case_no,
        )?;
        let suggestions = self.column_list(
            "SELECT number FROM suggestions
             WHERE EXISTS (SELECT 1 FROM json_each(body, '$.cases') WHERE value = ?1)
             ORDER BY year, seq, station",
            &reception.case_no,
        )?;
        Ok(CaseDetail {
            reception,
            deputy_names,
            status,
            status_label: status.label(),
            due,
            overdue: status.awaits_answer() && due < china_today(),
            satisfaction,
            timeline,
            meetings,
            mediations,
            suggestions,
        })
    }

    fn column_list(&self, sql: &str, key: &str) -> Result<Vec<String>> {
        let mut select = self.conn.prepare_cached(sql)?;
        let values = select
            .query_map([key], |row| row.get(0))?
            .collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(values)
    }

    /// A deputy's name, or the id when the roster no longer has them.
    fn deputy_name(&self, id: Uuid) -> Result<String> {
        let name: Option<String> = self
            .conn
            .prepare_cached("SELECT name FROM deputies WHERE id = ?1")?
            .query_row([id.to_string()], |row| row.get(0))
            .optional()?;
        Ok(name.unwrap_or_else(|| id.to_string()))
    }

    /// The roster's deputies, by station then name.
    pub fn deputies(&self) -> Result<Vec<DeputyListing>> {
        let mut select = self.conn.prepare(
            "SELECT d.id, d.name, d.congress, d.grid, d.station, d.phone, d.mediator_since,
                    d.active, g.name, s.name
             FROM deputies d
             LEFT JOIN grids g ON g.code = d.grid
             LEFT JOIN stations s ON s.code = d.station
             ORDER BY d.station, d.congress, d.name",
        )?;
        let deputies = select
            .query_map([], |row| {
                let deputy = deputy_from_row(row)?;
                Ok(DeputyListing {
                    congress_label: deputy.congress.label(),
                    deputy,
                    grid_name: row.get(8)?,
                    station_name: row.get(9)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(deputies)
    }

    /// Council meetings, newest first.
    pub fn meetings(&self) -> Result<Vec<MeetingListing>> {
        self.meetings_page(0, None)
    }

    /// `limit` meetings (all with `None`), newest first, after the first `offset`: a screen shows
    /// a page, since a town's book holds tens of thousands.
    pub fn meetings_page(
        &self,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Vec<MeetingListing>> {
        let mut select = self.conn.prepare_cached(
            "SELECT id, body FROM meetings ORDER BY held_at DESC, id LIMIT ?1 OFFSET ?2",
        )?;
        let rows = select
            .query_map(page_bounds(offset, limit), |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.iter()
            .map(|(id, body)| {
                Ok(MeetingListing::new(
                    decode("meeting", body)?,
                    meeting_events(&self.conn, id)?,
                ))
            })
            .collect()
    }

    /// Mediation files, newest first, with their state.
    pub fn mediations(&self) -> Result<Vec<MediationListing>> {
        self.mediations_page(0, None)
    }

    /// `limit` mediation files (all with `None`), newest first, after the first `offset`. The
    /// order is found on the numbers' index alone; only the page's files are read.
    pub fn mediations_page(
        &self,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Vec<MediationListing>> {
        let mut select = self.conn.prepare_cached(
            "SELECT id, body FROM mediations WHERE rowid IN (
                 SELECT rowid FROM mediations ORDER BY year DESC, seq DESC, station
                 LIMIT ?1 OFFSET ?2)
             ORDER BY year DESC, seq DESC, station",
        )?;
        let rows = select
            .query_map(page_bounds(offset, limit), |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.iter()
            .map(|(id, body)| self.mediation_listing(id, decode("mediation", body)?))
            .collect()
    }

    /// The mediation file numbered `key`, or with the id `key`.
    pub fn mediation(&self, key: &str) -> Result<Option<MediationListing>> {
        let found: Option<(String, String)> = self
            .conn
            .query_row(
                "SELECT id, body FROM mediations WHERE number = ?1 OR id = ?1",
                [key],
                |row| Ok((row.get(0)?, row.get(1)?)),
            )
            .optional()?;
        found
            .map(|(id, body)| self.mediation_listing(&id, decode("mediation", &body)?))
            .transpose()
    }

    fn mediation_listing(&self, id: &str, mediation: Mediation) -> Result<MediationListing> {
        let events = mediation_events(&self.conn, id)?;
        let state = MediationState::derive(events.iter().map(|e| (&e.at, &e.kind)));
        Ok(MediationListing {
            overdue: mediation_overdue(mediation.accepted_at, &state, china_today()),
            mediation,
            state,
            events,
        })
    }

    /// Deputies' suggestions, newest first, with their state.
    pub fn suggestions(&self) -> Result<Vec<SuggestionListing>> {
        self.suggestions_page(0, None)
    }

    /// `limit` suggestions (all with `None`), newest first, after the first `offset`: the screen
    /// shows a page, as for meetings and mediation files.
    pub fn suggestions_page(
        &self,
        offset: usize,
        limit: Option<usize>,
    ) -> Result<Vec<SuggestionListing>> {
        let mut select = self.conn.prepare_cached(
            "SELECT body FROM suggestions ORDER BY year DESC, seq DESC, station
             LIMIT ?1 OFFSET ?2",
        )?;
        let bodies = select
            .query_map(page_bounds(offset, limit), |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        bodies
            .iter()
            .map(|body| self.suggestion_listing(decode("suggestion", body)?))
            .collect()
    }

    /// One suggestion by its number (`BX建议〔2026〕1号`), `2026-1` (this station's), or its id.
    pub fn suggestion(&self, number: &str) -> Result<SuggestionListing> {
        let key = number.trim();
        let short = short_suggestion_number(&self.origin.code, key);
        let body: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT body FROM suggestions WHERE number = ?1 OR id = ?1 OR number = ?2",
            )?
            .query_row(params![key, short], |row| row.get(0))
            .optional()?;
        let body = body.ok_or_else(|| Error::not_found(format!("找不到代表建议“{key}”")))?;
        self.suggestion_listing(decode("suggestion", &body)?)
    }

    fn suggestion_listing(&self, suggestion: Suggestion) -> Result<SuggestionListing> {
        let events = suggestion_events(&self.conn, &suggestion.id.to_string())?;
        let state = SuggestionState::derive(events.iter().map(|e| (&e.at, &e.kind)));
        let cosigner_names = suggestion
            .cosigners
            .iter()
            .map(|id| self.deputy_name(*id))
            .collect::<Result<_>>()?;
        Ok(SuggestionListing {
            lead_name: self.deputy_name(suggestion.lead)?,
            cosigner_names,
            status_label: state.status.label(),
            overdue: state.overdue(china_today()),
            state,
            suggestion,
            events,
        })
    }

    /// The suggestions deputy `deputy` led or co-signed among those drafted in `year` (the year
    /// of their number), in order: a station's book holds its own, the town's every station's.
    /// For the deputy's file (履职档案).
    pub fn suggestions_of_deputy(&self, deputy: Uuid, year: i32) -> Result<Vec<SuggestionListing>> {
        let mut select = self.conn.prepare_cached(
            "SELECT body FROM suggestions
             WHERE year = ?2 AND (lead = ?1 OR EXISTS
                 (SELECT 1 FROM json_each(body, '$.cosigners') WHERE value = ?1))
             ORDER BY seq, station",
        )?;
        let bodies = select
            .query_map(params![deputy.to_string(), year], |row| {
                row.get::<_, String>(0)
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        bodies
            .iter()
            .map(|body| self.suggestion_listing(decode("suggestion", body)?))
            .collect()
    }

    /// The records that took a new number when the town sent this station's log back after a
    /// restore (their visitors hold slips with the old number), oldest first. `INDEXED BY`:
    /// the partial indexes of migration 009 hold exactly these, so no row is read in vain.
    pub fn renumbered(&self) -> Result<Vec<Renumbered>> {
        let mut select = self.conn.prepare_cached(
            "SELECT 'case', case_no, json_extract(body, '$.former_case_no'), received_at
             FROM receptions INDEXED BY receptions_renumbered
             WHERE json_extract(body, '$.former_case_no') IS NOT NULL
             UNION ALL
             SELECT 'mediation', number, json_extract(body, '$.former_number'), accepted_at
             FROM mediations INDEXED BY mediations_renumbered
             WHERE json_extract(body, '$.former_number') IS NOT NULL
             ORDER BY 4, 2",
        )?;
        let rows = select
            .query_map([], |row| {
                Ok(Renumbered {
                    kind: if row.get::<_, String>(0)? == "case" {
                        RenumberedKind::Case
                    } else {
                        RenumberedKind::Mediation
                    },
                    number: row.get(1)?,
                    former: row.get(2)?,
                    at: row.get(3)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The change log of `origin` (this book's own when `None`) after `since`, in order.
    pub fn changes_since(
        &self,
        origin: Option<&str>,
        since: i64,
        limit: Option<usize>,
    ) -> Result<Vec<LogEntry>> {
        log_entries(
            &self.conn,
            origin.unwrap_or(&self.origin.code),
            since,
            limit,
        )
    }

    /// Everything the book holds, as text in a fixed order and without local row numbers: two
    /// books with the same records give the same dump, however they came by them.
    pub fn canonical_dump(&self) -> Result<String> {
        const QUERIES: [&str; 16] = [
            "SELECT 'grid', * FROM grids ORDER BY id",
            "SELECT 'station', * FROM stations ORDER BY id",
            "SELECT 'deputy', * FROM deputies ORDER BY id",
            "SELECT 'duty', * FROM duty_shifts ORDER BY id",
            "SELECT 'reception', id, case_no, station, case_year, case_seq, received_at, channel,
                    grid, kind, category, subcategory, head_count, reply_due, status, due,
                    satisfaction, body
             FROM receptions ORDER BY id",
            "SELECT 'reception_deputy', r.id, d.deputy_id FROM reception_deputies d
             JOIN receptions r ON r.rid = d.reception_rid ORDER BY r.id, d.deputy_id",
            "SELECT 'case_event', e.id, r.id, e.at, e.kind, e.body FROM case_events e
             JOIN receptions r ON r.rid = e.reception_rid ORDER BY e.id",
            "SELECT 'meeting', * FROM meetings ORDER BY id",
            "SELECT 'meeting_case', * FROM meeting_cases ORDER BY meeting_id, case_no",
            "SELECT 'meeting_event', * FROM meeting_events ORDER BY id",
            "SELECT 'mediation', * FROM mediations ORDER BY id",
            "SELECT 'mediation_event', * FROM mediation_events ORDER BY id",
            "SELECT 'deputy_activity', * FROM deputy_activities ORDER BY id",
            "SELECT 'suggestion', * FROM suggestions ORDER BY id",
            "SELECT 'suggestion_event', * FROM suggestion_events ORDER BY id",
            "SELECT 'change', origin, seq, hlc, deputy_id, schema_version, op, entity, record_id,
                    data, base_hlc
             FROM change_log ORDER BY origin, seq",
        ];
        let mut dump = String::new();
        for sql in QUERIES {
            let mut select = self.conn.prepare(sql)?;
            let width = select.column_count();
            let mut rows = select.query([])?;
            while let Some(row) = rows.next()? {
                let mut line = Vec::with_capacity(width);
                for i in 0..width {
                    line.push(match row.get_ref(i)? {
                        rusqlite::types::ValueRef::Null => "∅".to_owned(),
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Real(x) => x.to_string(),
                        rusqlite::types::ValueRef::Text(t) => {
                            String::from_utf8_lossy(t).into_owned()
                        }
                        rusqlite::types::ValueRef::Blob(b) => format!("{b:?}"),
                    });
                }
                dump.push_str(&line.join("\t"));
                dump.push('\n');
            }
        }
        Ok(dump)
    }

    /// Every origin in the change log with its highest seq.
    pub fn log_heads(&self) -> Result<Vec<(String, i64)>> {
        let mut select = self
            .conn
            .prepare("SELECT origin, MAX(seq) FROM change_log GROUP BY origin ORDER BY origin")?;
        let heads = select
            .query_map([], |row| Ok((row.get(0)?, row.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(heads)
    }
}

/// A committee from its stored columns: both, or none.
fn committee(name: Option<String>, short_name: Option<String>) -> Option<MediationCommittee> {
    Some(MediationCommittee {
        name: name?,
        short_name: short_name?,
    })
}

/// The change log of `origin` after `since`, in order (`limit` entries at most).
pub(crate) fn log_entries(
    conn: &rusqlite::Connection,
    origin: &str,
    since: i64,
    limit: Option<usize>,
) -> Result<Vec<LogEntry>> {
    let limit = limit.map_or(-1, |l| l as i64);
    let mut select = conn.prepare_cached(
        "SELECT origin, seq, hlc, deputy_id, schema_version, op, data, base_hlc, recorder_id
         FROM change_log WHERE origin = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
    )?;
    let rows = select
        .query_map(params![origin, since, limit], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
                row.get::<_, Option<String>>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, String>(5)?,
                row.get::<_, String>(6)?,
                row.get::<_, Option<i64>>(7)?,
                row.get::<_, Option<String>>(8)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    rows.into_iter()
        .map(
            |(origin, seq, hlc, deputy, schema_version, op, data, base_hlc, recorder)| {
                Ok(LogEntry {
                    origin,
                    seq,
                    hlc,
                    deputy: deputy.as_deref().map(parse_uuid).transpose()?,
                    recorder: recorder.as_deref().map(parse_uuid).transpose()?,
                    schema_version,
                    base_hlc,
                    change: change_from_parts(&op, &data)?,
                })
            },
        )
        .collect()
}

/// `LIMIT ?1 OFFSET ?2` for a page: SQLite reads a negative limit as none.
fn page_bounds(offset: usize, limit: Option<usize>) -> [i64; 2] {
    let clamp = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    [limit.map_or(-1, clamp), clamp(offset)]
}
