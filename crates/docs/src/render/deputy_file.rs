//! The 代表履职档案: one deputy's year, part by part, each a table (docs/documents.md). It
//! names no visitor: a case is its number, kind, type and matter.

use askama::Template;
use casebook::domain::DeputyActivity;
use casebook::store::deputy_file::FileCase;
use casebook::{Book, Error, Result};

use super::{chinese_date, chinese_time, page, printed_station_name, summary};
use crate::report::percent;

#[derive(Template)]
#[template(path = "deputy-file.html")]
struct DeputyFileDocument {
    station_name: String,
    year: i32,
    name: String,
    congress: &'static str,
    station: String,
    grid: String,
    mediator: String,
    serving: &'static str,
    duty_days: usize,
    duty: Vec<DutyRow>,
    receptions: Vec<CaseRow>,
    concluded: Vec<CaseRow>,
    mediations: Vec<MediationRow>,
    meetings: Vec<MeetingRow>,
    suggestions: Vec<SuggestionRow>,
    reports: Vec<ActivityRow>,
    trainings: Vec<ActivityRow>,
    graded: i64,
    satisfied: i64,
    basically: i64,
    dissatisfied: i64,
    satisfied_rate: String,
}

struct DutyRow {
    date: String,
    station: String,
    hours: String,
}

struct CaseRow {
    case_no: String,
    when: String,
    kind: &'static str,
    category: String,
    matter: String,
    status: &'static str,
    closed: String,
}

struct MediationRow {
    number: String,
    accepted: String,
    dispute_type: String,
    result: &'static str,
}

struct MeetingRow {
    when: String,
    kind: &'static str,
    village: String,
    place: String,
    items: usize,
    role: &'static str,
}

struct SuggestionRow {
    number: String,
    drafted: String,
    title: String,
    role: &'static str,
    status: &'static str,
}

struct ActivityRow {
    date: String,
    place: String,
    topic: String,
    summary: String,
    /// 述职: voters present and the appraisal; 培训: who held it.
    detail: String,
}

fn case_row(case: &FileCase) -> CaseRow {
    CaseRow {
        case_no: case.case_no.clone(),
        when: chinese_time(case.received_at),
        kind: case.kind_label,
        category: case.category.clone(),
        matter: summary(&case.matter, 80),
        status: case.status_label,
        closed: case.closed_at.map(chinese_time).unwrap_or_default(),
    }
}

fn activity_row(activity: &DeputyActivity) -> ActivityRow {
    let detail = match (
        &activity.organiser,
        activity.voters_present,
        activity.appraisal,
    ) {
        (Some(organiser), _, _) => organiser.clone(),
        (None, present, appraisal) => {
            let mut parts = Vec::new();
            if let Some(present) = present {
                parts.push(format!("参加选民{present}人"));
            }
            if let Some(a) = appraisal {
                parts.push(format!(
                    "满意{}、基本满意{}、不满意{}",
                    a.satisfied, a.basically_satisfied, a.dissatisfied
                ));
            }
            parts.join("；")
        }
    };
    ActivityRow {
        date: chinese_date(activity.date),
        place: activity.place.clone(),
        topic: activity.topic.clone(),
        summary: activity
            .summary
            .as_deref()
            .map(|s| summary(s, 120))
            .unwrap_or_default(),
        detail,
    }
}

/// The file of `deputy` (an id, or a name only one deputy on the roster has) for `year`.
///
/// # Errors
/// `unknown_deputy`; `invalid` for a year out of range; storage errors.
pub fn render_deputy_file(book: &Book, deputy: &str, year: i32) -> Result<String> {
    let file = book.deputy_file(deputy, year)?;
    let basics = &file.basics;
    let s = file.satisfaction;
    let graded = s.satisfied + s.basically_satisfied + s.dissatisfied;
    let rate = (graded > 0).then(|| (s.satisfied + s.basically_satisfied) as f64 / graded as f64);
    let document = DeputyFileDocument {
        station_name: printed_station_name(book)?,
        year,
        name: basics.deputy.name.clone(),
        congress: basics.congress_label,
        station: basics
            .station_name
            .clone()
            .or_else(|| basics.deputy.station.clone())
            .unwrap_or_default(),
        grid: basics
            .grid_name
            .clone()
            .or_else(|| basics.deputy.grid.clone())
            .unwrap_or_default(),
        mediator: basics.deputy.mediator_since.map_or_else(
            || "否".to_owned(),
            |since| format!("是（{}聘任）", chinese_date(since)),
        ),
        serving: if basics.deputy.active {
            "在任"
        } else {
            "已离任"
        },
        duty_days: file.duty_days(),
        duty: file
            .duty
            .iter()
            .map(|day| DutyRow {
                date: chinese_date(day.date),
                station: day.station.clone(),
                hours: day.hours.join("，"),
            })
            .collect(),
        receptions: file.receptions.iter().map(case_row).collect(),
        concluded: file.concluded.iter().map(case_row).collect(),
        mediations: file
            .mediations
            .iter()
            .map(|m| MediationRow {
                number: m.number.clone(),
                accepted: chinese_date(m.accepted_at.date_naive()),
                dispute_type: m.dispute_type.clone(),
                result: m.result_label.unwrap_or("调解中"),
            })
            .collect(),
        meetings: file
            .meetings
            .iter()
            .map(|m| MeetingRow {
                when: chinese_time(m.held_at),
                kind: m.kind_label,
                village: m.village.clone(),
                place: m.place.clone(),
                items: m.items,
                role: if m.hosted { "主持" } else { "参加" },
            })
            .collect(),
        suggestions: file
            .suggestions
            .iter()
            .map(|listed| SuggestionRow {
                number: listed.suggestion.number.clone(),
                drafted: chinese_date(listed.suggestion.drafted_at.date_naive()),
                title: listed.suggestion.title.clone(),
                role: if listed.suggestion.lead == basics.deputy.id {
                    "领衔"
                } else {
                    "附议"
                },
                status: listed.status_label,
            })
            .collect(),
        reports: file.reports.iter().map(activity_row).collect(),
        trainings: file.trainings.iter().map(activity_row).collect(),
        graded,
        satisfied: s.satisfied,
        basically: s.basically_satisfied,
        dissatisfied: s.dissatisfied,
        satisfied_rate: percent(rate),
    };
    page(&document, "代表履职档案")
}

/// Reads the id `render_document` takes for a deputy's file: `DEPUTY:YEAR` (the deputy's id or
/// name, then the year), e.g. `陈建国:2026`.
///
/// # Errors
/// `invalid` for another form.
pub fn deputy_file_id(id: &str) -> Result<(&str, i32)> {
    id.trim()
        .rsplit_once(':')
        .and_then(|(deputy, year)| Some((deputy.trim(), year.trim().parse().ok()?)))
        .filter(|(deputy, _)| !deputy.is_empty())
        .ok_or_else(|| {
            Error::invalid(format!(
                "代表履职档案应写作“代表姓名或编号:年份”，如 陈建国:2026（收到“{id}”）"
            ))
        })
}
