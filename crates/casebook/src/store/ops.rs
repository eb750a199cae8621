//! What a deputy does to the book: each operation validates its input, resolves names against
//! the roster, allocates numbers, and records changes through the [`Writer`]. Any refusal rolls
//! the whole transaction back.

use chrono::{DateTime, Datelike, FixedOffset, TimeDelta};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use uuid::Uuid;

use super::Book;
use super::apply::{
    case_events, decode, mediation_events, meeting_events, parse_uuid, suggestion_events,
};
use super::write::Writer;
use crate::change::Change;
use crate::domain::*;
use crate::error::{Error, ErrorKind, Result};
use crate::time::{china_now, to_china};
use crate::validate::{self, at};

/// What an event is checked against.
struct CaseHead {
    rid: i64,
    id: Uuid,
    case_no: String,
    station: String,
    received_at: DateTime<FixedOffset>,
}

/// What `reception add` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ReceptionAdded {
    /// Record id.
    pub id: Uuid,
    /// Case number.
    pub case_no: String,
}

/// What `case event` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseEventAdded {
    /// Event id.
    pub id: Uuid,
    /// Case number.
    pub case_no: String,
    /// Status after the event.
    pub status: CaseStatus,
    /// Its label.
    pub status_label: &'static str,
}

/// What `meeting add` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MeetingAdded {
    /// Record id.
    pub id: Uuid,
    /// Which body met.
    pub kind: MeetingKind,
    /// Quorum met.
    pub quorum_met: bool,
    /// Members needed for a quorum.
    pub quorum_minimum: u32,
    /// Households needed for a quorum, where the meeting counted them.
    pub households_minimum: Option<u32>,
    /// The count the quorum and the votes rest on.
    pub basis: QuorumBasis,
    /// For each item, whether it passed.
    pub passed: Vec<bool>,
    /// For each item, the votes in favour its rule needed.
    pub needed: Vec<u32>,
}

/// What `meeting event` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MeetingEventAdded {
    /// Event id.
    pub id: Uuid,
    /// The meeting.
    pub meeting: Uuid,
    /// Objections still without an answer, after this event.
    pub open_objections: u32,
}

/// What `mediation add` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MediationAdded {
    /// Record id.
    pub id: Uuid,
    /// `（2026）BX人调字第1号`.
    pub number: String,
}

/// What `mediation event` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MediationEventAdded {
    /// Event id.
    pub id: Uuid,
    /// Mediation number.
    pub number: String,
    /// State after the event.
    pub state: MediationState,
}

/// What `deputy activity add` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeputyActivityAdded {
    /// Record id.
    pub id: Uuid,
    /// The deputy.
    pub deputy: Uuid,
    /// The deputy's name.
    pub name: String,
    /// 向选民述职 or 参加培训.
    pub kind_label: &'static str,
}

/// What `suggestion add` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SuggestionAdded {
    /// Record id.
    pub id: Uuid,
    /// `BX建议〔2026〕1号`.
    pub number: String,
    /// The congress it is made to.
    pub congress: CongressLevel,
}

/// What `suggestion event` answers.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SuggestionEventAdded {
    /// Event id.
    pub id: Uuid,
    /// Suggestion number.
    pub number: String,
    /// State after the event.
    pub state: SuggestionState,
    /// Its status's label.
    pub status_label: &'static str,
}

/// What `roster import` answers: records written (new or changed), by kind.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RosterImported {
    /// Grids.
    pub grids: usize,
    /// Stations.
    pub stations: usize,
    /// Deputies.
    pub deputies: usize,
    /// Duty shifts.
    pub duty: usize,
    /// Records identical to what the book already had (not written again).
    pub unchanged: usize,
}

impl Book {
    /// Records a reception and opens its case.
    pub fn add_reception(&mut self, input: ReceptionInput) -> Result<ReceptionAdded> {
        self.write(|w| w.add_reception(input))
    }

    /// Appends an event to a case's timeline.
    pub fn add_case_event(
        &mut self,
        case_no: &str,
        input: CaseEventInput,
    ) -> Result<CaseEventAdded> {
        self.write(|w| w.add_case_event(case_no, input))
    }

    /// Records a meeting: a 民主议事会 or a villagers' meeting of the Organic Law.
    pub fn add_meeting(&mut self, input: MeetingInput) -> Result<MeetingAdded> {
        self.write(|w| w.add_meeting(input))
    }

    /// Appends what followed a meeting (公示, an objection or its answer, how it was carried
    /// out) to the meeting `id`.
    pub fn add_meeting_event(
        &mut self,
        id: &str,
        input: MeetingEventInput,
    ) -> Result<MeetingEventAdded> {
        self.write(|w| w.add_meeting_event(id, input))
    }

    /// Opens a mediation file.
    pub fn add_mediation(&mut self, input: MediationInput) -> Result<MediationAdded> {
        self.write(|w| w.add_mediation(input))
    }

    /// Appends an event to a mediation file.
    pub fn add_mediation_event(
        &mut self,
        number: &str,
        input: MediationEventInput,
    ) -> Result<MediationEventAdded> {
        self.write(|w| w.add_mediation_event(number, input))
    }

    /// Drafts a deputies' suggestion (代表建议) from one or more receptions.
    pub fn add_suggestion(&mut self, input: SuggestionInput) -> Result<SuggestionAdded> {
        self.write(|w| w.add_suggestion(input))
    }

    /// Appends an event to a suggestion's life: submitted, assigned, answered, the deputy's
    /// opinion. `number` is its number (`BX建议〔2026〕1号`), `2026-1` for this station's, or
    /// its record id.
    pub fn add_suggestion_event(
        &mut self,
        number: &str,
        input: SuggestionEventInput,
    ) -> Result<SuggestionEventAdded> {
        self.write(|w| w.add_suggestion_event(number, input))
    }

    /// Imports grids, stations, deputies and duty shifts, all or nothing.
    pub fn import_roster(&mut self, roster: &RosterFile) -> Result<RosterImported> {
        self.write(|w| w.import_roster(roster))
    }

    /// Records a deputy's report to the voters (述职) or a training the deputy attended.
    pub fn add_deputy_activity(
        &mut self,
        input: DeputyActivityInput,
    ) -> Result<DeputyActivityAdded> {
        self.write(|w| w.add_deputy_activity(input))
    }
}

fn station_time(field: &str, at: Option<DateTime<FixedOffset>>) -> Result<DateTime<FixedOffset>> {
    let at = to_china(at.unwrap_or_else(china_now));
    validate::not_in_future(field, at)?;
    Ok(at)
}

fn optional_mobile(field: &str, phone: Option<&str>) -> Result<Option<String>> {
    validate::optional_text(phone)
        .map(|p| validate::mobile(field, &p))
        .transpose()
}

fn optional_id_number(field: &str, id: Option<&str>) -> Result<Option<String>> {
    validate::optional_text(id)
        .map(|i| validate::id_number(field, &i))
        .transpose()
}

/// A party's agent as typed: a name, the relation and a mobile number trimmed and checked.
fn checked_agent(who: &str, agent: &Agent, path: &dyn Fn(&str) -> String) -> Result<Agent> {
    let label = format!("{who}的{}", agent.kind.label());
    Ok(Agent {
        kind: agent.kind,
        name: validate::required_text(&format!("{label}姓名"), &agent.name)
            .map_err(at(path("agent.name")))?,
        relation: validate::optional_text(agent.relation.as_deref()),
        phone: optional_mobile(&format!("{label}电话"), agent.phone.as_deref())
            .map_err(at(path("agent.phone")))?,
    })
}

fn consent_refusal(who: &str) -> Error {
    Error::refused(
        ErrorKind::ConsentRequired,
        format!(
            "记录{who}的个人信息（姓名、电话、身份证号、住址）须经本人同意：请确认已征得同意并勾选“同意处理个人信息”"
        ),
    )
}

