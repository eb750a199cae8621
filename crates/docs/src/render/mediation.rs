//! The documents of a people's mediation file (人民调解卷宗), after the Ministry of Justice's
//! formats (人民调解文书格式): application, intake register, notice of rights and duties,
//! investigation record, mediation record, agreement, follow-up record and the file's cover with
//! its table of contents (卷内目录). Each is printed from the stored file and its events;
//! what the file does not hold prints as a line to fill in.

use std::collections::HashMap;

use askama::Template;
use casebook::domain::{
    Mediation, MediationEvent, MediationEventKind, MediationResult, MediationSource,
    MediationState, Performance,
};
use casebook::{Book, Error, Result};
use chrono::NaiveDate;
use uuid::Uuid;

use super::{category_label, chinese_date, chinese_number, chinese_time, page, sex_label};

/// Which document of a mediation file to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediationDocument {
    /// 人民调解申请书
    Application,
    /// 人民调解受理登记表
    Intake,
    /// 人民调解权利义务告知书
    RightsNotice,
    /// 人民调解调查记录
    Investigation,
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
    /// The deputies of the file's station appointed 特邀调解员, with the date, as printed:
    /// 陈建国（2023年3月1日聘任）.
    appointed: Vec<String>,
    /// When each deputy on the roster was appointed 特邀调解员.
    mediator_since: HashMap<Uuid, NaiveDate>,
}

impl MediationFile {
    /// The mediators, a deputy with the date of the appointment: 陈建国（人大代表、特邀调解员，
    /// 2023年3月1日聘任）.
    fn mediators_with_appointments(&self) -> String {
        self.mediation
            .mediators
            .iter()
            .map(|md| match md.deputy {
                Some(id) => match self.mediator_since.get(&id) {
                    Some(since) => format!(
                        "{}（人大代表、特邀调解员，{}聘任）",
                        md.name,
                        chinese_date(*since)
                    ),
                    None => format!("{}（人大代表、特邀调解员）", md.name),
                },
                None => md.name.clone(),
            })
            .collect::<Vec<_>>()
            .join("、")
    }

    /// The 记录人 an event names, else who recorded it, else nothing (a line to sign on).
    fn recorder(&self, event: &MediationEvent, named: Option<&String>) -> String {
        named.cloned().unwrap_or_else(|| self.recorded_by(event))
    }

    /// The date of the first event `pick` accepts, as printed.
    fn first_date(&self, pick: impl Fn(&MediationEventKind) -> bool) -> Option<String> {
        self.events
            .iter()
            .find(|e| pick(&e.kind))
            .map(|e| chinese_date(e.at.date_naive()))
    }

