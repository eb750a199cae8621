//! The documents of a people's mediation file (人民调解卷宗), after the Ministry of Justice's
//! formats (人民调解文书格式): application, intake register, mediation record, agreement,
//! follow-up record and the file's cover. Each is printed from the stored file and its events;
//! what the file does not hold prints as a line to fill in.

use std::collections::HashMap;

use askama::Template;
use casebook::domain::{
    Mediation, MediationEvent, MediationEventKind, MediationState, Performance,
};
use casebook::{Book, Error, Result};
use uuid::Uuid;

use super::{category_label, chinese_date, chinese_number, chinese_time, page, sex_label};

/// Which document of a mediation file to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediationDocument {
    /// 人民调解申请书
    Application,
    /// 人民调解受理登记表
    Intake,
    /// 人民调解记录
    Record,
    /// 人民调解协议书 (needs a recorded agreement).
    Agreement,
    /// 人民调解回访记录
    FollowUp,
    /// 人民调解卷宗封面
    Cover,
}

/// A mediation file with its events, as the documents need it.
struct MediationFile {
    mediation: Mediation,
    events: Vec<MediationEvent>,
    state: MediationState,
    deputy_names: HashMap<Uuid, String>,
    /// The committee's name as the roster has it; a line to fill in without one.
    committee: Option<String>,
}

impl MediationFile {
    /// Who recorded an event, or nothing (a line to sign on).
    fn recorded_by(&self, event: &MediationEvent) -> String {
        event
            .deputy
            .and_then(|id| self.deputy_names.get(&id).cloned())
            .unwrap_or_default()
    }

    fn header(&self) -> FileHeader {
        let m = &self.mediation;
        FileHeader {
            number: m.number.clone(),
            committee: self.committee.clone(),
            dispute: category_label(&m.dispute_type, m.dispute_subtype.as_deref()),
            source: m.source.label(),
            accepted: chinese_time(m.accepted_at),
            accepted_on: chinese_date(m.accepted_at.date_naive()),
            case_no: m.case_no.clone().unwrap_or_default(),
            summary: m.summary.clone(),
            parties: m
                .parties
                .iter()
                .map(|p| PartyLine {
                    role: p.role.label(),
                    name: p.name.clone(),
                    sex: sex_label(p.sex),
                    age: p.age.map(|a| a.to_string()).unwrap_or_default(),
                    phone: p.phone.clone().unwrap_or_default(),
                    id_number: p.id_number.clone().unwrap_or_default(),
                    address: p.address.clone().unwrap_or_default(),
                })
                .collect(),
            mediators: m
                .mediators
                .iter()
                .map(|md| match md.deputy {
                    Some(_) => format!("{}（人大代表、特邀调解员）", md.name),
                    None => md.name.clone(),
                })
                .collect::<Vec<_>>()
                .join("、"),
            party_names: m
                .parties
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>()
                .join("、"),
        }
    }

    /// The result with its date, as one line; blank while the file is open.
    fn result_line(&self) -> (String, String) {
        self.events
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                MediationEventKind::Result { result, routes } => Some((
                    match routes {
                        Some(routes) => format!("{}（已告知：{routes}）", result.label()),
                        None => result.label().to_owned(),
                    },
                    chinese_date(e.at.date_naive()),
                )),
                _ => None,
            })
            .unwrap_or_default()
    }
}

/// What every document of the file shows at its head.
struct FileHeader {
    number: String,
    dispute: String,
    source: &'static str,
    accepted: String,
    accepted_on: String,
    case_no: String,
    summary: String,
    parties: Vec<PartyLine>,
    mediators: String,
    party_names: String,
    committee: Option<String>,
}

/// A party with every detail the formats ask for; empty strings print as lines to fill in.
struct PartyLine {
    role: &'static str,
    name: String,
    sex: &'static str,
    age: String,
    phone: String,
    id_number: String,
    address: String,
}

#[derive(Template)]
#[template(path = "mediation-application.html")]
struct Application {
    file: FileHeader,
}

#[derive(Template)]
#[template(path = "mediation-intake.html")]
struct Intake {
    file: FileHeader,
}

struct SessionLine {
    at: String,
    place: String,
    recorder: String,
    statements: String,
    facts: String,
    outcome: String,
    note: String,
}

#[derive(Template)]
#[template(path = "mediation-record.html")]
struct Record {
    file: FileHeader,
    sessions: Vec<SessionLine>,
    result: String,
}

#[derive(Template)]
#[template(path = "agreement.html")]
struct Agreement {
    file: FileHeader,
    agreed_on: String,
    facts: String,
    responsibilities: String,
    terms: String,
    performance_method: String,
    performance_deadline: String,
    performance_place: String,
    amount: String,
    copies: String,
}

struct VisitLine {
    at: String,
    visitor: String,
    satisfaction: &'static str,
    note: String,
}

#[derive(Template)]
#[template(path = "follow-up.html")]
struct FollowUp {
    file: FileHeader,
    result: String,
    agreed_on: String,
    performance: &'static str,
    confirmation: String,
    visits: Vec<VisitLine>,
}

