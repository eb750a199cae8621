//! Reports for the station and the town: the station's weekly report and the town's monthly
//! statistics, as a self-contained HTML page (charts drawn as inline SVG) or an Excel workbook.
//!
//! Every figure comes from [`Book::stats`] and every listed case from the same range query
//! ([`Book::register_entries`]), so
//! a report, its workbook and `casebook stats` always agree. Reports carry no visitor's
//! personal data: they go up to the town and the county.

mod xlsx;

use askama::Template;
use casebook::store::documents::RegisterEntry;
use casebook::store::read::DutyShiftListing;
use casebook::store::stats::{DeputyRecord, DisputeTypeRow, Stats};
use casebook::{Book, Result};
use chrono::{Datelike, NaiveDate, TimeDelta};

use crate::render::chart::BarChart;
use crate::render::register::category;
use crate::render::{DayRange, chinese_date, chinese_time, page, printed_station_name, summary};

/// Which report, by the name the CLI and the app use (`weekly`, `monthly`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum ReportKind {
    /// 工作周报: a station's week, with its cases and duty roster.
    Weekly,
    /// 统计月报: the town's month in the Ministry of Justice's layout, per grid and deputy.
    Monthly,
}

impl ReportKind {
    /// `weekly` or `monthly`, or a refusal naming them.
    pub fn parse(name: &str) -> Result<ReportKind> {
        match name.trim() {
            "weekly" => Ok(ReportKind::Weekly),
            "monthly" => Ok(ReportKind::Monthly),
            other => Err(casebook::Error::invalid(format!(
                "没有“{other}”这种报表，可用：weekly（工作周报）、monthly（统计月报）"
            ))),
        }
    }

    /// The range a report covers when the user names no day: the seven days ending today for
    /// a weekly report, the month so far for a monthly one. A given `to` moves the end; a
    /// given `from` the start.
    ///
    /// # Errors
    /// `invalid` when the start falls after the end.
    pub fn range(
        self,
        today: NaiveDate,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<DayRange> {
        let to = to.unwrap_or(today);
        let from = from.unwrap_or_else(|| match self {
            ReportKind::Weekly => to - TimeDelta::days(6),
            ReportKind::Monthly => to.with_day(1).unwrap_or(to),
        });
        DayRange::new(from, to)
    }

    /// The report's title (工作周报).
    pub fn label(self) -> &'static str {
        match self {
            ReportKind::Weekly => "工作周报",
            ReportKind::Monthly => "统计月报",
        }
    }
}

/// A report's content, ready to print or export.
#[derive(Debug, Clone)]
pub struct Report {
    kind: ReportKind,
    range: DayRange,
    heading: String,
    stats: Stats,
    rows: Vec<RegisterEntry>,
    duty: Vec<DutyShiftListing>,
}

impl Report {
    /// Gathers a report over `range`, of one station or of the whole book.
    ///
    /// # Errors
    /// `invalid` for a station not on the roster; storage errors.
    pub fn gather(
        book: &Book,
        kind: ReportKind,
        station: Option<&str>,
        range: DayRange,
    ) -> Result<Report> {
        let stats = book.stats(station, Some(range.from), Some(range.to))?;
        let heading = match station {
            Some(code) => book.station_name(code)?.unwrap_or_else(|| code.to_owned()),
            None => printed_station_name(book)?,
        };
        let duty = book
            .duty_shifts(range.from, range.to)?
            .into_iter()
            .filter(|shift| station.is_none_or(|code| shift.station == code))
            .collect();
        Ok(Report {
            kind,
            range,
            heading,
            rows: book.register_entries(range.from, range.to, station)?,
            stats,
            duty,
        })
    }
}

/// A labelled figure of the summary table.
struct Figure {
    label: &'static str,
    value: String,
}

/// A case as the weekly report lists it.
struct CaseLine {
    case_no: String,
    received: String,
    category: String,
    matter: String,
    status: &'static str,
    deputies: String,
}

/// A duty shift as the weekly report lists it.
struct DutyLine {
    date: String,
    time: String,
    deputies: String,
}

#[derive(Template)]
#[template(path = "report.html")]
struct ReportPage<'a> {
    weekly: bool,
    title: String,
    period: String,
    figures: Vec<Figure>,
    categories: BarChart,
    statuses: BarChart,
    dispute_types: &'a [DisputeTypeRow],
    dispute_total: DisputeTypeRow,
    dispute_chart: BarChart,
    grids: BarChart,
    deputies: &'a [DeputyRecord],
    cases: Vec<CaseLine>,
    duty: Vec<DutyLine>,
}