impl Writer<'_> {
    /// Records a change typed at this PC once every field is within the limits
    /// ([`validate::check_change`]): the one gate between the forms and the book.
    fn enter(&mut self, change: Change, deputy: Option<Uuid>) -> Result<bool> {
        validate::check_change(&change, validate::entry_now())?;
        self.record(change, deputy)
    }

    /// Finds an active deputy by id or by name; a name shared by two deputies is refused.
    pub fn resolve_deputy(&mut self, reference: &str) -> Result<Deputy> {
        let reference = reference.trim();
        validate::line("代表姓名或编号", reference, validate::limits::NAME)?;
        if let Some(deputy) = self.deputies.get(reference) {
            return Ok(deputy.clone());
        }
        let deputy = self.find_deputy(reference)?;
        self.deputies.insert(reference.to_owned(), deputy.clone());
        Ok(deputy)
    }

    /// The deputy an event names as its recorder (id or name), if it names one; a refusal
    /// points at the `deputy` field.
    fn recording_deputy(&mut self, reference: Option<&str>) -> Result<Option<Uuid>> {
        reference
            .map(|d| self.resolve_deputy(d))
            .transpose()
            .map_err(validate::at("deputy"))
            .map(|deputy| deputy.map(|d| d.id))
    }

    fn find_deputy(&self, reference: &str) -> Result<Deputy> {
        let mut matches = if let Ok(id) = Uuid::parse_str(reference) {
            self.deputies_where("id = ?1", &id.to_string())?
        } else {
            self.deputies_where("name = ?1", reference)?
        };
        let retired = matches.iter().find(|d| !d.active).map(|d| d.name.clone());
        matches.retain(|d| d.active);
        match (matches.len(), retired) {
            (1, _) => Ok(matches.remove(0)),
            (0, Some(name)) => Err(Error::refused(
                ErrorKind::UnknownDeputy,
                format!("代表“{name}”已不在任"),
            )),
            (0, None) => Err(Error::refused(
                ErrorKind::UnknownDeputy,
                format!("代表名册中没有“{reference}”，请核对姓名或先导入名册"),
            )),
            (n, _) => Err(Error::refused(
                ErrorKind::UnknownDeputy,
                format!("名册中有{n}位在任代表名为“{reference}”，请改用代表编号"),
            )),
        }
    }

    fn deputies_where(&self, condition: &str, value: &str) -> Result<Vec<Deputy>> {
        let sql = format!(
            "SELECT id, name, congress, grid, station, phone, mediator_since, active
             FROM deputies WHERE {condition}"
        );
        let mut select = self.tx().prepare_cached(&sql)?;
        let rows = select.query_map([value], super::read::deputy_from_row)?;
        rows.collect::<rusqlite::Result<Vec<_>>>()
            .map_err(Error::from)
    }

    /// The columns of a case that events are checked against, without decoding the record.
    fn case_head(&self, case_no: &str) -> Result<CaseHead> {
        let found: Option<(i64, String, String, String, String)> = self
            .tx()
            .prepare_cached(
                "SELECT rid, id, case_no, station, received_at FROM receptions WHERE case_no = ?1",
            )?
            .query_row([case_no.trim()], |row| {
                Ok((
                    row.get(0)?,
                    row.get(1)?,
                    row.get(2)?,
                    row.get(3)?,
                    row.get(4)?,
                ))
            })
            .optional()?;
        let (rid, id, case_no, station, received_at) =
            found.ok_or_else(|| Error::not_found(format!("找不到案件“{}”", case_no.trim())))?;
        Ok(CaseHead {
            rid,
            id: parse_uuid(&id)?,
            case_no,
            station,
            received_at: DateTime::parse_from_rfc3339(&received_at)
                .map_err(|e| Error::Corrupt(format!("received_at {received_at}: {e}")))?,
        })
    }

    fn mediation_by_number(&self, number: &str) -> Result<Mediation> {
        let found: Option<String> = self
            .tx()
            .prepare_cached("SELECT body FROM mediations WHERE number = ?1")?
            .query_row([number.trim()], |row| row.get(0))
            .optional()?;
        let body =
            found.ok_or_else(|| Error::not_found(format!("找不到调解案件“{}”", number.trim())))?;
        decode("mediation", &body)
    }

    /// Records a deputy's activity; see [`Book::add_deputy_activity`].
    pub fn add_deputy_activity(
        &mut self,
        input: DeputyActivityInput,
    ) -> Result<DeputyActivityAdded> {
        let deputy = self.resolve_deputy(&input.deputy).map_err(at("deputy"))?;
        validate::date_not_in_future("日期", input.date).map_err(at("date"))?;
        let place = validate::required_text("地点", &input.place).map_err(at("place"))?;
        let topic = validate::required_text("主题", &input.topic).map_err(at("topic"))?;
        let id = self.new_id(china_now());
        let activity = DeputyActivity {
            id,
            station: self.origin().to_owned(),
            deputy: deputy.id,
            kind: input.kind,
            date: input.date,
            place,
            topic,
            summary: validate::optional_text(input.summary.as_deref()),
            organiser: validate::optional_text(input.organiser.as_deref()),
            voters_present: input.voters_present,
            appraisal: input.appraisal,
        };
        self.enter(Change::DeputyActivityAppend(activity), Some(deputy.id))?;
        Ok(DeputyActivityAdded {
            id,
            deputy: deputy.id,
            name: deputy.name,
            kind_label: input.kind.label(),
        })
    }

    /// A suggestion by its number, `2026-1` (this station's), or its record id.
    fn suggestion_by_number(&self, number: &str) -> Result<Suggestion> {
        let key = number.trim();
        let short = short_suggestion_number(self.origin(), key);
        let found: Option<String> = self
            .tx()
            .prepare_cached(
                "SELECT body FROM suggestions WHERE number = ?1 OR id = ?1 OR number = ?2",
            )?
            .query_row(params![key, short], |row| row.get(0))
            .optional()?;
        let body = found.ok_or_else(|| {
            Error::not_found(format!(
                "找不到代表建议“{key}”，请写建议编号（如 {}），或年份-序号（如 2026-1）",
                suggestion_number(self.origin(), china_now().year(), 1)
            ))
        })?;
        decode("suggestion", &body)
    }

    /// Records a reception; see [`Book::add_reception`].
    pub fn add_reception(&mut self, input: ReceptionInput) -> Result<ReceptionAdded> {
        let received_at = to_china(input.received_at);
        validate::not_in_future("接待时间", received_at).map_err(at("received_at"))?;
        if input.deputies.is_empty() {
            return Err(Error::invalid("请至少填写一位接待代表").at("deputies"));
        }
        let kind = input.kind.unwrap_or_default();
        let category = reception_category(kind, &input.category).map_err(at("category"))?;
        let matter = validate::required_text("事由", &input.matter).map_err(at("matter"))?;
        let request = validate::required_text("诉求", &input.request).map_err(at("request"))?;
        let mut visitors = Vec::with_capacity(input.visitors.len());
        for (i, visitor) in input.visitors.into_iter().enumerate() {
            let who = format!("第{}位来访人", i + 1);
            let path = |name: &str| format!("visitors.{i}.{name}");
            validate::age(&who, visitor.age).map_err(at(path("age")))?;
            visitors.push(Visitor {
                name: validate::optional_text(visitor.name.as_deref()),
                phone: optional_mobile(&format!("{who}电话"), visitor.phone.as_deref())
                    .map_err(at(path("phone")))?,
                id_number: optional_id_number(
                    &format!("{who}身份证号"),
                    visitor.id_number.as_deref(),
                )
                .map_err(at(path("id_number")))?,
                address: validate::optional_text(visitor.address.as_deref()),
                ..visitor
            });
        }
        if !input.consent && visitors.iter().any(Visitor::has_personal_data) {
            return Err(consent_refusal("来访群众").at("consent"));
        }
        let listed = u32::try_from(visitors.len()).unwrap_or(u32::MAX);
        let head_count = input.head_count.unwrap_or(listed.max(1));
        if head_count == 0 {
            return Err(Error::invalid("来访人数应至少为1人").at("head_count"));
        }
        if head_count < listed {
            return Err(Error::invalid(format!(
                "来访人数（{head_count}）不能少于登记的来访人（{listed}人）"
            ))
            .at("head_count"));
        }
        let reply_due = input
            .reply_due
            .unwrap_or(received_at.date_naive() + TimeDelta::days(DEFAULT_REPLY_DAYS));
        if reply_due < received_at.date_naive() {
            return Err(Error::invalid("承诺答复日期不能早于接待日期").at("reply_due"));
        }
        let mut deputies = Vec::new();
        let mut first_grid = None;
        for reference in &input.deputies {
            let deputy = self.resolve_deputy(reference).map_err(at("deputies"))?;
            if !deputies.contains(&deputy.id) {
                first_grid = first_grid.or(deputy.grid.clone());
                deputies.push(deputy.id);
            }
        }
        let station = self.origin().to_owned();
        let (_, case_no) = self.next_case_no(&station, received_at.year())?;
        let actor = deputies.first().copied();
        let id = self.new_id(received_at);
        let reception = Reception {
            id,
            case_no: case_no.clone(),
            former_case_no: None,
            kind,
            station,
            received_at,
            channel: input.channel,
            place: validate::optional_text(input.place.as_deref()),
            grid: self.known_grid(input.grid.as_deref())?.or(first_grid),
            deputies,
            visitors,
            head_count,
            category,
            subcategory: validate::optional_text(input.subcategory.as_deref()),
            matter,
            request,
            proposed_handling: validate::optional_text(input.proposed_handling.as_deref()),
            confidential: input.confidential,
            consent: input.consent,
            reply_due,
        };
        self.enter(Change::ReceptionCreate(reception), actor)?;
        Ok(ReceptionAdded { id, case_no })
    }

    /// Appends an event; see [`Book::add_case_event`].
    pub fn add_case_event(
        &mut self,
        case_no: &str,
        input: CaseEventInput,
    ) -> Result<CaseEventAdded> {
        let case = self.case_head(case_no)?;
        let own = self.origin().to_owned();
        if !crate::bundle::may_add_case_event(
            &case.station,
            &own,
            crate::bundle::is_town(self, &own)?,
            &input.kind,
        ) {
            // The station would refuse it, and with it every later bundle from here.
            return Err(Error::refused(
                ErrorKind::NotOwner,
                format!(
                    "案件{}是{}登记的，镇人大只能登记交办、督办和收到答复，其他办理记录请由该站点登记",
                    case.case_no, case.station
                ),
            ));
        }
        let at = station_time("事件时间", input.at).map_err(validate::at("at"))?;
        if at < case.received_at {
            return Err(Error::invalid("事件时间不能早于接待时间").at("at"));
        }
        check_case_event_fields(&input.kind, at)?;
        let deputy = self.recording_deputy(input.deputy.as_deref())?;
        if let Some(latest) = self.last_case_event(case.rid)?
            && at < latest.0
        {
            return Err(Error::invalid(format!(
                "事件时间不能早于该案件最近一次办理记录（{}，{}）",
                latest.0.format("%Y-%m-%d %H:%M"),
                latest.1
            ))
            .at("at"));
        }
        if let CaseEventKind::ToMediation {
            mediation_no: Some(number),
        } = &input.kind
        {
            let mediation = self.mediation_by_number(number)?;
            if mediation.case_no.as_deref() != Some(case.case_no.as_str()) {
                return Err(Error::invalid(format!(
                    "调解案件{}不是为本案件（{}）受理的",
                    mediation.number, case.case_no
                )));
            }
        }
        let before = self.case_state(case.rid)?;
        check_transition(before.status, &input.kind)
            .map_err(|message| Error::refused(ErrorKind::InvalidTransition, message).at("kind"))?;
        let mut kind = input.kind;
        if let CaseEventKind::Chased {
            unit: unit @ None, ..
        } = &mut kind
        {
            // The 督办单 names whom it chases: the unit the case was last referred to.
            *unit = case_events(self.tx(), case.rid)?
                .into_iter()
                .rev()
                .find_map(|event| match event.kind {
                    CaseEventKind::Referred { to, .. } => Some(to),
                    _ => None,
                });
        }
        let id = self.new_id(at);
        let event = CaseEvent {
            id,
            reception: case.id,
            at,
            deputy,
            note: validate::optional_text(input.note.as_deref()),
            kind,
        };
        self.enter(Change::CaseEventAppend(event), deputy)?;
        let after = self.case_state(case.rid)?;
        Ok(CaseEventAdded {
            id,
            case_no: case.case_no,
            status: after.status,
            status_label: after.status.label(),
        })
    }

    /// Records a meeting; see [`Book::add_meeting`].
    pub fn add_meeting(&mut self, input: MeetingInput) -> Result<MeetingAdded> {
        let held_at = station_time("会议时间", Some(input.held_at)).map_err(at("held_at"))?;
        let village =
            validate::required_text("村（居）名称", &input.village).map_err(at("village"))?;
        let place = validate::required_text("会议地点", &input.place).map_err(at("place"))?;
        let host = validate::required_text("主持人", &input.host).map_err(at("host"))?;
        let recorder =
            validate::required_text("记录人", &input.recorder).map_err(at("recorder"))?;
        let kind = input.kind.unwrap_or_default();
        let quorum = match (kind, input.quorum) {
            (MeetingKind::Council, rule) => Some(rule.unwrap_or_default()),
            (_, None) => None,
            (_, Some(_)) => {
                return Err(Error::refused(
                    ErrorKind::Quorum,
                    format!(
                        "{}的法定人数由{}规定，不能另设比例：请不要填写 quorum",
                        kind.label(),
                        kind.source().unwrap_or("法律")
                    ),
                )
                .at("quorum"));
            }
        };
        check_attendance(quorum.unwrap_or_default(), input.expected, input.present)?;
        let households =
            check_households(kind, input.households_expected, input.households_present)?;
        if input.items.is_empty() {
            return Err(Error::invalid("请至少填写一项议题").at("items"));
        }
        let attendance = attendance(
            kind,
            quorum.unwrap_or_default(),
            input.expected,
            input.present,
            households,
        );
        let mut items = Vec::with_capacity(input.items.len());
        let mut needed = Vec::with_capacity(input.items.len());
        for (i, item) in input.items.into_iter().enumerate() {
            let number = i + 1;
            let path = |name: &str| format!("items.{i}.{name}");
            let title = validate::required_text(&format!("第{number}项议题"), &item.title)
                .map_err(at(path("title")))?;
            let votes = item.votes;
            check_votes(i, votes, attendance.voting_present)?;
            let case_no = validate::optional_text(item.case_no.as_deref());
            if let Some(case_no) = &case_no {
                self.case_head(case_no).map_err(at(path("case_no")))?;
            }
            let approval = item.approval.unwrap_or_default();
            let rights_review = item
                .rights_review
                .map(|review| check_review(i, review, attendance.voting_present))
                .transpose()?;
            needed.push(approval.needed(attendance.voting_present, attendance.voting_all));
            items.push(AgendaItem {
                passed: item_passes(&attendance, approval, votes, rights_review.as_ref()),
                title,
                case_no,
                topic: item.topic,
                discussion: validate::optional_text(item.discussion.as_deref()),
                votes,
                method: item.method.unwrap_or(VoteMethod::ShowOfHands),
                approval,
                resolution: validate::optional_text(item.resolution.as_deref()),
                rights_review,
            });
        }
        match (input.published_from, input.published_to) {
            (Some(from), _) if from < held_at.date_naive() => {
                return Err(Error::invalid("公示开始日期不能早于会议日期").at("published_from"));
            }
            (Some(from), Some(to)) if to < from => {
                return Err(Error::invalid("公示结束日期不能早于开始日期").at("published_to"));
            }
            (None, Some(_)) => {
                return Err(Error::invalid("请填写公示开始日期").at("published_from"));
            }
            _ => {}
        }
        let published_place = validate::optional_text(input.published_place.as_deref());
        if published_place.is_some() && input.published_from.is_none() {
            return Err(
                Error::invalid("填写了公示地点，请同时填写公示开始日期").at("published_from")
            );
        }
        let mut deputies = Vec::new();
        for reference in &input.deputies {
            deputies.push(self.resolve_deputy(reference).map_err(at("deputies"))?.id);
        }
        let passed = items.iter().map(|item| item.passed).collect();
        let id = self.new_id(held_at);
        let meeting = CouncilMeeting {
            id,
            kind,
            station: self.origin().to_owned(),
            village,
            held_at,
            place,
            host,
            recorder,
            deputies: deputies.clone(),
            expected: input.expected,
            present: input.present,
            households_expected: households.map(|(of, _)| of),
            households_present: households.map(|(_, came)| came),
            quorum,
            quorum_met: attendance.met,
            items,
            published_from: input.published_from,
            published_to: input.published_to,
            published_place,
        };
        self.enter(Change::MeetingCreate(meeting), deputies.first().copied())?;
        Ok(MeetingAdded {
            id,
            kind,
            quorum_met: attendance.met,
            quorum_minimum: attendance.members_minimum,
            households_minimum: attendance.households_minimum,
            basis: attendance.basis,
            passed,
            needed,
        })
    }

    /// A meeting by its record id, for an event on it.
    fn meeting_by_id(&self, id: &str) -> Result<CouncilMeeting> {
        let key = id.trim();
        let found: Option<String> = self
            .tx()
            .prepare_cached("SELECT body FROM meetings WHERE id = ?1")?
            .query_row([key], |row| row.get(0))
            .optional()?;
        let body = found.ok_or_else(|| {
            Error::not_found(format!(
                "找不到会议“{key}”，请写会议编号（meeting list --json 中的 id）"
            ))
        })?;
        decode("meeting", &body)
    }

    /// Appends a meeting event; see [`Book::add_meeting_event`].
    pub fn add_meeting_event(
        &mut self,
        id: &str,
        input: MeetingEventInput,
    ) -> Result<MeetingEventAdded> {
        let meeting = self.meeting_by_id(id)?;
        if meeting.station != self.origin() {
            return Err(Error::refused(
                ErrorKind::NotOwner,
                format!(
                    "这次会议是{}登记的，公示、异议和执行情况只能由该站点登记",
                    meeting.station
                ),
            ));
        }
        let at = station_time("事件时间", input.at).map_err(validate::at("at"))?;
        if at < meeting.held_at {
            return Err(Error::invalid(format!(
                "事件时间不能早于会议时间（{}）",
                meeting.held_at.format("%Y-%m-%d %H:%M")
            ))
            .at("at"));
        }
        let mut events = meeting_events(self.tx(), &meeting.id.to_string())?;
        let kind = check_meeting_event(&meeting, &events, input.kind, at)?;
        let deputy = self.recording_deputy(input.deputy.as_deref())?;
        let id = self.new_id(at);
        let event = MeetingEvent {
            id,
            meeting: meeting.id,
            at,
            deputy,
            note: validate::optional_text(input.note.as_deref()),
            kind,
        };
        events.push(event.clone());
        let open = u32::try_from(open_objections(&events).len()).unwrap_or(u32::MAX);
        self.enter(Change::MeetingEventAppend(event), deputy)?;
        Ok(MeetingEventAdded {
            id,
            meeting: meeting.id,
            open_objections: open,
        })
    }

    /// Opens a mediation file; see [`Book::add_mediation`].
    pub fn add_mediation(&mut self, input: MediationInput) -> Result<MediationAdded> {
        let accepted_at = station_time("受理时间", input.accepted_at).map_err(at("accepted_at"))?;
        dispute_type_index(&input.dispute_type).map_err(at("dispute_type"))?;
        let summary =
            validate::required_text("纠纷简要情况", &input.summary).map_err(at("summary"))?;
        let has = |role| input.parties.iter().any(|p: &Party| p.role == role);
        if !has(PartyRole::Applicant) || !has(PartyRole::Respondent) {
            return Err(Error::invalid("调解须至少有申请人和被申请人各一方").at("parties"));
        }
        if !input.consent {
            return Err(consent_refusal("当事人").at("consent"));
        }
        if !input.agreed_to_mediation {
            return Err(Error::refused(
                ErrorKind::ConsentRequired,
                "各方当事人同意调解后才能受理：当事人一方明确拒绝调解的，不得调解（《人民调解法》第十七条）。请确认后勾选“各方当事人同意调解”",
            )
            .at("agreed_to_mediation"));
        }
        let mut parties = Vec::with_capacity(input.parties.len());
        for (i, party) in input.parties.into_iter().enumerate() {
            let who = format!("第{}位当事人", i + 1);
            let path = |name: &str| format!("parties.{i}.{name}");
            validate::age(&who, party.age).map_err(at(path("age")))?;
            parties.push(Party {
                name: validate::required_text(&format!("{who}姓名"), &party.name)
                    .map_err(at(path("name")))?,
                phone: optional_mobile(&format!("{who}电话"), party.phone.as_deref())
                    .map_err(at(path("phone")))?,
                id_number: optional_id_number(
                    &format!("{who}身份证号"),
                    party.id_number.as_deref(),
                )
                .map_err(at(path("id_number")))?,
                address: validate::optional_text(party.address.as_deref()),
                ethnicity: validate::optional_text(party.ethnicity.as_deref()),
                occupation: validate::optional_text(party.occupation.as_deref()),
                agent: party
                    .agent
                    .as_ref()
                    .map(|agent| checked_agent(&who, agent, &path))
                    .transpose()?,
                ..party
            });
        }
        if input.mediators.is_empty() {
            return Err(Error::invalid("请至少填写一名调解员").at("mediators"));
        }
        let mut mediators = Vec::new();
        for mediator in &input.mediators {
            mediators.push(match mediator {
                MediatorInput::Deputy(reference) => {
                    let deputy = self.resolve_deputy(reference).map_err(at("mediators"))?;
                    if deputy.mediator_since.is_none() {
                        return Err(Error::refused(
                            ErrorKind::UnknownDeputy,
                            format!("代表“{}”未被聘为特邀调解员", deputy.name),
                        )
                        .at("mediators"));
                    }
                    Mediator {
                        deputy: Some(deputy.id),
                        name: deputy.name,
                    }
                }
                MediatorInput::Other(OtherMediator { name }) => Mediator {
                    deputy: None,
                    name: validate::required_text("调解员姓名", name).map_err(at("mediators"))?,
                },
            });
        }
        let case_no = validate::optional_text(input.case_no.as_deref());
        let case = case_no
            .as_deref()
            .map(|c| self.case_head(c))
            .transpose()
            .map_err(at("case_no"))?;
        let station = self.origin().to_owned();
        let year = accepted_at.year();
        let (seq, number) = self.next_mediation_number(&station, year)?;
        let actor = mediators.iter().find_map(|m| m.deputy);
        let id = self.new_id(accepted_at);
        let mediation = Mediation {
            id,
            number: number.clone(),
            former_number: None,
            station,
            year,
            seq,
            case_no,
            source: input.source,
            dispute_type: input.dispute_type.trim().to_owned(),
            dispute_subtype: validate::optional_text(input.dispute_subtype.as_deref()),
            accepted_at,
            summary,
            parties,
            mediators,
            consent: input.consent,
            agreed_to_mediation: true,
        };
        self.enter(Change::MediationCreate(mediation), actor)?;
        if let Some(case) = case {
            // The case follows its mediation: its timeline shows 转入调解 with the number.
            let to_mediation = CaseEventInput {
                at: Some(accepted_at),
                deputy: None,
                note: None,
                kind: CaseEventKind::ToMediation {
                    mediation_no: Some(number.clone()),
                },
            };
            if self.case_state(case.rid)?.status != CaseStatus::InMediation {
                self.add_case_event(&case.case_no, to_mediation)?;
            }
        }
        Ok(MediationAdded { id, number })
    }

    /// Appends a mediation event; see [`Book::add_mediation_event`].
    pub fn add_mediation_event(
        &mut self,
        number: &str,
        input: MediationEventInput,
    ) -> Result<MediationEventAdded> {
        let mediation = self.mediation_by_number(number)?;
        if mediation.station != self.origin() {
            return Err(Error::refused(
                ErrorKind::NotOwner,
                format!(
                    "调解案件{}是{}登记的，调解过程只能由该站点登记",
                    mediation.number, mediation.station
                ),
            ));
        }
        let at = station_time("事件时间", input.at).map_err(validate::at("at"))?;
        if at < mediation.accepted_at {
            return Err(Error::invalid("事件时间不能早于受理时间").at("at"));
        }
        let mut events = mediation_events(self.tx(), &mediation.id.to_string())?;
        if let Some(latest) = events.last()
            && at < latest.at
        {
            return Err(Error::invalid(format!(
                "事件时间不能早于该调解最近一次记录（{}）",
                latest.at.format("%Y-%m-%d %H:%M")
            ))
            .at("at"));
        }
        let before = MediationState::derive(events.iter().map(|e| (&e.at, &e.kind)));
        let kind = check_mediation_event(&mediation, &before, input.kind, at)?;
        let deputy = self.recording_deputy(input.deputy.as_deref())?;
        let id = self.new_id(at);
        let event = MediationEvent {
            id,
            mediation: mediation.id,
            at,
            deputy,
            note: validate::optional_text(input.note.as_deref()),
            kind,
        };
        events.push(event.clone());
        events.sort_by_key(|e| (e.at, e.id));
        let state = MediationState::derive(events.iter().map(|e| (&e.at, &e.kind)));
        self.enter(Change::MediationEventAppend(event), deputy)?;
        Ok(MediationEventAdded {
            id,
            number: mediation.number,
            state,
        })
    }

    /// Drafts a suggestion; see [`Book::add_suggestion`].
    pub fn add_suggestion(&mut self, input: SuggestionInput) -> Result<SuggestionAdded> {
        let drafted_at = station_time("起草时间", input.drafted_at).map_err(at("drafted_at"))?;
        let title = validate::required_text("案由", &input.title).map_err(at("title"))?;
        let category = reception_category(ReceptionKind::Suggestion, &input.category)
            .map_err(at("category"))?;
        let reasons = validate::required_text("理由", &input.reasons).map_err(at("reasons"))?;
        let proposals =
            validate::required_text("具体建议", &input.proposals).map_err(at("proposals"))?;
        let mut cases: Vec<String> = Vec::with_capacity(input.cases.len());
        for case_no in &input.cases {
            let Some(case_no) = validate::optional_text(Some(case_no)) else {
                continue;
            };
            let head = self.case_head(&case_no).map_err(at("cases"))?;
            if head.received_at > drafted_at {
                return Err(Error::invalid(format!(
                    "案件{}的接待时间晚于建议的起草时间",
                    head.case_no
                ))
                .at("cases"));
            }
            if !cases.contains(&head.case_no) {
                cases.push(head.case_no);
            }
        }
        if cases.is_empty() {
            return Err(
                Error::invalid("代表建议来自群众反映：请至少关联一件接待登记（案件编号）")
                    .at("cases"),
            );
        }
        let lead = self.resolve_deputy(&input.lead).map_err(at("lead"))?;
        let congress = lead.congress;
        if let Some(asked) = input.congress
            && asked != congress
        {
            return Err(Error::invalid(format!(
                "领衔代表{}是{}，建议只能向本级人民代表大会（或其常务委员会）提出，不能写作{}",
                lead.name,
                congress.label(),
                asked.label()
            ))
            .at("congress"));
        }
        let mut cosigners: Vec<Uuid> = Vec::with_capacity(input.cosigners.len());
        for reference in &input.cosigners {
            if validate::optional_text(Some(reference)).is_none() {
                continue;
            }
            let deputy = self.resolve_deputy(reference).map_err(at("cosigners"))?;
            if deputy.id == lead.id {
                return Err(Error::invalid(format!(
                    "{}已是领衔代表，不必再列为附议代表",
                    deputy.name
                ))
                .at("cosigners"));
            }
            if cosigners.contains(&deputy.id) {
                return Err(
                    Error::invalid(format!("附议代表{}重复填写了", deputy.name)).at("cosigners")
                );
            }
            if deputy.congress != congress {
                return Err(Error::invalid(format!(
                    "附议代表{}是{}，领衔代表{}是{}：联名提出建议的须是同一级人民代表大会的代表",
                    deputy.name,
                    deputy.congress.label(),
                    lead.name,
                    congress.label()
                ))
                .at("cosigners"));
            }
            cosigners.push(deputy.id);
        }
        let station = self.origin().to_owned();
        let year = drafted_at.year();
        let (seq, number) = self.next_suggestion_number(&station, year)?;
        let id = self.new_id(drafted_at);
        let suggestion = Suggestion {
            id,
            number: number.clone(),
            former_number: None,
            station,
            year,
            seq,
            title,
            category,
            reasons,
            proposals,
            cases,
            lead: lead.id,
            cosigners,
            congress,
            unit: validate::optional_text(input.unit.as_deref()),
            drafted_at,
            drafted_by: validate::optional_text(input.drafted_by.as_deref()),
        };
        self.enter(Change::SuggestionCreate(suggestion), Some(lead.id))?;
        Ok(SuggestionAdded {
            id,
            number,
            congress,
        })
    }

    /// Appends a suggestion event; see [`Book::add_suggestion_event`].
    pub fn add_suggestion_event(
        &mut self,
        number: &str,
        input: SuggestionEventInput,
    ) -> Result<SuggestionEventAdded> {
        let suggestion = self.suggestion_by_number(number)?;
        if suggestion.station != self.origin() {
            return Err(Error::refused(
                ErrorKind::NotOwner,
                format!(
                    "代表建议{}是{}起草的，办理情况只能由该站点登记",
                    suggestion.number, suggestion.station
                ),
            ));
        }
        let at = station_time("事件时间", input.at).map_err(validate::at("at"))?;
        if at < suggestion.drafted_at {
            return Err(Error::invalid(format!(
                "事件时间不能早于建议的起草时间（{}）",
                suggestion.drafted_at.format("%Y-%m-%d %H:%M")
            ))
            .at("at"));
        }
        let mut events = suggestion_events(self.tx(), &suggestion.id.to_string())?;
        if let Some(latest) = events.last()
            && at < latest.at
        {
            return Err(Error::invalid(format!(
                "事件时间不能早于该建议最近一次记录（{} {}）",
                latest.kind.label(),
                latest.at.format("%Y-%m-%d %H:%M")
            ))
            .at("at"));
        }
        let before = SuggestionState::derive(events.iter().map(|e| (&e.at, &e.kind)));
        let kind = check_suggestion_event(&before, input.kind, at)?;
        let deputy = self.recording_deputy(input.deputy.as_deref())?;
        let id = self.new_id(at);
        let event = SuggestionEvent {
            id,
            suggestion: suggestion.id,
            at,
            deputy,
            note: validate::optional_text(input.note.as_deref()),
            kind,
        };
        events.push(event.clone());
        let state = SuggestionState::derive(events.iter().map(|e| (&e.at, &e.kind)));
        self.enter(
            Change::SuggestionEventAppend(event),
            deputy.or(Some(suggestion.lead)),
        )?;
        Ok(SuggestionEventAdded {
            id,
            number: suggestion.number,
            status_label: state.status.label(),
            state,
        })
    }

    /// The next free suggestion number of `station` in `year`, with its sequence.
    pub(crate) fn next_suggestion_number(&self, station: &str, year: i32) -> Result<(u32, String)> {
        let seq: u32 = self
            .tx()
            .prepare_cached(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM suggestions WHERE station = ?1 AND year = ?2",
            )?
            .query_row(params![station, year], |row| row.get(0))?;
        Ok((seq, suggestion_number(station, year, seq)))
    }

    /// Imports a roster file; see [`Book::import_roster`].
    pub fn import_roster(&mut self, roster: &RosterFile) -> Result<RosterImported> {
        let mut imported = RosterImported::default();
        for input in &roster.grids {
            let code = validate::required_text("网格代码", &input.code)?;
            let parent = validate::optional_text(input.parent.as_deref());
            if let Some(parent) = &parent {
                self.existing_id("grids", parent)?.ok_or_else(|| {
                    Error::invalid(format!(
                        "网格“{code}”的上级网格“{parent}”不存在，请把上级网格写在前面"
                    ))
                })?;
            }
            let grid = Grid {
                id: roster_id("grid", &code),
                name: validate::required_text("网格名称", &input.name)?,
                code,
                level: input.level,
                parent,
                committees: input.committees.clone(),
            };
            if self.enter(Change::GridUpsert(grid), None)? {
                imported.grids += 1;
            } else {
                imported.unchanged += 1;
            }
        }
        for input in &roster.stations {
            let code = validate::required_text("站点代码", &input.code)?;
            let grid = self.known_grid(input.grid.as_deref())?;
            let committee = input
                .committee
                .as_ref()
                .map(|c| self.checked_committee(&code, c))
                .transpose()?;
            let station = Station {
                id: roster_id("station", &code),
                name: validate::required_text("站点名称", &input.name)?,
                code,
                level: input.level,
                grid,
                phone: validate::optional_text(input.phone.as_deref()),
                address: validate::optional_text(input.address.as_deref()),
                committee,
            };
            if self.enter(Change::StationUpsert(station), None)? {
                imported.stations += 1;
            } else {
                imported.unchanged += 1;
            }
        }
        for input in &roster.deputies {
            let name = validate::required_text("代表姓名", &input.name)?;
            let station = validate::optional_text(input.station.as_deref());
            if let Some(code) = &station {
                self.existing_id("stations", code)?
                    .ok_or_else(|| Error::invalid(format!("代表“{name}”所在站点“{code}”不存在")))?;
            }
            if let Some(since) = input.mediator_since {
                validate::date_not_in_future("特邀调解员聘任日期", since)?;
            }
            let same_person = match input.id {
                Some(id) => Some(id),
                None => self
                    .tx()
                    .prepare_cached(
                        "SELECT id FROM deputies WHERE name = ?1 AND station IS ?2 LIMIT 1",
                    )?
                    .query_row(params![name, station], |row| row.get::<_, String>(0))
                    .optional()?
                    .as_deref()
                    .map(parse_uuid)
                    .transpose()?,
            };
            let id = match same_person {
                Some(id) => id,
                None => self.new_id(china_now()),
            };
            let deputy = Deputy {
                id,
                phone: optional_mobile(&format!("代表“{name}”电话"), input.phone.as_deref())?,
                name,
                congress: input.congress,
                grid: self.known_grid(input.grid.as_deref())?,
                station,
                mediator_since: input.mediator_since,
                active: input.active,
            };
            if self.enter(Change::DeputyUpsert(deputy), None)? {
                imported.deputies += 1;
            } else {
                imported.unchanged += 1;
            }
        }
        for input in &roster.duty {
            let station = validate::required_text("值班站点", &input.station)?;
            self.existing_id("stations", &station)?
                .ok_or_else(|| Error::invalid(format!("值班站点“{station}”不存在")))?;
            if input.from >= input.to {
                return Err(Error::invalid(format!(
                    "{} 的值班时间 {}–{} 不合理：结束应晚于开始",
                    input.date,
                    input.from.format("%H:%M"),
                    input.to.format("%H:%M")
                )));
            }
            if input.deputies.is_empty() {
                return Err(Error::invalid(format!(
                    "{} 的值班安排没有值班代表",
                    input.date
                )));
            }
            let mut deputies = Vec::new();
            for reference in &input.deputies {
                deputies.push(self.resolve_deputy(reference)?.id);
            }
            let existing: Option<String> = self
                .tx()
                .prepare_cached(
                    "SELECT id FROM duty_shifts WHERE station = ?1 AND date = ?2 AND starts = ?3",
                )?
                .query_row(
                    params![
                        station,
                        input.date.to_string(),
                        input.from.format("%H:%M").to_string()
                    ],
                    |row| row.get(0),
                )
                .optional()?;
            let shift = DutyShift {
                id: match existing.as_deref().map(parse_uuid).transpose()? {
                    Some(id) => id,
                    None => self.new_id(china_now()),
                },
                station,
                date: input.date,
                starts: input.from,
                ends: input.to,
                deputies,
            };
            if self.enter(Change::DutyShiftUpsert(shift), None)? {
                imported.duty += 1;
            } else {
                imported.unchanged += 1;
            }
        }
        Ok(imported)
    }

    fn existing_id(&self, table: &str, code: &str) -> Result<Option<Uuid>> {
        let id: Option<String> = self
            .tx()
            .prepare_cached(&format!("SELECT id FROM {table} WHERE code = ?1"))?
            .query_row([code], |row| row.get(0))
            .optional()?;
        id.as_deref().map(parse_uuid).transpose()
    }

    fn known_grid(&self, code: Option<&str>) -> Result<Option<String>> {
        let Some(code) = validate::optional_text(code) else {
            return Ok(None);
        };
        self.existing_id("grids", &code)?
            .ok_or_else(|| Error::invalid(format!("网格“{code}”不存在")))?;
        Ok(Some(code))
    }

    /// The next free case number of `station` in `year` (after every one the book holds),
    /// with its sequence.
    pub(crate) fn next_case_no(&self, station: &str, year: i32) -> Result<(u32, String)> {
        let seq: u32 = self
            .tx()
            .prepare_cached(
                "SELECT COALESCE(MAX(case_seq), 0) + 1 FROM receptions
                 WHERE station = ?1 AND case_year = ?2",
            )?
            .query_row(params![station, year], |row| row.get(0))?;
        Ok((seq, case_number(station, year, seq)))
    }

    /// Station `code`'s committee as a roster gives it, checked: a name, and a short name
    /// that no other station's committee has and that is no other station's code (either would
    /// make two stations' mediation numbers alike).
    fn checked_committee(
        &self,
        code: &str,
        committee: &MediationCommittee,
    ) -> Result<MediationCommittee> {
        let name = validate::required_text("人民调解委员会名称", &committee.name)?;
        let short_name = validate::required_text("人民调解委员会简称", &committee.short_name)?;
        if short_name.chars().count() > 12 || short_name.contains(['（', '）', '(', ')']) {
            return Err(Error::invalid(format!(
                "人民调解委员会简称“{short_name}”应为不超过12字、不含括号的简称，如“东岭村”"
            )));
        }
        let taken: Option<String> = self
            .tx()
            .prepare_cached(
                "SELECT code FROM stations
                 WHERE code != ?1 AND (committee_short_name = ?2 OR code = ?2) LIMIT 1",
            )?
            .query_row(params![code, short_name], |row| row.get(0))
            .optional()?;
        if let Some(other) = taken {
            return Err(Error::invalid(format!(
                "人民调解委员会简称“{short_name}”已被站点{other}使用，调解编号会重复，请换一个"
            )));
        }
        Ok(MediationCommittee { name, short_name })
    }

    /// What heads a new mediation number of `station`: its committee's short name, or (with
    /// no committee on the roster) the station's code, as before committees existed.
    fn mediation_prefix(&self, station: &str) -> Result<String> {
        let short_name: Option<String> = self
            .tx()
            .prepare_cached("SELECT committee_short_name FROM stations WHERE code = ?1")?
            .query_row([station], |row| row.get(0))
            .optional()?
            .flatten();
        Ok(short_name.unwrap_or_else(|| station.to_owned()))
    }

    /// The next free mediation number of `station` in `year`, with its sequence.
    pub(crate) fn next_mediation_number(&self, station: &str, year: i32) -> Result<(u32, String)> {
        let seq: u32 = self
            .tx()
            .prepare_cached(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM mediations WHERE station = ?1 AND year = ?2",
            )?
            .query_row(params![station, year], |row| row.get(0))?;
        Ok((
            seq,
            mediation_number(year, &self.mediation_prefix(station)?, seq),
        ))
    }
}