    /// The dates of the first and last events `pick` accepts: 2026年11月26日, or a range.
    fn dates(&self, pick: impl Fn(&MediationEventKind) -> bool) -> Option<String> {
        let mut found = self.events.iter().filter(|e| pick(&e.kind));
        let first = found.next()?.at.date_naive();
        let last = found.last().map_or(first, |e| e.at.date_naive());
        Some(if first == last {
            chinese_date(first)
        } else {
            format!("{}至{}", chinese_date(first), chinese_date(last))
        })
    }

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
                    ethnicity: p.ethnicity.clone().unwrap_or_default(),
                    occupation: p.occupation.clone().unwrap_or_default(),
                    agent: p
                        .agent
                        .as_ref()
                        .map(|a| {
                            let mut line = format!("{}：{}", a.kind.label(), a.name);
                            if let Some(relation) = &a.relation {
                                line.push_str(&format!("（{relation}）"));
                            }
                            if let Some(phone) = &a.phone {
                                line.push_str(&format!("　联系方式：{phone}"));
                            }
                            line
                        })
                        .unwrap_or_default(),
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
            agreed_to_mediation: m.agreed_to_mediation,
            notified_on: self.first_date(|k| matches!(k, MediationEventKind::RightsNotified {})),
        }
    }

    /// The result with its date, as one line; blank while the file is open.
    fn result_line(&self) -> (String, String) {
        self.events
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                MediationEventKind::Result { result, routes, .. } => Some((
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
    /// The parties agreed to mediation (人民调解法 Art. 17), as the book recorded it.
    agreed_to_mediation: bool,
    /// When the parties were given the notice of their rights and duties, if recorded.
    notified_on: Option<String>,
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
    ethnicity: String,
    occupation: String,
    /// 法定代理人：… or 委托代理人：… with the relation and phone; empty without one.
    agent: String,
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

#[derive(Template)]
#[template(path = "rights-notice.html")]
struct RightsNotice {
    file: FileHeader,
    appointed: String,
}

struct InvestigationLine {
    at: String,
    place: String,
    subject: String,
    investigators: String,
    recorder: String,
    content: String,
    note: String,
}

#[derive(Template)]
#[template(path = "investigation.html")]
struct Investigation {
    file: FileHeader,
    investigations: Vec<InvestigationLine>,
}

struct SessionLine {
    at: String,
    place: String,
    participants: String,
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
    /// What an oral agreement says (人民调解法 Art. 28); empty otherwise.
    oral_terms: String,
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
    /// The mediators, a deputy with the date of the appointment as 特邀调解员.
    mediators: String,
    contents: Vec<ContentsLine>,
}

/// A line of the 卷内目录: a document the file holds, with its date.
struct ContentsLine {
    title: &'static str,
    date: String,
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
    let deputies = book.deputies()?;
    let deputy_names = deputies
        .iter()
        .map(|d| (d.deputy.id, d.deputy.name.clone()))
        .collect();
    let mediator_since = deputies
        .iter()
        .filter_map(|d| d.deputy.mediator_since.map(|since| (d.deputy.id, since)))
        .collect();
    let committee = book
        .committee_of(&found.mediation.station)?
        .map(|committee| committee.name);
    let appointed = deputies
        .into_iter()
        .filter(|d| d.deputy.active && d.deputy.station.as_ref() == Some(&found.mediation.station))
        .filter_map(|d| {
            d.deputy
                .mediator_since
                .map(|since| format!("{}（{}聘任）", d.deputy.name, chinese_date(since)))
        })
        .collect();
    Ok(MediationFile {
        mediation: found.mediation,
        events: found.events,
        state,
        deputy_names,
        committee,
        appointed,
        mediator_since,
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
        MediationDocument::RightsNotice => page(
            &RightsNotice {
                file: file.header(),
                appointed: file.appointed.join("、"),
            },
            "权利义务告知书",
        ),
        MediationDocument::Investigation => investigation(&file),
        MediationDocument::Record => record(&file),
        MediationDocument::Agreement => agreement(&file),
        MediationDocument::FollowUp => follow_up(&file),
        MediationDocument::Cover => cover(&file),
    }
}

fn cover(file: &MediationFile) -> Result<String> {
    let (result, closed_on) = file.result_line();
    page(
        &Cover {
            file: file.header(),
            result,
            closed_on,
            mediators: file.mediators_with_appointments(),
            contents: contents(file),
        },
        "卷宗封面",
    )
}

/// The 卷内目录: the documents this file holds, in the order they are filed (人民调解法
/// Art. 27: 调解登记、调解工作记录、调解协议书等材料立卷归档), each dated by what it records.
fn contents(file: &MediationFile) -> Vec<ContentsLine> {
    let m = &file.mediation;
    let accepted = chinese_date(m.accepted_at.date_naive());
    let mut lines = Vec::new();
    if m.source == MediationSource::Application {
        lines.push(ContentsLine {
            title: "人民调解申请书",
            date: accepted.clone(),
        });
    }
    lines.push(ContentsLine {
        title: "人民调解受理登记表",
        date: accepted,
    });
    let mut push = |title, date: Option<String>| {
        if let Some(date) = date {
            lines.push(ContentsLine { title, date });
        }
    };
    push(
        "人民调解权利义务告知书",
        file.first_date(|k| matches!(k, MediationEventKind::RightsNotified {})),
    );
    push(
        "人民调解调查记录",
        file.dates(|k| matches!(k, MediationEventKind::Investigation { .. })),
    );
    push(
        "人民调解记录",
        file.dates(|k| {
            matches!(
                k,
                MediationEventKind::Session { .. }
                    | MediationEventKind::Result {
                        result: MediationResult::SucceededOral,
                        ..
                    }
            )
        }),
    );
    push(
        "人民调解协议书",
        file.dates(|k| matches!(k, MediationEventKind::Agreement { .. })),
    );
    push(
        "人民调解回访记录",
        file.dates(|k| matches!(k, MediationEventKind::FollowUp { .. })),
    );
    lines
}

fn investigation(file: &MediationFile) -> Result<String> {
    let investigations = file
        .events
        .iter()
        .filter_map(|e| match &e.kind {
            MediationEventKind::Investigation {
                place,
                subject,
                content,
                participants,
                recorder,
            } => {
                let by = file.recorded_by(e);
                let investigators: Vec<&String> = (!by.is_empty())
                    .then_some(&by)
                    .into_iter()
                    .chain(participants.iter().filter(|p| **p != by))
                    .collect();
                Some(InvestigationLine {
                    at: chinese_time(e.at),
                    place: place.clone(),
                    subject: subject.clone(),
                    investigators: investigators
                        .iter()
                        .map(|s| s.as_str())
                        .collect::<Vec<_>>()
                        .join("、"),
                    recorder: file.recorder(e, recorder.as_ref()),
                    content: content.clone(),
                    note: e.note.clone().unwrap_or_default(),
                })
            }
            _ => None,
        })
        .collect();
    page(
        &Investigation {
            file: file.header(),
            investigations,
        },
        "调查记录",
    )
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
                participants,
                recorder,
            } => Some(SessionLine {
                at: chinese_time(e.at),
                place: place.clone(),
                participants: participants.join("、"),
                recorder: file.recorder(e, recorder.as_ref()),
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
            oral_terms: file
                .events
                .iter()
                .rev()
                .find_map(|e| match &e.kind {
                    MediationEventKind::Result {
                        oral_terms: Some(terms),
                        ..
                    } => Some(terms.clone()),
                    _ => None,
                })
                .unwrap_or_default(),
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