/// `85.0%`, or `—` without data: how every ratio is printed, in reports and in the CLI.
pub fn percent(ratio: Option<f64>) -> String {
    ratio.map_or_else(|| "—".to_owned(), |r| format!("{:.1}%", r * 100.0))
}

impl Report {
    /// The statistics the report shows.
    pub fn stats(&self) -> &Stats {
        &self.stats
    }

    /// The days covered.
    pub fn range(&self) -> DayRange {
        self.range
    }

    /// The report's title, e.g. `东岭村人大代表联络站工作周报`.
    pub fn title(&self) -> String {
        format!("{}{}", self.heading, self.kind.label())
    }

    /// The report as a self-contained HTML page (A4, print CSS, inline SVG charts).
    ///
    /// # Errors
    /// Only if the template fails.
    pub fn html(&self) -> Result<String> {
        let s = &self.stats;
        let m = &s.mediation;
        let closed = s
            .by_status
            .iter()
            .find(|c| c.key == "closed")
            .map_or(0, |c| c.count);
        let figure = |label, value: String| Figure { label, value };
        let figures = vec![
            figure("接待来访", format!("{} 件 {} 人次", s.receptions, s.people)),
            figure("集体访", format!("{} 件", s.collective_visits)),
            figure("已办结", format!("{closed} 件")),
            figure("逾期未答复", format!("{} 件", s.overdue)),
            figure(
                "回访满意率",
                format!(
                    "{}（满意 {}，基本满意 {}，不满意 {}）",
                    percent(s.satisfaction.rate),
                    s.satisfaction.satisfied,
                    s.satisfaction.basically_satisfied,
                    s.satisfaction.dissatisfied
                ),
            ),
            figure(
                "人民调解",
                format!(
                    "受理 {}，成功 {}，不成 {}，终止 {}，在办 {}（超期 {}），成功率 {}",
                    m.accepted,
                    m.succeeded,
                    m.failed,
                    m.terminated,
                    m.open,
                    m.overdue,
                    percent(m.success_rate)
                ),
            ),
            figure(
                "司法确认",
                format!(
                    "申请 {}，确认 {}",
                    m.judicial_confirmations_applied, m.judicial_confirmations_confirmed
                ),
            ),
            figure(
                "会议",
                format!(
                    "{} 次，其中达到法定人数 {} 次{}",
                    s.meetings.held,
                    s.meetings.quorate,
                    {
                        let kinds: Vec<String> = s
                            .meetings
                            .by_kind
                            .iter()
                            .filter(|k| k.held > 0)
                            .map(|k| format!("{} {}", k.label, k.held))
                            .collect();
                        if kinds.is_empty() {
                            String::new()
                        } else {
                            format!("（{}）", kinds.join("，"))
                        }
                    }
                ),
            ),
            figure(
                "代表建议",
                format!(
                    "起草 {}，提交 {}，答复 {}（答复逾期 {}），代表满意 {}，基本满意 {}，不满意 {}",
                    s.suggestions.drafted,
                    s.suggestions.submitted,
                    s.suggestions.answered,
                    s.suggestions.overdue,
                    s.suggestions.satisfied,
                    s.suggestions.basically_satisfied,
                    s.suggestions.dissatisfied
                ),
            ),
        ];
        let counts = |list: &[casebook::store::stats::Count]| {
            BarChart::new(list.iter().map(|c| (c.label.clone(), c.count)))
        };
        let page_data = ReportPage {
            weekly: self.kind == ReportKind::Weekly,
            title: self.title(),
            period: self.range.label(),
            figures,
            categories: counts(&s.by_category),
            statuses: counts(&s.by_status),
            dispute_types: &s.mediation_by_type,
            dispute_total: s.mediation_total(),
            dispute_chart: BarChart::new(
                s.mediation_by_type
                    .iter()
                    .filter(|row| row.accepted > 0)
                    .map(|row| (row.dispute_type.clone(), row.accepted)),
            ),
            grids: counts(&s.by_grid),
            deputies: &s.deputies,
            cases: self
                .rows
                .iter()
                .map(|row| CaseLine {
                    case_no: row.reception.case_no.clone(),
                    received: chinese_time(row.reception.received_at),
                    category: category(row),
                    matter: summary(&row.reception.matter, 40),
                    status: row.status.label(),
                    deputies: row.deputies.join("、"),
                })
                .collect(),
            duty: self
                .duty
                .iter()
                .map(|shift| DutyLine {
                    date: chinese_date(shift.date),
                    time: format!("{}–{}", shift.starts, shift.ends),
                    deputies: shift
                        .deputies
                        .iter()
                        .map(|d| d.name.as_str())
                        .collect::<Vec<_>>()
                        .join("、"),
                })
                .collect(),
        };
        page(&page_data, "报表")
    }
}
