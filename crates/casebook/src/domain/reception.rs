//! Receptions (接待登记) and the case each one opens: an append-only timeline whose last
//! meaningful event decides the case's status.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// How the visitor reached the deputies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 到站接待
    #[serde(alias = "到站接待")]
    StationVisit,
    /// 网格走访
    #[serde(alias = "网格走访")]
    GridVisit,
    /// 电话
    #[serde(alias = "电话")]
    Phone,
    /// 微信
    #[serde(alias = "微信")]
    Wechat,
    /// 来信
    #[serde(alias = "来信")]
    Letter,
}

impl Channel {
    /// Every channel, in display order.
    pub const ALL: [Channel; 5] = [
        Channel::StationVisit,
        Channel::GridVisit,
        Channel::Phone,
        Channel::Wechat,
        Channel::Letter,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Channel::StationVisit => "station_visit",
            Channel::GridVisit => "grid_visit",
            Channel::Phone => "phone",
            Channel::Wechat => "wechat",
            Channel::Letter => "letter",
        }
    }

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            Channel::StationVisit => "到站接待",
            Channel::GridVisit => "网格走访",
            Channel::Phone => "电话",
            Channel::Wechat => "微信",
            Channel::Letter => "来信",
        }
    }
}

/// Visitor's sex as recorded on the form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    /// 男
    #[serde(alias = "男")]
    Male,
    /// 女
    #[serde(alias = "女")]
    Female,
}

impl Sex {
    /// Every value, in display order.
    pub const ALL: [Sex; 2] = [Sex::Male, Sex::Female];

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            Sex::Male => "男",
            Sex::Female => "女",
        }
    }
}

/// One visitor of a reception. Everything but `sex` is personal data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Visitor {
    /// Name; absent for an anonymous visitor.
    #[serde(default)]
    pub name: Option<String>,
    /// Sex.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// Age in years.
    #[serde(default)]
    pub age: Option<u8>,
    /// Mobile number.
    #[serde(default)]
    pub phone: Option<String>,
    /// 18-digit resident ID number.
    #[serde(default)]
    pub id_number: Option<String>,
    /// Address or village group.
    #[serde(default)]
    pub address: Option<String>,
    /// Speaks for a collective visit.
    #[serde(default)]
    pub representative: bool,
}

/// What stands in for a visitor's identity when the visitor asked for confidentiality
/// (来访人要求保密): in bundles and on every document but the station's own stub.
pub const WITHHELD_IDENTITY: &str = "来访人要求保密";

impl Visitor {
    /// True when the visitor could be identified from what was recorded.
    pub fn has_personal_data(&self) -> bool {
        self.name.is_some()
            || self.phone.is_some()
            || self.id_number.is_some()
            || self.address.is_some()
    }

    /// The visitor without name, phone, ID number and address; sex, age and whether they spoke
    /// for a group stay, so statistics still count them.
    pub fn withheld(&self) -> Visitor {
        Visitor {
            name: Some(WITHHELD_IDENTITY.to_owned()),
            phone: None,
            id_number: None,
            address: None,
            ..self.clone()
        }
    }
}

/// What the visitor came with. Not every reception is a dispute: deputies also take
/// suggestions, requests for help, questions and complaints, which the Ministry of Justice's
/// dispute table does not count (docs/domain.md, "What a reception is").
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ReceptionKind {
    /// 矛盾纠纷: one of the 19 dispute types. What every reception was before kinds existed.
    #[default]
    #[serde(alias = "矛盾纠纷")]
    Dispute,
    /// 意见建议
    #[serde(alias = "意见建议")]
    Suggestion,
    /// 求助
    #[serde(alias = "求助")]
    Help,
    /// 咨询
    #[serde(alias = "咨询")]
    Consultation,
    /// 反映问题
    #[serde(alias = "反映问题")]
    Complaint,
}