/// Grids and stations are known by their town-wide codes: their ids are made from the code,
/// so the town's roster and one a station imported itself name the same records.
fn roster_id(kind: &str, code: &str) -> Uuid {
    const ROSTER_NAMESPACE: Uuid = Uuid::from_u128(0x6c69_6169_736f_6e2d_726f_7374_6572_0001);
    Uuid::new_v5(&ROSTER_NAMESPACE, format!("{kind}:{code}").as_bytes())
}

fn check_case_event_fields(kind: &CaseEventKind, at: DateTime<FixedOffset>) -> Result<()> {
    match kind {
        CaseEventKind::AnsweredOnSpot { answer } => {
            validate::required_text("答复内容", answer)?;
        }
        CaseEventKind::NotAccepted { reason, route } => {
            validate::required_text("不予受理的理由", reason)?;
            validate::required_text("告知的解决途径", route)?;
        }
        CaseEventKind::Referred { to, deadline } => {
            validate::required_text("交办单位", to)?;
            if *deadline < at.date_naive() {
                return Err(Error::invalid("办理期限不能早于交办日期"));
            }
        }
        CaseEventKind::ReplyReceived { content, .. } => {
            validate::required_text("答复内容", content)?;
        }
        CaseEventKind::SentBack { reason } | CaseEventKind::Reopened { reason } => {
            validate::required_text("理由", reason)?;
        }
        CaseEventKind::Chased {
            deadline: Some(deadline),
            ..
        } => {
            if *deadline < at.date_naive() {
                return Err(Error::invalid("督办的新期限不能早于督办日期").at("deadline"));
            }
        }
        CaseEventKind::Accepted
        | CaseEventKind::Chased { .. }
        | CaseEventKind::FedBack
        | CaseEventKind::FollowUp { .. }
        | CaseEventKind::ToCouncil
        | CaseEventKind::ToMediation { .. }
        | CaseEventKind::Closed => {}
    }
    Ok(())
}

