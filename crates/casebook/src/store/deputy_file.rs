//! A deputy's activities (述职, 培训) and the deputy's file for a year (代表履职档案).
//!
//! The file gathers, for one deputy and one calendar year in station time (UTC+8: a reception
//! at 12-31 23:59 belongs to that year, one at 01-01 00:00 to the next), what the book holds
//! of the deputy's work, over every station of the book:
//!
//! - basic information: name, congress level, grid, station, 特邀调解员 since when;
//! - duty days: days of the station's duty roster (值班安排) naming the deputy;
//! - receptions the deputy received (named on the reception);
//! - cases followed to the end (跟踪办结): cases the deputy received that are 已办结 now and
//!   whose latest 办结 falls in the year (a case reopened and not closed again is not counted;
//!   a case received in one year and closed in the next counts in the year it was closed);
//! - mediations: files accepted in the year with the deputy among the mediators;
//! - meetings: held in the year with the deputy among the deputies present, or hosted by the
//!   deputy (the host's name is the deputy's);
//! - 代表建议: suggestions drafted in the year (the year of their number) that the deputy led or
//!   co-signed;
//! - voters' satisfaction with the deputy, asked at the follow-up visits (in the year) of the
//!   cases the deputy received;
//! - reports to voters (述职, with the voters' appraisal) and trainings dated in the year.
//!
//! The file carries no visitor's name, phone or ID number: a case is its number, kind, type and
//! matter.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime};
use rusqlite::params;
use serde::Serialize;
use uuid::Uuid;

use super::Book;
use super::apply::{decode, mediation_events, parse_date, parse_satisfaction, parse_status};
use super::read::SuggestionListing;
use super::stats::day_bounds;
use crate::domain::{
    CouncilMeeting, Deputy, DeputyActivity, DeputyActivityKind, Mediation, MediationState,
    Reception, Satisfaction,
};
use crate::error::{Error, ErrorKind, Result};
use crate::validate;

/// A deputy's activity as listed: the record, its label and the deputy's name.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeputyActivityListing {
    /// The record.
    #[serde(flatten)]
    pub activity: DeputyActivity,
    /// 向选民述职 or 参加培训.
    pub kind_label: &'static str,
    /// The deputy's name on the roster.
    pub deputy_name: String,
}

/// Who the file is about.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeputyBasics {
    /// The roster's record.
    pub deputy: Deputy,
    /// 镇人大代表, 县人大代表, ….
    pub congress_label: &'static str,
    /// The grid's name, when the roster has the grid.
    pub grid_name: Option<String>,
    /// The station's name, when the roster has the station.
    pub station_name: Option<String>,
}

/// A day on duty.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DutyDay {
    /// The day.
    pub date: NaiveDate,
    /// The station's name (its code when the roster lacks it).
    pub station: String,
    /// Its shifts that day naming the deputy, `09:00–12:00`.
    pub hours: Vec<String>,
}

/// A case in the file: no visitor in it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileCase {
    /// Case number.
    pub case_no: String,
    /// Received.
    pub received_at: DateTime<FixedOffset>,
    /// 矛盾纠纷, 意见建议, ….
    pub kind_label: &'static str,
    /// Type (and finer type).
    pub category: String,
    /// The matter.
    pub matter: String,
    /// Status now.
    pub status_label: &'static str,
    /// For a case followed to the end: when it was closed (its latest 办结).
    pub closed_at: Option<DateTime<FixedOffset>>,
}

/// A mediation in the file.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileMediation {
    /// Its number.
    pub number: String,
    /// Accepted.
    pub accepted_at: DateTime<FixedOffset>,
    /// Dispute type.
    pub dispute_type: String,
    /// 调解成功（书面协议）, …; none while open.
    pub result_label: Option<&'static str>,
}

/// A meeting in the file.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct FileMeeting {
    /// Meeting id.
    pub id: Uuid,
    /// When.
    pub held_at: DateTime<FixedOffset>,
    /// 民主议事会, 村民代表会议, ….
    pub kind_label: &'static str,
    /// Village.
    pub village: String,
    /// Where.
    pub place: String,
    /// Items discussed.
    pub items: usize,
    /// The deputy hosted it (主持) rather than attended.
    pub hosted: bool,
}