impl ReceptionKind {
    /// Every kind, in display order.
    pub const ALL: [ReceptionKind; 5] = [
        ReceptionKind::Dispute,
        ReceptionKind::Suggestion,
        ReceptionKind::Help,
        ReceptionKind::Consultation,
        ReceptionKind::Complaint,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            ReceptionKind::Dispute => "dispute",
            ReceptionKind::Suggestion => "suggestion",
            ReceptionKind::Help => "help",
            ReceptionKind::Consultation => "consultation",
            ReceptionKind::Complaint => "complaint",
        }
    }

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            ReceptionKind::Dispute => "矛盾纠纷",
            ReceptionKind::Suggestion => "意见建议",
            ReceptionKind::Help => "求助",
            ReceptionKind::Consultation => "咨询",
            ReceptionKind::Complaint => "反映问题",
        }
    }

    /// Whether this is a dispute (the default, left out of a record's JSON so that records
    /// made before kinds existed read and write as they were).
    pub fn is_dispute(&self) -> bool {
        *self == ReceptionKind::Dispute
    }

    /// The categories a reception of this kind takes: the dispute types, or the classes by
    /// which deputies' suggestions are sorted.
    pub fn categories(self) -> &'static [&'static str] {
        match self {
            ReceptionKind::Dispute => &super::DISPUTE_TYPES,
            _ => &super::SUGGESTION_CATEGORIES,
        }
    }
}

/// A reception as stored and synchronised. Its case number never changes once the town holds
/// it; only one typed at a restored station before the town sent its log back may be given a
/// new one (the number was the town's already), and then keeps the old in `former_case_no`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Reception {
    /// Record id.
    pub id: Uuid,
    /// `BX-2026-0001`.
    pub case_no: String,
    /// The number it was first given and printed on the visitor's slip, when it had to be
    /// renumbered (a 更正通知 tells the visitor).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub former_case_no: Option<String>,
    /// What the visitor came with; a dispute when absent.
    #[serde(default, skip_serializing_if = "ReceptionKind::is_dispute")]
    #[cfg_attr(feature = "ts", ts(as = "Option<ReceptionKind>", optional))]
    pub kind: ReceptionKind,
    /// Station that received the visitor.
    pub station: String,
    /// When.
    pub received_at: DateTime<FixedOffset>,
    /// How.
    pub channel: Channel,
    /// Where (station, grid, village group).
    pub place: Option<String>,
    /// Base grid the matter belongs to.
    pub grid: Option<String>,
    /// Receiving deputies.
    pub deputies: Vec<Uuid>,
    /// Visitors; representatives first for a collective visit.
    pub visitors: Vec<Visitor>,
    /// Number of people who came (≥ the visitors listed).
    pub head_count: u32,
    /// Dispute type.
    pub category: String,
    /// Finer type, e.g. 出嫁女土地权益.
    pub subcategory: Option<String>,
    /// The matter in the visitor's own words (事由).
    pub matter: String,
    /// What the visitor asks for (诉求).
    pub request: String,
    /// Proposed handling (拟办意见).
    pub proposed_handling: Option<String>,
    /// The visitor asked for confidentiality.
    pub confidential: bool,
    /// The visitor consented to processing of personal data.
    pub consent: bool,
    /// Reply promised to the visitor by this date (printed on the slip).
    pub reply_due: NaiveDate,
}

impl Reception {
    /// The reception as it may leave the station: a confidential visit's visitors withheld
    /// ([`Visitor::withheld`]); any other reception as it is.
    pub fn for_outside(&self) -> Reception {
        let mut shown = self.clone();
        if self.confidential {
            shown.visitors = self.visitors.iter().map(Visitor::withheld).collect();
        }
        shown
    }
}

/// A case number: `BX-2026-0001`.
pub fn case_number(station: &str, year: i32, seq: u32) -> String {
    format!("{station}-{year}-{seq:04}")
}

/// A collective visit (集体访) by the usual threshold of five or more people.
pub const COLLECTIVE_VISIT_HEAD_COUNT: u32 = 5;

/// Days to the promised reply when the deputy does not set a date.
pub const DEFAULT_REPLY_DAYS: i64 = 15;