/// Checks an item's rights review: a re-vote only on a corrected text of an infringing
/// resolution, and no more votes than those present. Texts are trimmed.
fn check_review(index: usize, review: RightsReview, present: u32) -> Result<RightsReview> {
    let number = index + 1;
    let path = |name: &str| format!("items.{index}.rights_review.{name}");
    let correction = validate::optional_text(review.correction.as_deref());
    if let Some(revote) = review.revote {
        if !review.infringes {
            return Err(Error::invalid(format!(
                "第{number}项审查未发现侵权，无须重新表决：请不要填写重新表决票数"
            ))
            .at(path("revote")));
        }
        if correction.is_none() {
            return Err(Error::invalid(format!(
                "第{number}项重新表决的是纠正后的决议，请填写纠正后的决议内容"
            ))
            .at(path("correction")));
        }
        let cast = revote.cast();
        if cast > u64::from(present) {
            return Err(Error::refused(
                ErrorKind::Quorum,
                format!("第{number}项重新表决票数合计（{cast}）超过实到人数（{present}）"),
            )
            .at(path("revote")));
        }
    }
    Ok(RightsReview {
        infringes: review.infringes,
        note: validate::optional_text(review.note.as_deref()),
        correction,
        revote: review.revote,
    })
}

/// Checks a meeting event against the meeting and what followed it so far; trims its texts.
fn check_meeting_event(
    meeting: &CouncilMeeting,
    events: &[MeetingEvent],
    kind: MeetingEventKind,
    at: DateTime<FixedOffset>,
) -> Result<MeetingEventKind> {
    let item = |number: Option<u32>| -> Result<Option<u32>> {
        let Some(number) = number else {
            return Ok(None);
        };
        let count = meeting.items.len();
        let index = usize::try_from(number).unwrap_or(usize::MAX);
        if index == 0 || index > count {
            return Err(
                Error::invalid(format!("这次会议只有{count}项议题，没有第{number}项")).at("item"),
            );
        }
        Ok(Some(number))
    };
    Ok(match kind {
        MeetingEventKind::Published { from, to, place } => {
            if publication(meeting, events).is_some() {
                return Err(Error::refused(
                    ErrorKind::InvalidTransition,
                    "这次会议已登记公示，不能重复登记",
                ));
            }
            if from < meeting.held_at.date_naive() {
                return Err(Error::invalid("公示开始日期不能早于会议日期").at("from"));
            }
            if to < from {
                return Err(Error::invalid("公示结束日期不能早于开始日期").at("to"));
            }
            MeetingEventKind::Published {
                from,
                to,
                place: validate::required_text("公示地点", &place)
                    .map_err(validate::at("place"))?,
            }
        }
        MeetingEventKind::Objection {
            item: number,
            raised_by,
            content,
        } => MeetingEventKind::Objection {
            item: item(number)?,
            raised_by: validate::optional_text(raised_by.as_deref()),
            content: validate::required_text("异议内容", &content)
                .map_err(validate::at("content"))?,
        },
        MeetingEventKind::Answered { objection, answer } => {
            let Some(raised) = events.iter().find(|event| {
                event.id == objection && matches!(event.kind, MeetingEventKind::Objection { .. })
            }) else {
                return Err(Error::not_found(format!(
                    "这次会议没有编号为“{objection}”的异议（见 meeting list --json 中的 events）"
                ))
                .at("objection"));
            };
            if !open_objections(events)
                .iter()
                .any(|open| open.id == objection)
            {
                return Err(
                    Error::refused(ErrorKind::InvalidTransition, "这条异议已经答复过了")
                        .at("objection"),
                );
            }
            if at < raised.at {
                return Err(Error::invalid("答复时间不能早于收到异议的时间").at("at"));
            }
            MeetingEventKind::Answered {
                objection,
                answer: validate::required_text("答复内容", &answer)
                    .map_err(validate::at("answer"))?,
            }
        }
        MeetingEventKind::CarriedOut {
            item: number,
            report,
        } => {
            let number = item(number)?;
            let passed = |index: usize| meeting.items.get(index).is_some_and(|i| i.passed);
            match number {
                Some(n) if !passed(usize::try_from(n).unwrap_or(usize::MAX) - 1) => {
                    return Err(Error::refused(
                        ErrorKind::InvalidTransition,
                        format!("第{n}项议题未通过，没有决定可执行"),
                    )
                    .at("item"));
                }
                None if !meeting.items.iter().any(|i| i.passed) => {
                    return Err(Error::refused(
                        ErrorKind::InvalidTransition,
                        "这次会议没有通过的议题，没有决定可执行",
                    ));
                }
                _ => {}
            }
            MeetingEventKind::CarriedOut {
                item: number,
                report: validate::required_text("执行情况", &report)
                    .map_err(validate::at("report"))?,
            }
        }
    })
}

