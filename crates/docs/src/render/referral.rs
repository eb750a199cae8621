//! The 交办单 (a case referred to a unit) and the 督办单 (that unit chased for its answer): one
//! A4 page each, to hand or send to the unit, with the lines on which it writes its answer.
//! They carry the matter and the request, not the visitor: the unit answers the station, and
//! the station tells the visitor.

use askama::Template;
use casebook::domain::{CaseEvent, CaseEventKind};
use casebook::{Book, Error, Result};

use super::slip::{SlipOptions, printed_station_phone};
use super::{category_label, chinese_date, chinese_time, page, printed_station_name, summary};

/// Which of the two.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReferralDocument {
    /// 交办单: the case's latest referral.
    Referral,
    /// 督办单: the case's latest chase of its referral.
    Chase,
}

#[derive(Template)]
#[template(path = "referral.html")]
struct Referral {
    title: &'static str,
    station_name: String,
    station_phone: String,
    case_no: String,
    received: String,
    category: String,
    matter: String,
    request: String,
    deputies: String,
    unit: String,
    referred_on: String,
    /// The referral's own deadline.
    deadline: String,
    /// For a 督办单: when it was chased, by whom, the new deadline, how many times so far.
    chase: Option<Chase>,
    /// The day the answer is owed by now.
    answer_by: String,
}

struct Chase {
    on: String,
    by: String,
    times: usize,
}

/// The 交办单 or 督办单 of case `case_no`.
///
/// # Errors
/// `not_found` for an unknown case; `invalid` when the case was never referred (or, for a
/// 督办单, never chased); storage errors.
pub fn render_referral(
    book: &Book,
    case_no: &str,
    which: ReferralDocument,
    options: &SlipOptions,
) -> Result<String> {
    let case = book.case(case_no)?;
    let events: Vec<&CaseEvent> = case.timeline.iter().map(|entry| &entry.event).collect();
    let referred = events
        .iter()
        .rposition(|event| matches!(event.kind, CaseEventKind::Referred { .. }))
        .ok_or_else(|| {
            Error::invalid(format!(
                "案件{}没有交办记录，不能打印交办单或督办单",
                case.reception.case_no
            ))
        })?;
    let CaseEventKind::Referred { to, deadline } = &events[referred].kind else {
        return Err(Error::Internal("交办记录读取失败".into()));
    };
    let chases: Vec<&CaseEvent> = events[referred..]
        .iter()
        .copied()
        .filter(|event| matches!(event.kind, CaseEventKind::Chased { .. }))
        .collect();
    let (title, unit, answer_by, chase) = match which {
        ReferralDocument::Referral => ("交办单", to.clone(), *deadline, None),
        ReferralDocument::Chase => {
            let latest = chases.last().ok_or_else(|| {
                Error::invalid(format!(
                    "案件{}交办后没有督办记录，不能打印督办单",
                    case.reception.case_no
                ))
            })?;
            let CaseEventKind::Chased { unit, by, .. } = &latest.kind else {
                return Err(Error::Internal("督办记录读取失败".into()));
            };
            let chase = Chase {
                on: chinese_date(latest.at.date_naive()),
                by: by.clone().unwrap_or_default(),
                times: chases.len(),
            };
            let unit = unit.clone().unwrap_or_else(|| to.clone());
            // The answer is owed by the latest new deadline any chase gave, as the case's own
            // due date has it (`derive_state`); else by the referral's.
            let owed = chases
                .iter()
                .rev()
                .find_map(|chase| match &chase.kind {
                    CaseEventKind::Chased { deadline, .. } => *deadline,
                    _ => None,
                })
                .unwrap_or(*deadline);
            ("督办单", unit, owed, Some(chase))
        }
    };
    let reception = &case.reception;
    let document = Referral {
        title,
        station_name: printed_station_name(book)?,
        station_phone: printed_station_phone(book, options)?,
        case_no: reception.case_no.clone(),
        received: chinese_time(reception.received_at),
        category: category_label(&reception.category, reception.subcategory.as_deref()),
        matter: summary(&reception.matter, 400),
        request: summary(&reception.request, 200),
        deputies: case.deputy_names.join("、"),
        unit,
        referred_on: chinese_date(events[referred].at.date_naive()),
        deadline: chinese_date(*deadline),
        chase,
        answer_by: chinese_date(answer_by),
    };
    page(&document, title)
}