/// Voters' satisfaction with the deputy at the follow-up visits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SatisfactionCounts {
    /// 满意.
    pub satisfied: i64,
    /// 基本满意.
    pub basically_satisfied: i64,
    /// 不满意.
    pub dissatisfied: i64,
}

/// A deputy's file for a year (代表履职档案).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeputyFile {
    /// The year.
    pub year: i32,
    /// Basic information.
    pub basics: DeputyBasics,
    /// Days on duty, in order.
    pub duty: Vec<DutyDay>,
    /// Receptions the deputy received, in order.
    pub receptions: Vec<FileCase>,
    /// Cases followed to the end, in the order closed.
    pub concluded: Vec<FileCase>,
    /// Mediations, in order.
    pub mediations: Vec<FileMediation>,
    /// Meetings attended or hosted, in order.
    pub meetings: Vec<FileMeeting>,
    /// 代表建议 the deputy led or co-signed, drafted in the year, in order.
    pub suggestions: Vec<SuggestionListing>,
    /// Voters' satisfaction with the deputy.
    pub satisfaction: SatisfactionCounts,
    /// Reports to voters (述职), in order.
    pub reports: Vec<DeputyActivity>,
    /// Trainings, in order.
    pub trainings: Vec<DeputyActivity>,
}

impl DeputyFile {
    /// Days on duty (a day with two shifts is one day).
    pub fn duty_days(&self) -> usize {
        self.duty.len()
    }
}

/// The bounds of `year` for `column >= start AND column < end`, in station time.
fn year_bounds(year: i32) -> Result<(String, String)> {
    let first = NaiveDate::from_ymd_opt(year, 1, 1);
    let last = NaiveDate::from_ymd_opt(year, 12, 31);
    match (first, last) {
        (Some(first), Some(last)) if (2000..=9998).contains(&year) => {
            Ok(day_bounds(Some(first), Some(last)))
        }
        _ => Err(Error::invalid(format!("年份“{year}”不合理"))),
    }
}

impl Book {
    /// The deputy called `reference` (an id, or a name only one deputy on the roster has),
    /// serving or not: a file is asked for past years too.
    ///
    /// # Errors
    /// `unknown_deputy` when no deputy, or more than one, answers to it.
    pub fn find_deputy(&self, reference: &str) -> Result<Deputy> {
        let reference = reference.trim();
        validate::line("代表姓名或编号", reference, validate::limits::NAME)?;
        let (condition, value) = match Uuid::parse_str(reference) {
            Ok(id) => ("id = ?1", id.to_string()),
            Err(_) => ("name = ?1", reference.to_owned()),
        };
        let mut select = self.conn.prepare_cached(&format!(
            "SELECT id, name, congress, grid, station, phone, mediator_since, active
             FROM deputies WHERE {condition} ORDER BY active DESC, id"
        ))?;
        let mut found = select
            .query_map([value], super::read::deputy_from_row)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        match found.len() {
            1 => Ok(found.remove(0)),
            0 => Err(Error::refused(
                ErrorKind::UnknownDeputy,
                format!("代表名册中没有“{reference}”，请核对姓名或先导入名册"),
            )),
            n => Err(Error::refused(
                ErrorKind::UnknownDeputy,
                format!("名册中有{n}位代表名为“{reference}”，请改用代表编号"),
            )),
        }
    }