/// Names as typed, trimmed, blanks dropped.
fn names(names: Vec<String>) -> Vec<String> {
    names
        .iter()
        .filter_map(|name| validate::optional_text(Some(name)))
        .collect()
}

/// Checks a suggestion event against its life so far: handed in once, and before it is
/// assigned or answered; an opinion only of an answer not asked about yet. Texts are trimmed; an
/// assignment without a deadline gets the law's three months.
fn check_suggestion_event(
    state: &SuggestionState,
    kind: SuggestionEventKindInput,
    at: DateTime<FixedOffset>,
) -> Result<SuggestionEventKind> {
    let refuse = |message: &str| Error::refused(ErrorKind::InvalidTransition, message.to_owned());
    let submitted = state.submitted_on.is_some();
    Ok(match kind {
        SuggestionEventKindInput::Submitted { to, registered_no } => {
            if submitted {
                return Err(refuse("这件建议已登记提交，不能重复提交"));
            }
            SuggestionEventKind::Submitted {
                to: validate::optional_text(to.as_deref()),
                registered_no: validate::optional_text(registered_no.as_deref()),
            }
        }
        SuggestionEventKindInput::Assigned { unit, deadline } => {
            if !submitted {
                return Err(refuse("建议尚未提交，不能登记交办：请先登记“提交”"));
            }
            let deadline = deadline.unwrap_or_else(|| answer_deadline(at.date_naive()));
            if deadline < at.date_naive() {
                return Err(Error::invalid("答复期限不能早于交办日期").at("deadline"));
            }
            SuggestionEventKind::Assigned {
                unit: validate::required_text("承办单位", &unit).map_err(validate::at("unit"))?,
                deadline,
            }
        }
        SuggestionEventKindInput::Answered {
            unit,
            answer,
            class,
        } => {
            if !submitted {
                return Err(refuse("建议尚未提交，不能登记答复：请先登记“提交”"));
            }
            let unit = validate::optional_text(unit.as_deref());
            if let Some(unit) = &unit
                && !state.units.is_empty()
                && !state.units.contains(unit)
            {
                return Err(Error::invalid(format!(
                    "“{unit}”不是这件建议的承办单位（{}）",
                    state.units.join("、")
                ))
                .at("unit"));
            }
            SuggestionEventKind::Answered {
                unit,
                answer: validate::required_text("答复内容", &answer)
                    .map_err(validate::at("answer"))?,
                class,
            }
        }
        SuggestionEventKindInput::Satisfaction {
            satisfaction,
            opinion,
        } => {
            if state.answered_on.is_none() {
                return Err(refuse("建议尚未答复，不能征询代表对答复的意见"));
            }
            if state.satisfaction.is_some() {
                return Err(refuse(
                    "已征询过代表对这次答复的意见；代表不满意的，承办单位重新答复后再征询",
                ));
            }
            SuggestionEventKind::Satisfaction {
                satisfaction,
                opinion: validate::optional_text(opinion.as_deref()),
            }
        }
    })
}