/// What `reception add` reads.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct ReceptionInput {
    /// RFC 3339 time.
    pub received_at: DateTime<FixedOffset>,
    /// Channel.
    pub channel: Channel,
    /// Receiving deputies, by id or name.
    pub deputies: Vec<String>,
    /// Visitors.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub visitors: Vec<Visitor>,
    /// Head count of a collective visit.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub head_count: Option<u32>,
    /// What the visitor came with; a dispute when absent.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub kind: Option<ReceptionKind>,
    /// The dispute type, or for another kind the class of the matter.
    pub category: String,
    /// Finer type.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub subcategory: Option<String>,
    /// 事由.
    pub matter: String,
    /// 诉求.
    pub request: String,
    /// 拟办意见.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub proposed_handling: Option<String>,
    /// Place.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub place: Option<String>,
    /// Grid code; defaults to the first deputy's grid.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub grid: Option<String>,
    /// Promised reply date; defaults to 15 days after the reception.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub reply_due: Option<NaiveDate>,
    /// Confidentiality requested.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub confidential: bool,
    /// Consent to processing personal data.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub consent: bool,
}

/// Satisfaction recorded at a follow-up visit (回访).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Satisfaction {
    /// 满意
    #[serde(alias = "满意")]
    Satisfied,
    /// 基本满意
    #[serde(alias = "基本满意")]
    BasicallySatisfied,
    /// 不满意: the case goes back to be handled again.
    #[serde(alias = "不满意")]
    Dissatisfied,
}

impl Satisfaction {
    /// Every value, in display order.
    pub const ALL: [Satisfaction; 3] = [
        Satisfaction::Satisfied,
        Satisfaction::BasicallySatisfied,
        Satisfaction::Dissatisfied,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::BasicallySatisfied => "basically_satisfied",
            Satisfaction::Dissatisfied => "dissatisfied",
        }
    }

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "满意",
            Satisfaction::BasicallySatisfied => "基本满意",
            Satisfaction::Dissatisfied => "不满意",
        }
    }
}

/// What happened to a case. The tag is the event's `kind` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CaseEventKind {
    /// 受理
    Accepted,
    /// 当场答复
    AnsweredOnSpot {
        /// The answer given.
        answer: String,
    },
    /// 不予受理并告知途径 (e.g. already before a court → litigation route)
    NotAccepted {
        /// Why.
        reason: String,
        /// The route explained to the visitor (信访/诉讼/仲裁...).
        route: String,
    },
    /// 交办
    Referred {
        /// Department or person it was referred to.
        to: String,
        /// Reply expected by.
        deadline: NaiveDate,
    },
    /// 督办: the referral's unit chased for its answer, perhaps with a new deadline.
    Chased {
        /// The unit chased; the latest referral's when not named.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        unit: Option<String>,
        /// Who chased it (a deputy, the town's office), as written.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        by: Option<String>,
        /// The new deadline the unit was given: the answer is owed by then.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        deadline: Option<NaiveDate>,
    },
    /// 收到答复
    ReplyReceived {
        /// Who replied.
        #[serde(default)]
        from: Option<String>,
        /// The reply.
        content: String,
    },
    /// 反馈群众
    FedBack,
    /// 回访
    FollowUp {
        /// The visitor's satisfaction with how the matter was handled; 不满意 sends the case
        /// back.
        satisfaction: Satisfaction,
        /// The visitor's satisfaction with the receiving deputies, asked at the same visit
        /// and counted per deputy (履职档案).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        deputy_satisfaction: Option<Satisfaction>,
    },
    /// 退回重办
    SentBack {
        /// Why.
        reason: String,
    },
    /// 提交议事会
    ToCouncil,
    /// 转入调解
    ToMediation {
        /// Mediation number, once the mediation file exists.
        #[serde(default)]
        mediation_no: Option<String>,
    },
    /// 办结归档
    Closed,
    /// 重新办理: the only event a closed case accepts.
    Reopened {
        /// Why.
        reason: String,
    },
}

