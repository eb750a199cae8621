//! The 代表建议 form (代表建议、批评和意见): one A4 page with the number, 案由, the lead and
//! co-signing deputies with lines to sign on, the category, the unit it is addressed to, the
//! reasons and the proposals, the receptions it came from, and its life: submitted, assigned,
//! answered, the deputy's opinion of the answer (征询意见). The sources carry the case number,
//! day, category and matter, never a visitor's name, phone or ID number.

use askama::Template;
use casebook::domain::{Satisfaction, SuggestionEventKind};
use casebook::{Book, Result};

use super::{chinese_date, page, printed_station_name, summary};

#[derive(Template)]
#[template(path = "suggestion.html")]
struct SuggestionForm {
    station_name: String,
    number: String,
    registered_no: String,
    title: String,
    lead: String,
    congress: &'static str,
    category: String,
    unit: String,
    drafted_on: String,
    drafted_by: String,
    submitted_on: String,
    cosigners: Vec<String>,
    reasons: String,
    proposals: String,
    sources: Vec<Source>,
    assignments: Vec<Assignment>,
    answers: Vec<Answer>,
    opinions: Vec<Opinion>,
}

struct Source {
    case_no: String,
    received: String,
    category: String,
    matter: String,
}

struct Assignment {
    on: String,
    unit: String,
    deadline: String,
}

struct Answer {
    on: String,
    unit: String,
    class: &'static str,
    answer: String,
}

struct Opinion {
    on: String,
    satisfaction: &'static str,
    opinion: String,
}

/// The form of suggestion `number` (its number, `2026-1` for this station's, or its id).
///
/// # Errors
/// `not_found` for an unknown suggestion; storage errors.
pub fn render_suggestion(book: &Book, number: &str) -> Result<String> {
    let listing = book.suggestion(number)?;
    let s = &listing.suggestion;
    let mut sources = Vec::with_capacity(s.cases.len());
    for case_no in &s.cases {
        // A source not in this book (it should be) prints its number alone.
        match book.case(case_no) {
            Ok(case) => sources.push(Source {
                case_no: case_no.clone(),
                received: chinese_date(case.reception.received_at.date_naive()),
                category: case.reception.category.clone(),
                matter: summary(&case.reception.matter, 50),
            }),
            Err(_) => sources.push(Source {
                case_no: case_no.clone(),
                received: String::new(),
                category: String::new(),
                matter: String::new(),
            }),
        }
    }
    let (mut assignments, mut answers, mut opinions) = (Vec::new(), Vec::new(), Vec::new());
    for event in &listing.events {
        let on = chinese_date(event.at.date_naive());
        match &event.kind {
            SuggestionEventKind::Submitted { .. } => {}
            SuggestionEventKind::Assigned { unit, deadline } => assignments.push(Assignment {
                on,
                unit: unit.clone(),
                deadline: chinese_date(*deadline),
            }),
            SuggestionEventKind::Answered {
                unit,
                answer,
                class,
            } => answers.push(Answer {
                on,
                unit: unit.clone().unwrap_or_default(),
                class: class.label(),
                answer: summary(answer, 200),
            }),
            SuggestionEventKind::Satisfaction {
                satisfaction,
                opinion,
            } => opinions.push(Opinion {
                on,
                satisfaction: Satisfaction::label(*satisfaction),
                opinion: opinion.clone().unwrap_or_default(),
            }),
        }
    }
    let form = SuggestionForm {
        station_name: printed_station_name(book)?,
        number: s.number.clone(),
        registered_no: listing.state.registered_no.clone().unwrap_or_default(),
        title: s.title.clone(),
        lead: listing.lead_name.clone(),
        congress: s.congress.label(),
        category: s.category.clone(),
        unit: s.unit.clone().unwrap_or_default(),
        drafted_on: chinese_date(s.drafted_at.date_naive()),
        drafted_by: s.drafted_by.clone().unwrap_or_default(),
        submitted_on: listing
            .state
            .submitted_on
            .map(chinese_date)
            .unwrap_or_default(),
        cosigners: listing.cosigner_names.clone(),
        reasons: s.reasons.clone(),
        proposals: s.proposals.clone(),
        sources,
        assignments,
        answers,
        opinions,
    };
    page(&form, "代表建议")
}