/// Checks a mediation event against the file; fills in the agreement's copies.
fn check_mediation_event(
    mediation: &Mediation,
    state: &MediationState,
    kind: MediationEventKind,
    at: DateTime<FixedOffset>,
) -> Result<MediationEventKind> {
    let parties = u32::try_from(mediation.parties.len()).unwrap_or(u32::MAX);
    match kind {
        MediationEventKind::Session { .. }
        | MediationEventKind::Investigation { .. }
        | MediationEventKind::Agreement { .. }
            if state.result.is_some() =>
        {
            return Err(Error::refused(
                ErrorKind::InvalidTransition,
                "该调解已有结果，不能再登记调查、调解过程或协议",
            ));
        }
        MediationEventKind::Session {
            place,
            statements,
            facts,
            outcome,
            participants,
            recorder,
        } => {
            return Ok(MediationEventKind::Session {
                place: validate::required_text("调解地点", &place)
                    .map_err(validate::at("place"))?,
                statements: validate::required_text("当事人陈述", &statements)
                    .map_err(validate::at("statements"))?,
                facts: validate::optional_text(facts.as_deref()),
                outcome: validate::optional_text(outcome.as_deref()),
                participants: names(participants),
                recorder: validate::optional_text(recorder.as_deref()),
            });
        }
        MediationEventKind::Investigation {
            place,
            subject,
            content,
            participants,
            recorder,
        } => {
            return Ok(MediationEventKind::Investigation {
                place: validate::required_text("调查地点", &place)
                    .map_err(validate::at("place"))?,
                subject: validate::required_text("被调查人", &subject)
                    .map_err(validate::at("subject"))?,
                content: validate::required_text("调查内容", &content)
                    .map_err(validate::at("content"))?,
                participants: names(participants),
                recorder: validate::optional_text(recorder.as_deref()),
            });
        }
        MediationEventKind::RightsNotified {} => {
            if let Some(result) = state.result {
                return Err(Error::refused(
                    ErrorKind::InvalidTransition,
                    format!(
                        "该调解已有结果（{}），权利义务应在调解前告知",
                        result.label()
                    ),
                ));
            }
        }
        MediationEventKind::Agreement {
            facts,
            responsibilities,
            terms,
            performance_method,
            performance_deadline,
            performance_place,
            amount_yuan,
            copies,
        } => {
            let expected = parties + 1;
            if copies.is_some_and(|c| c != expected) {
                return Err(Error::invalid(format!(
                    "协议书应为当事人数加一，共{expected}份（每方一份，调解委员会留存一份）"
                )));
            }
            if performance_deadline < at.date_naive() {
                return Err(Error::invalid("履行期限不能早于协议日期"));
            }
            return Ok(MediationEventKind::Agreement {
                facts: validate::required_text("纠纷事实及争议事项", &facts)?,
                responsibilities: validate::required_text("各方责任", &responsibilities)?,
                terms: validate::required_text("协议内容", &terms)?,
                performance_method: validate::required_text("履行方式", &performance_method)?,
                performance_deadline,
                performance_place: validate::required_text("履行地点", &performance_place)?,
                amount_yuan,
                copies: Some(expected),
            });
        }
        MediationEventKind::Result {
            result,
            ref routes,
            ref oral_terms,
        } => {
            if let Some(previous) = state.result {
                return Err(Error::refused(
                    ErrorKind::InvalidTransition,
                    format!("该调解已有结果（{}），不能重复登记", previous.label()),
                ));
            }
            if result == MediationResult::SucceededWritten && state.agreement_on.is_none() {
                return Err(Error::refused(
                    ErrorKind::InvalidTransition,
                    "书面调解成功须先登记调解协议书",
                ));
            }
            if result == MediationResult::Failed {
                validate::required_text(
                    "告知当事人的其他解决途径",
                    routes.as_deref().unwrap_or(""),
                )?;
            }
            let oral_terms = validate::optional_text(oral_terms.as_deref());
            match (result, &oral_terms) {
                (MediationResult::SucceededOral, None) => {
                    return Err(Error::invalid(
                        "口头协议须记录协议内容（《人民调解法》第二十八条：人民调解员应当记录协议内容）",
                    )
                    .at("oral_terms"));
                }
                (MediationResult::SucceededOral, Some(_)) => {}
                (_, Some(_)) => {
                    return Err(Error::invalid("只有口头协议才记录口头协议内容").at("oral_terms"));
                }
                (_, None) => {}
            }
            return Ok(MediationEventKind::Result {
                result,
                routes: validate::optional_text(routes.as_deref()),
                oral_terms,
            });
        }
        MediationEventKind::Performance { .. } | MediationEventKind::FollowUp { .. } => {
            if !state.result.is_some_and(MediationResult::is_success) {
                return Err(Error::refused(
                    ErrorKind::InvalidTransition,
                    "调解成功后才能登记履行情况或回访",
                ));
            }
        }
        MediationEventKind::JudicialConfirmation {
            applied_on,
            ref court,
            ..
        } => {
            if state.result.is_some_and(|r| !r.is_success()) {
                return Err(Error::refused(
                    ErrorKind::InvalidTransition,
                    "调解未成功，不能申请司法确认",
                ));
            }
            let Some(agreed) = state.agreement_on else {
                return Err(Error::refused(
                    ErrorKind::InvalidTransition,
                    "须先有调解协议书，才能申请司法确认",
                ));
            };
            validate::date_not_in_future("司法确认申请日期", applied_on)?;
            validate::required_text("受理法院", court)?;
            if applied_on < agreed
                || applied_on > agreed + TimeDelta::days(JUDICIAL_CONFIRMATION_DAYS)
            {
                return Err(Error::invalid(format!(
                    "司法确认应自调解协议生效之日（{agreed}）起{JUDICIAL_CONFIRMATION_DAYS}日内申请"
                )));
            }
        }
    }
    Ok(kind)
}