impl CaseEventKind {
    /// Every kind's JSON name with what the deputy reads on the timeline, in display order.
    pub const KINDS: [(&'static str, &'static str); 13] = [
        ("accepted", "受理"),
        ("answered_on_spot", "当场答复"),
        ("not_accepted", "不予受理"),
        ("referred", "交办"),
        ("chased", "督办"),
        ("reply_received", "收到答复"),
        ("fed_back", "反馈群众"),
        ("follow_up", "回访"),
        ("sent_back", "退回重办"),
        ("to_council", "提交议事会"),
        ("to_mediation", "转入调解"),
        ("closed", "办结"),
        ("reopened", "重新办理"),
    ];

    /// Stable name, as in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            CaseEventKind::Accepted => "accepted",
            CaseEventKind::AnsweredOnSpot { .. } => "answered_on_spot",
            CaseEventKind::NotAccepted { .. } => "not_accepted",
            CaseEventKind::Referred { .. } => "referred",
            CaseEventKind::Chased { .. } => "chased",
            CaseEventKind::ReplyReceived { .. } => "reply_received",
            CaseEventKind::FedBack => "fed_back",
            CaseEventKind::FollowUp { .. } => "follow_up",
            CaseEventKind::SentBack { .. } => "sent_back",
            CaseEventKind::ToCouncil => "to_council",
            CaseEventKind::ToMediation { .. } => "to_mediation",
            CaseEventKind::Closed => "closed",
            CaseEventKind::Reopened { .. } => "reopened",
        }
    }

    /// What the deputy reads on the timeline.
    pub fn label(&self) -> &'static str {
        kind_label(&Self::KINDS, self.as_str())
    }
}

impl CaseEventKind {
    /// The event's particulars in a line the deputy reads, when it has any.
    pub fn detail(&self) -> Option<String> {
        match self {
            CaseEventKind::AnsweredOnSpot { answer } => Some(format!("答复：{answer}")),
            CaseEventKind::NotAccepted { reason, route } => {
                Some(format!("理由：{reason}；告知途径：{route}"))
            }
            CaseEventKind::Referred { to, deadline } => {
                Some(format!("交{to}办理，期限 {deadline}"))
            }
            CaseEventKind::ReplyReceived { from, content } => Some(match from {
                Some(from) => format!("{from}答复：{content}"),
                None => format!("答复：{content}"),
            }),
            CaseEventKind::FollowUp {
                satisfaction,
                deputy_satisfaction,
            } => Some(match deputy_satisfaction {
                Some(with_deputy) => format!(
                    "满意度：{}；对代表：{}",
                    satisfaction.label(),
                    with_deputy.label()
                ),
                None => format!("满意度：{}", satisfaction.label()),
            }),
            CaseEventKind::SentBack { reason } | CaseEventKind::Reopened { reason } => {
                Some(format!("理由：{reason}"))
            }
            CaseEventKind::ToMediation {
                mediation_no: Some(number),
            } => Some(format!("调解编号 {number}")),
            CaseEventKind::Chased { unit, by, deadline } => {
                let parts: Vec<String> = [
                    unit.as_ref().map(|unit| format!("督办{unit}")),
                    by.as_ref().map(|by| format!("督办人：{by}")),
                    deadline.map(|deadline| format!("新期限 {deadline}")),
                ]
                .into_iter()
                .flatten()
                .collect();
                (!parts.is_empty()).then(|| parts.join("，"))
            }
            CaseEventKind::Accepted
            | CaseEventKind::FedBack
            | CaseEventKind::ToCouncil
            | CaseEventKind::ToMediation { mediation_no: None }
            | CaseEventKind::Closed => None,
        }
    }
}