    /// Deputies' reports to voters and trainings, of one deputy or all, dated in `from..=to`
    /// (whole days), newest first.
    pub fn deputy_activities(
        &self,
        deputy: Option<Uuid>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Vec<DeputyActivityListing>> {
        let (start, end) = day_bounds(from, to);
        let mut select = self.conn.prepare_cached(
            "SELECT a.body, d.name FROM deputy_activities a
             LEFT JOIN deputies d ON d.id = a.deputy_id
             WHERE (?1 IS NULL OR a.deputy_id = ?1) AND a.held_on >= ?2 AND a.held_on < ?3
             ORDER BY a.held_on DESC, a.id DESC",
        )?;
        let rows = select
            .query_map(params![deputy.map(|d| d.to_string()), start, end], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(body, name)| {
                let activity: DeputyActivity = decode("deputy activity", &body)?;
                Ok(DeputyActivityListing {
                    kind_label: activity.kind.label(),
                    deputy_name: name.unwrap_or_default(),
                    activity,
                })
            })
            .collect()
    }

    /// The file of deputy `reference` (id or name, see [`Book::find_deputy`]) for `year`.
    ///
    /// # Errors
    /// `unknown_deputy`; `invalid` for a year out of range; storage errors.
    pub fn deputy_file(&self, reference: &str, year: i32) -> Result<DeputyFile> {
        let deputy = self.find_deputy(reference)?;
        let (start, end) = year_bounds(year)?;
        let id = deputy.id.to_string();
        let names: (Option<String>, Option<String>) = self.conn.query_row(
            "SELECT (SELECT name FROM grids WHERE code = ?1),
                    (SELECT name FROM stations WHERE code = ?2)",
            params![deputy.grid, deputy.station],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )?;

        let duty = self.file_duty(&id, &start, &end)?;
        let receptions = self.file_cases(
            "SELECT r.body, r.status, NULL FROM receptions r
             JOIN reception_deputies rd ON rd.reception_rid = r.rid
             WHERE rd.deputy_id = ?1 AND r.received_at >= ?2 AND r.received_at < ?3
             ORDER BY r.received_at, r.case_no",
            &id,
            &start,
            &end,
        )?;
        let concluded = self.file_cases(
            "SELECT r.body, r.status, MAX(e.at) AS closed_at FROM receptions r
             JOIN reception_deputies rd ON rd.reception_rid = r.rid
             JOIN case_events e ON e.reception_rid = r.rid AND e.kind = 'closed'
             WHERE rd.deputy_id = ?1 AND r.status = 'closed'
             GROUP BY r.rid
             HAVING closed_at >= ?2 AND closed_at < ?3
             ORDER BY closed_at, r.case_no",
            &id,
            &start,
            &end,
        )?;
        let mediations = self.file_mediations(&id, &start, &end)?;
        let meetings = self.file_meetings(&id, &deputy.name, &start, &end)?;
        let satisfaction = self.file_satisfaction(&id, &start, &end)?;
        let suggestions = self.suggestions_of_deputy(deputy.id, year)?;
        let mut reports = Vec::new();
        let mut trainings = Vec::new();
        {
            let mut select = self.conn.prepare_cached(
                "SELECT body FROM deputy_activities
                 WHERE deputy_id = ?1 AND held_on >= ?2 AND held_on < ?3
                 ORDER BY held_on, id",
            )?;
            let bodies = select
                .query_map(params![id, start, end], |row| row.get::<_, String>(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            for body in bodies {
                let activity: DeputyActivity = decode("deputy activity", &body)?;
                match activity.kind {
                    DeputyActivityKind::ReportToVoters => reports.push(activity),
                    DeputyActivityKind::Training => trainings.push(activity),
                }
            }
        }
        Ok(DeputyFile {
            year,
            basics: DeputyBasics {
                congress_label: deputy.congress.label(),
                deputy,
                grid_name: names.0,
                station_name: names.1,
            },
            duty,
            receptions,
            concluded,
            mediations,
            meetings,
            suggestions,
            satisfaction,
            reports,
            trainings,
        })
    }

    fn file_duty(&self, id: &str, start: &str, end: &str) -> Result<Vec<DutyDay>> {
        let mut select = self.conn.prepare_cached(
            "SELECT s.date, COALESCE(st.name, s.station), s.starts, s.ends
             FROM duty_shifts s CROSS JOIN json_each(s.deputies) j
             LEFT JOIN stations st ON st.code = s.station
             WHERE j.value = ?1 AND s.date >= ?2 AND s.date < ?3
             ORDER BY s.date, s.station, s.starts",
        )?;
        let rows = select
            .query_map(params![id, start, end], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, String>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let hh_mm = |t: &str| {
            NaiveTime::parse_from_str(t, "%H:%M:%S")
                .or_else(|_| NaiveTime::parse_from_str(t, "%H:%M"))
                .map(|t| t.format("%H:%M").to_string())
                .unwrap_or_else(|_| t.to_owned())
        };
        let mut days: Vec<DutyDay> = Vec::new();
        for (date, station, starts, ends) in rows {
            let date = parse_date(&date)?;
            let hours = format!("{}–{}", hh_mm(&starts), hh_mm(&ends));
            match days.last_mut() {
                Some(day) if day.date == date => {
                    if !day.station.split('、').any(|s| s == station) {
                        day.station = format!("{}、{station}", day.station);
                    }
                    day.hours.push(hours);
                }
                _ => days.push(DutyDay {
                    date,
                    station,
                    hours: vec![hours],
                }),
            }
        }
        Ok(days)
    }

    fn file_cases(&self, sql: &str, id: &str, start: &str, end: &str) -> Result<Vec<FileCase>> {
        let mut select = self.conn.prepare_cached(sql)?;
        let rows = select
            .query_map(params![id, start, end], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, Option<String>>(2)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(body, status, closed_at)| {
                let reception: Reception = decode("reception", &body)?;
                let closed_at = closed_at
                    .map(|at| {
                        DateTime::parse_from_rfc3339(&at)
                            .map_err(|e| Error::Corrupt(format!("closed at {at}: {e}")))
                    })
                    .transpose()?;
                Ok(FileCase {
                    kind_label: reception.kind.label(),
                    category: match &reception.subcategory {
                        Some(sub) => format!("{}（{sub}）", reception.category),
                        None => reception.category.clone(),
                    },
                    status_label: parse_status(&status)?.label(),
                    case_no: reception.case_no,
                    received_at: reception.received_at,
                    matter: reception.matter,
                    closed_at,
                })
            })
            .collect()
    }

    fn file_mediations(&self, id: &str, start: &str, end: &str) -> Result<Vec<FileMediation>> {
        let mut select = self.conn.prepare_cached(
            "SELECT m.id, m.body FROM mediations m
             WHERE m.accepted_at >= ?2 AND m.accepted_at < ?3
               AND EXISTS (SELECT 1 FROM json_each(m.body, '$.mediators') j
                           WHERE json_extract(j.value, '$.deputy') = ?1)
             ORDER BY m.accepted_at, m.id",
        )?;
        let rows = select
            .query_map(params![id, start, end], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        rows.into_iter()
            .map(|(mediation_id, body)| {
                let mediation: Mediation = decode("mediation", &body)?;
                let events = mediation_events(&self.conn, &mediation_id)?;
                let state = MediationState::derive(events.iter().map(|e| (&e.at, &e.kind)));
                Ok(FileMediation {
                    number: mediation.number,
                    accepted_at: mediation.accepted_at,
                    dispute_type: mediation.dispute_type,
                    result_label: state.result.map(|r| r.label()),
                })
            })
            .collect()
    }

    fn file_meetings(
        &self,
        id: &str,
        name: &str,
        start: &str,
        end: &str,
    ) -> Result<Vec<FileMeeting>> {
        let mut select = self.conn.prepare_cached(
            "SELECT m.body FROM meetings m
             WHERE m.held_at >= ?2 AND m.held_at < ?3
               AND (EXISTS (SELECT 1 FROM json_each(m.body, '$.deputies') j WHERE j.value = ?1)
                    OR json_extract(m.body, '$.host') = ?4)
             ORDER BY m.held_at, m.id",
        )?;
        let bodies = select
            .query_map(params![id, start, end, name], |row| row.get::<_, String>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        bodies
            .iter()
            .map(|body| {
                let meeting: CouncilMeeting = decode("meeting", body)?;
                Ok(FileMeeting {
                    id: meeting.id,
                    held_at: meeting.held_at,
                    kind_label: meeting.kind.label(),
                    hosted: meeting.host.trim() == name,
                    items: meeting.items.len(),
                    village: meeting.village,
                    place: meeting.place,
                })
            })
            .collect()
    }

    fn file_satisfaction(&self, id: &str, start: &str, end: &str) -> Result<SatisfactionCounts> {
        let mut select = self.conn.prepare_cached(
            "SELECT json_extract(e.body, '$.deputy_satisfaction'), COUNT(*)
             FROM case_events e
             JOIN reception_deputies rd ON rd.reception_rid = e.reception_rid
             WHERE rd.deputy_id = ?1 AND e.kind = 'follow_up' AND e.at >= ?2 AND e.at < ?3
               AND json_extract(e.body, '$.deputy_satisfaction') IS NOT NULL
             GROUP BY 1",
        )?;
        let rows = select
            .query_map(params![id, start, end], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut counts = SatisfactionCounts::default();
        for (grade, n) in rows {
            match parse_satisfaction(&grade)? {
                Satisfaction::Satisfied => counts.satisfied += n,
                Satisfaction::BasicallySatisfied => counts.basically_satisfied += n,
                Satisfaction::Dissatisfied => counts.dissatisfied += n,
            }
        }
        Ok(counts)
    }
}