#[derive(Template)]
#[template(path = "mediation-cover.html")]
struct Cover {
    file: FileHeader,
    result: String,
    closed_on: String,
}

/// A mediation file by its number (`（2026）BX人调字第1号`) or its record id.
fn mediation_file(book: &Book, key: &str) -> Result<MediationFile> {
    let key = key.trim();
    let found = book.mediation_with_events(key)?.ok_or_else(|| {
        Error::not_found(format!(
            "找不到调解案件“{key}”，请写调解编号，如（2026）BX人调字第1号"
        ))
    })?;
    let state = MediationState::derive(found.events.iter().map(|e| (&e.at, &e.kind)));
    let deputy_names = book
        .deputies()?
        .into_iter()
        .map(|d| (d.deputy.id, d.deputy.name))
        .collect();
    let committee = book
        .committee_of(&found.mediation.station)?
        .map(|committee| committee.name);
    Ok(MediationFile {
        mediation: found.mediation,
        events: found.events,
        state,
        deputy_names,
        committee,
    })
}

/// One document of a mediation file as a self-contained HTML page (A4, print CSS).
///
/// Parties' details print in full: these documents stay in the file, and the agreement,
/// which each party takes home, must name the parties fully for a court to confirm it.
///
/// # Errors
/// `not_found` for an unknown number or id; `invalid` for an agreement when none is
/// recorded; storage errors.
pub fn render_mediation(book: &Book, document: MediationDocument, key: &str) -> Result<String> {
    let file = mediation_file(book, key)?;
    match document {
        MediationDocument::Application => page(
            &Application {
                file: file.header(),
            },
            "调解申请书",
        ),
        MediationDocument::Intake => page(
            &Intake {
                file: file.header(),
            },
            "受理登记表",
        ),
        MediationDocument::Record => record(&file),
        MediationDocument::Agreement => agreement(&file),
        MediationDocument::FollowUp => follow_up(&file),
        MediationDocument::Cover => {
            let (result, closed_on) = file.result_line();
            page(
                &Cover {
                    file: file.header(),
                    result,
                    closed_on,
                },
                "卷宗封面",
            )
        }
    }
}

fn record(file: &MediationFile) -> Result<String> {
    let sessions = file
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            MediationEventKind::Session {
                place,
                statements,
                facts,
                outcome,
            } => Some(SessionLine {
                at: chinese_time(e.at),
                place: place.clone(),
                recorder: file.recorded_by(e),
                statements: statements.clone(),
                facts: facts.clone().unwrap_or_default(),
                outcome: outcome.clone().unwrap_or_default(),
                note: e.note.clone().unwrap_or_default(),
            }),
            _ => None,
        })
        .collect();
    page(
        &Record {
            file: file.header(),
            sessions,
            result: file.result_line().0,
        },
        "调解记录",
    )
}

fn agreement(file: &MediationFile) -> Result<String> {
    let found = file.events.iter().rev().find_map(|e| match &e.kind {
        MediationEventKind::Agreement {
            facts,
            responsibilities,
            terms,
            performance_method,
            performance_deadline,
            performance_place,
            amount_yuan,
            copies,
        } => Some(Agreement {
            file: file.header(),
            agreed_on: chinese_date(e.at.date_naive()),
            facts: facts.clone(),
            responsibilities: responsibilities.clone(),
            terms: terms.clone(),
            performance_method: performance_method.clone(),
            performance_deadline: chinese_date(*performance_deadline),
            performance_place: performance_place.clone(),
            amount: amount_yuan.map(|a| format!("{a}元")).unwrap_or_default(),
            copies: chinese_number(copies.unwrap_or_else(|| {
                u32::try_from(file.mediation.parties.len() + 1).unwrap_or(u32::MAX)
            })),
        }),
        _ => None,
    });
    let agreement = found.ok_or_else(|| {
        Error::invalid(format!(
            "调解案件“{}”尚未登记调解协议，不能打印协议书",
            file.mediation.number
        ))
    })?;
    page(&agreement, "调解协议书")
}

fn follow_up(file: &MediationFile) -> Result<String> {
    let visits = file
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            MediationEventKind::FollowUp { satisfaction } => Some(VisitLine {
                at: chinese_time(e.at),
                visitor: file.recorded_by(e),
                satisfaction: satisfaction.label(),
                note: e.note.clone().unwrap_or_default(),
            }),
            _ => None,
        })
        .collect();
    let confirmation = file
        .events
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            MediationEventKind::JudicialConfirmation {
                applied_on,
                court,
                result,
            } => Some(format!(
                "{}向{court}申请，{}",
                chinese_date(*applied_on),
                result.label()
            )),
            _ => None,
        })
        .unwrap_or_default();
    page(
        &FollowUp {
            file: file.header(),
            result: file.result_line().0,
            agreed_on: file
                .state
                .agreement_on
                .map(chinese_date)
                .unwrap_or_default(),
            performance: file.state.performance.map_or("", Performance::label),
            confirmation,
            visits,
        },
        "回访记录",
    )
}