/// One entry of a case's timeline, as stored and synchronised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseEvent {
    /// Record id (UUIDv7: orders events recorded at the same minute).
    pub id: Uuid,
    /// The reception (case) it belongs to.
    pub reception: Uuid,
    /// When it happened.
    pub at: DateTime<FixedOffset>,
    /// Deputy who recorded it.
    pub deputy: Option<Uuid>,
    /// Free note.
    pub note: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub kind: CaseEventKind,
}

/// What `case event` reads: the kind's fields plus these.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CaseEventInput {
    /// When; defaults to now.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub at: Option<DateTime<FixedOffset>>,
    /// Recording deputy, by id or name.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub deputy: Option<String>,
    /// Free note.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub note: Option<String>,
    /// The event.
    #[serde(flatten)]
    pub kind: CaseEventKind,
}

/// A case's status, derived from its timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CaseStatus {
    /// 待受理: registered, nothing done yet.
    Pending,
    /// 办理中
    InProgress,
    /// 已交办
    Referred,
    /// 已答复
    Replied,
    /// 已反馈
    FedBack,
    /// 已回访
    FollowedUp,
    /// 退回重办
    SentBack,
    /// 议事会审议中
    InCouncil,
    /// 调解中
    InMediation,
    /// 不予受理
    NotAccepted,
    /// 已办结
    Closed,
}

impl CaseStatus {
    /// Every status, in the order of a case's life.
    pub const ALL: [CaseStatus; 11] = [
        CaseStatus::Pending,
        CaseStatus::InProgress,
        CaseStatus::Referred,
        CaseStatus::Replied,
        CaseStatus::FedBack,
        CaseStatus::FollowedUp,
        CaseStatus::SentBack,
        CaseStatus::InCouncil,
        CaseStatus::InMediation,
        CaseStatus::NotAccepted,
        CaseStatus::Closed,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::Pending => "pending",
            CaseStatus::InProgress => "in_progress",
            CaseStatus::Referred => "referred",
            CaseStatus::Replied => "replied",
            CaseStatus::FedBack => "fed_back",
            CaseStatus::FollowedUp => "followed_up",
            CaseStatus::SentBack => "sent_back",
            CaseStatus::InCouncil => "in_council",
            CaseStatus::InMediation => "in_mediation",
            CaseStatus::NotAccepted => "not_accepted",
            CaseStatus::Closed => "closed",
        }
    }

    /// Parses the stored name or the Chinese label.
    pub fn parse(text: &str) -> Option<CaseStatus> {
        Self::ALL
            .into_iter()
            .find(|status| status.as_str() == text || status.label() == text)
    }

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            CaseStatus::Pending => "待受理",
            CaseStatus::InProgress => "办理中",
            CaseStatus::Referred => "已交办",
            CaseStatus::Replied => "已答复",
            CaseStatus::FedBack => "已反馈",
            CaseStatus::FollowedUp => "已回访",
            CaseStatus::SentBack => "退回重办",
            CaseStatus::InCouncil => "议事会审议中",
            CaseStatus::InMediation => "调解中",
            CaseStatus::NotAccepted => "不予受理",
            CaseStatus::Closed => "已办结",
        }
    }

    /// Statuses in which someone still owes the visitor an answer by a date, so the case can be
    /// overdue.
    pub fn awaits_answer(self) -> bool {
        matches!(
            self,
            CaseStatus::Pending
                | CaseStatus::InProgress
                | CaseStatus::Referred
                | CaseStatus::SentBack
        )
    }

    /// Status as a small integer, for the search index's filter terms.
    pub fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }
}

/// Status and the date an answer is owed by, derived from the timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseState {
    /// Current status.
    pub status: CaseStatus,
    /// The answer is owed by this date (the promised reply date or the referral deadline).
    pub due: NaiveDate,
    /// The latest follow-up's satisfaction.
    pub satisfaction: Option<Satisfaction>,
}

impl CaseState {
    /// True when the answer is late on `today`.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.status.awaits_answer() && self.due < today
    }
}

/// Folds a timeline (already in order, each event with its date) into the case's state.
///
/// A closed case ignores everything until an explicit `reopened`: events merged in from another
/// origin after the close must not silently reopen it. A case sent back or reopened owes a new
/// answer [`DEFAULT_REPLY_DAYS`] after that day.
pub fn derive_state<'a>(
    reply_due: NaiveDate,
    events: impl IntoIterator<Item = (NaiveDate, &'a CaseEventKind)>,
) -> CaseState {
    let mut state = CaseState {
        status: CaseStatus::Pending,
        due: reply_due,
        satisfaction: None,
    };
    let fresh_due = |day: NaiveDate| day + chrono::TimeDelta::days(DEFAULT_REPLY_DAYS);
    for (day, event) in events {
        if state.status == CaseStatus::Closed && !matches!(event, CaseEventKind::Reopened { .. }) {
            continue;
        }
        state.status = match event {
            CaseEventKind::Accepted => CaseStatus::InProgress,
            CaseEventKind::Reopened { .. } => {
                state.due = fresh_due(day);
                CaseStatus::InProgress
            }
            CaseEventKind::AnsweredOnSpot { .. } | CaseEventKind::ReplyReceived { .. } => {
                CaseStatus::Replied
            }
            CaseEventKind::NotAccepted { .. } => CaseStatus::NotAccepted,
            CaseEventKind::Referred { deadline, .. } => {
                state.due = *deadline;
                CaseStatus::Referred
            }
            CaseEventKind::Chased { deadline, .. } => {
                if let Some(deadline) = deadline {
                    state.due = *deadline;
                }
                state.status
            }
            CaseEventKind::FedBack => CaseStatus::FedBack,
            CaseEventKind::FollowUp { satisfaction, .. } => {
                state.satisfaction = Some(*satisfaction);
                if *satisfaction == Satisfaction::Dissatisfied {
                    state.due = fresh_due(day);
                    CaseStatus::SentBack
                } else {
                    CaseStatus::FollowedUp
                }
            }
            CaseEventKind::SentBack { .. } => {
                state.due = fresh_due(day);
                CaseStatus::SentBack
            }
            CaseEventKind::ToCouncil => CaseStatus::InCouncil,
            CaseEventKind::ToMediation { .. } => CaseStatus::InMediation,
            CaseEventKind::Closed => CaseStatus::Closed,
        };
    }
    state
}

/// The state of a stored timeline (in order).
pub fn timeline_state(reply_due: NaiveDate, events: &[CaseEvent]) -> CaseState {
    derive_state(
        reply_due,
        events.iter().map(|e| (e.at.date_naive(), &e.kind)),
    )
}

/// Whether a case in `status` may take `event` now; the message says what to do instead.
pub fn check_transition(status: CaseStatus, event: &CaseEventKind) -> Result<(), String> {
    use CaseEventKind as E;
    use CaseStatus as S;
    let allowed = match event {
        E::Reopened { .. } => matches!(status, S::Closed | S::NotAccepted),
        _ if status == S::Closed => {
            return Err("案件已办结归档，如需继续办理，请先登记“重新办理”".into());
        }
        E::Accepted | E::AnsweredOnSpot { .. } | E::NotAccepted { .. } => {
            matches!(status, S::Pending | S::SentBack)
        }
        E::Chased { .. } => status == S::Referred,
        E::FollowUp { .. } => matches!(status, S::Replied | S::FedBack | S::FollowedUp),
        E::Closed => status != S::Pending,
        E::Referred { .. }
        | E::ReplyReceived { .. }
        | E::FedBack
        | E::SentBack { .. }
        | E::ToCouncil
        | E::ToMediation { .. } => status != S::NotAccepted,
    };
    if allowed {
        Ok(())
    } else {
        Err(format!(
            "案件当前状态为“{}”，不能登记“{}”",
            status.label(),
            event.label()
        ))
    }
}

/// The label of the kind named `name` in `kinds` (every kind is listed: the tests check).
pub(crate) fn kind_label(kinds: &[(&'static str, &'static str)], name: &str) -> &'static str {
    kinds
        .iter()
        .find(|(kind, _)| *kind == name)
        .map_or("", |(_, label)| label)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    /// Folds events that all happen on the 10th.
    fn fold(reply_due: NaiveDate, events: &[CaseEventKind]) -> CaseState {
        derive_state(reply_due, events.iter().map(|e| (day(10), e)))
    }

    fn referred(deadline: NaiveDate) -> CaseEventKind {
        CaseEventKind::Referred {
            to: "镇农业农村办".into(),
            deadline,
        }
    }

    fn chased(deadline: Option<NaiveDate>) -> CaseEventKind {
        CaseEventKind::Chased {
            unit: Some("镇农业农村办".into()),
            by: Some("陈建国".into()),
            deadline,
        }
    }

    fn follow_up(satisfaction: Satisfaction) -> CaseEventKind {
        CaseEventKind::FollowUp {
            satisfaction,
            deputy_satisfaction: None,
        }
    }

    fn reply() -> CaseEventKind {
        CaseEventKind::ReplyReceived {
            from: None,
            content: "已安排".into(),
        }
    }

    #[rstest]
    #[case::registered(vec![], CaseStatus::Pending)]
    #[case::accepted(vec![CaseEventKind::Accepted], CaseStatus::InProgress)]
    #[case::answered(vec![CaseEventKind::AnsweredOnSpot { answer: "政策如此".into() }], CaseStatus::Replied)]
    #[case::not_accepted(vec![CaseEventKind::NotAccepted { reason: "已起诉".into(), route: "诉讼".into() }], CaseStatus::NotAccepted)]
    #[case::referred(vec![CaseEventKind::Accepted, referred(day(20))], CaseStatus::Referred)]
    #[case::chase_keeps_referred(vec![referred(day(20)), chased(None)], CaseStatus::Referred)]
    #[case::replied(vec![referred(day(20)), reply()], CaseStatus::Replied)]
    #[case::fed_back(vec![reply(), CaseEventKind::FedBack], CaseStatus::FedBack)]
    #[case::satisfied(vec![CaseEventKind::FedBack, follow_up(Satisfaction::Satisfied)], CaseStatus::FollowedUp)]
    #[case::basically(vec![CaseEventKind::FedBack, follow_up(Satisfaction::BasicallySatisfied)], CaseStatus::FollowedUp)]
    #[case::dissatisfied_sends_back(vec![CaseEventKind::FedBack, follow_up(Satisfaction::Dissatisfied)], CaseStatus::SentBack)]
    #[case::sent_back(vec![CaseEventKind::SentBack { reason: "答复不具体".into() }], CaseStatus::SentBack)]
    #[case::council(vec![CaseEventKind::ToCouncil], CaseStatus::InCouncil)]
    #[case::mediation(vec![CaseEventKind::ToMediation { mediation_no: None }], CaseStatus::InMediation)]
    #[case::closed(vec![CaseEventKind::Accepted, CaseEventKind::Closed], CaseStatus::Closed)]
    #[case::closed_ignores_late_events(vec![CaseEventKind::Closed, reply(), CaseEventKind::FedBack], CaseStatus::Closed)]
    #[case::reopened(vec![CaseEventKind::Closed, CaseEventKind::Reopened { reason: "新情况".into() }], CaseStatus::InProgress)]
    fn status_follows_the_timeline(
        #[case] events: Vec<CaseEventKind>,
        #[case] expected: CaseStatus,
    ) {
        assert_eq!(fold(day(15), &events).status, expected);
    }

    #[test]
    fn a_chase_with_a_new_deadline_moves_the_answer() {
        let chased_later = fold(day(15), &[referred(day(25)), chased(Some(day(30)))]);
        assert_eq!(chased_later.due, day(30));
        assert!(!chased_later.is_overdue(day(30)));
        let chased_only = fold(day(15), &[referred(day(25)), chased(None)]);
        assert_eq!(
            chased_only.due,
            day(25),
            "a chase without a deadline keeps the old one"
        );
    }

    #[test]
    fn referral_deadline_decides_overdue() {
        let state = fold(day(15), &[referred(day(25))]);
        assert_eq!(state.due, day(25));
        assert!(!state.is_overdue(day(25)));
        assert!(state.is_overdue(day(26)));
        let answered = fold(day(15), &[referred(day(25)), reply()]);
        assert!(
            !answered.is_overdue(day(28)),
            "a replied case is not overdue"
        );
        assert!(fold(day(15), &[]).is_overdue(day(16)));
    }

    #[test]
    fn reopening_or_sending_back_owes_a_fresh_answer() {
        let closed_late = [referred(day(5)), reply(), CaseEventKind::Closed];
        let reopened = derive_state(
            day(1),
            closed_late.iter().map(|e| (day(6), e)).chain([(
                day(20),
                &CaseEventKind::Reopened {
                    reason: "新情况".into(),
                },
            )]),
        );
        assert_eq!(
            reopened.due,
            day(20) + chrono::TimeDelta::days(DEFAULT_REPLY_DAYS)
        );
        assert!(!reopened.is_overdue(day(21)));
        let dissatisfied = follow_up(Satisfaction::Dissatisfied);
        let sent_back = derive_state(day(1), [(day(12), &dissatisfied)]);
        assert_eq!(sent_back.due, day(27));
    }

    #[test]
    fn latest_follow_up_gives_satisfaction() {
        let events = [
            follow_up(Satisfaction::Dissatisfied),
            reply(),
            follow_up(Satisfaction::Satisfied),
        ];
        assert_eq!(
            fold(day(1), &events).satisfaction,
            Some(Satisfaction::Satisfied)
        );
    }

    #[rstest]
    #[case(CaseStatus::Closed, CaseEventKind::FedBack, false)]
    #[case(CaseStatus::Closed, CaseEventKind::Reopened { reason: "x".into() }, true)]
    #[case(CaseStatus::InProgress, CaseEventKind::Reopened { reason: "x".into() }, false)]
    #[case(CaseStatus::NotAccepted, CaseEventKind::Reopened { reason: "x".into() }, true)]
    #[case(CaseStatus::NotAccepted, referred(day(1)), false)]
    #[case(CaseStatus::Pending, CaseEventKind::Accepted, true)]
    #[case(CaseStatus::Referred, CaseEventKind::Accepted, false)]
    #[case(CaseStatus::Pending, chased(None), false)]
    #[case(CaseStatus::Referred, chased(None), true)]
    #[case(CaseStatus::Pending, follow_up(Satisfaction::Satisfied), false)]
    #[case(CaseStatus::FedBack, follow_up(Satisfaction::Satisfied), true)]
    #[case(CaseStatus::Pending, CaseEventKind::Closed, false)]
    #[case(CaseStatus::FollowedUp, CaseEventKind::Closed, true)]
    #[case(CaseStatus::SentBack, referred(day(1)), true)]
    fn transitions(
        #[case] status: CaseStatus,
        #[case] event: CaseEventKind,
        #[case] allowed: bool,
    ) {
        assert_eq!(
            check_transition(status, &event).is_ok(),
            allowed,
            "{status:?} + {event:?}"
        );
    }

    #[test]
    fn closed_case_refusal_explains_reopening() {
        let message = check_transition(CaseStatus::Closed, &CaseEventKind::FedBack).unwrap_err();
        assert!(message.contains("重新办理"));
    }

    #[test]
    fn event_json_is_flat_with_a_kind_tag() {
        let input: CaseEventInput = serde_json::from_str(
            r#"{"kind":"follow_up","satisfaction":"不满意","note":"路灯仍未修"}"#,
        )
        .unwrap();
        assert_eq!(input.kind, follow_up(Satisfaction::Dissatisfied));
        assert_eq!(input.note.as_deref(), Some("路灯仍未修"));
        assert!(serde_json::from_str::<CaseEventInput>(r#"{"kind":"teleported"}"#).is_err());
    }
}
