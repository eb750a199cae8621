//! People's mediation (人民调解) files: the parties, the sessions and what came of them.

use chrono::{DateTime, FixedOffset, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::reception::{Satisfaction, Sex, kind_label};

/// How the dispute came to mediation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MediationSource {
    /// 当事人申请
    #[serde(alias = "申请")]
    Application,
    /// 主动调解
    #[serde(alias = "主动")]
    OwnInitiative,
    /// 有关部门移交
    #[serde(alias = "移交", alias = "有关部门移交")]
    Transferred,
    /// 有关部门委托
    #[serde(alias = "委托", alias = "有关部门委托")]
    Entrusted,
}

impl MediationSource {
    /// Every value, in display order.
    pub const ALL: [MediationSource; 4] = [
        MediationSource::Application,
        MediationSource::OwnInitiative,
        MediationSource::Transferred,
        MediationSource::Entrusted,
    ];

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            MediationSource::Application => "当事人申请",
            MediationSource::OwnInitiative => "主动调解",
            MediationSource::Transferred => "有关部门移交",
            MediationSource::Entrusted => "有关部门委托",
        }
    }
}

/// A party's side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum PartyRole {
    /// 申请人
    #[serde(alias = "申请人")]
    Applicant,
    /// 被申请人
    #[serde(alias = "被申请人")]
    Respondent,
}

impl PartyRole {
    /// Every value, in display order.
    pub const ALL: [PartyRole; 2] = [PartyRole::Applicant, PartyRole::Respondent];

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            PartyRole::Applicant => "申请人",
            PartyRole::Respondent => "被申请人",
        }
    }
}

/// A party to the dispute (personal data).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Party {
    /// Side.
    pub role: PartyRole,
    /// Name (or organisation).
    pub name: String,
    /// Sex.
    #[serde(default)]
    pub sex: Option<Sex>,
    /// Age.
    #[serde(default)]
    pub age: Option<u8>,
    /// Mobile number.
    #[serde(default)]
    pub phone: Option<String>,
    /// ID number.
    #[serde(default)]
    pub id_number: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
    /// 民族 (e.g. 汉族), as the formats ask.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub ethnicity: Option<String>,
    /// 职业或职务.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub occupation: Option<String>,
    /// Who acts for the party: a 法定代理人 (of a minor or a person without full capacity) or a
    /// 委托代理人 the party chose.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub agent: Option<Agent>,
}

/// What kind of agent acts for a party.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AgentKind {
    /// 法定代理人: the guardian of a minor or of a person without full capacity.
    #[serde(alias = "法定代理人")]
    Legal,
    /// 委托代理人: someone the party authorised.
    #[serde(alias = "委托代理人")]
    Entrusted,
}

impl AgentKind {
    /// Every value, in display order.
    pub const ALL: [AgentKind; 2] = [AgentKind::Legal, AgentKind::Entrusted];

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            AgentKind::Legal => "法定代理人",
            AgentKind::Entrusted => "委托代理人",
        }
    }
}

/// A party's 法定代理人 or 委托代理人 (personal data, as the party's).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Agent {
    /// Which kind.
    pub kind: AgentKind,
    /// Name.
    pub name: String,
    /// Relation to the party (父亲, 律师, …).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub relation: Option<String>,
    /// Mobile number.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub phone: Option<String>,
}

/// A mediator: a deputy on the roster (特邀调解员) or someone else named.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Mediator {
    /// Deputy id, when the mediator is a deputy.
    pub deputy: Option<Uuid>,
    /// Name as printed.
    pub name: String,
}

/// The outcome of a mediation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MediationResult {
    /// 调解成功（书面协议）
    SucceededWritten,
    /// 调解成功（口头协议）
    SucceededOral,
    /// 调解不成
    Failed,
    /// 终止调解
    Terminated,
}

impl MediationResult {
    /// Every result, in display order.
    pub const ALL: [MediationResult; 4] = [
        MediationResult::SucceededWritten,
        MediationResult::SucceededOral,
        MediationResult::Failed,
        MediationResult::Terminated,
    ];

    /// Either kind of success.
    pub fn is_success(self) -> bool {
        matches!(
            self,
            MediationResult::SucceededWritten | MediationResult::SucceededOral
        )
    }

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            MediationResult::SucceededWritten => "succeeded_written",
            MediationResult::SucceededOral => "succeeded_oral",
            MediationResult::Failed => "failed",
            MediationResult::Terminated => "terminated",
        }
    }

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            MediationResult::SucceededWritten => "调解成功（书面协议）",
            MediationResult::SucceededOral => "调解成功（口头协议）",
            MediationResult::Failed => "调解不成",
            MediationResult::Terminated => "终止调解",
        }
    }
}

/// How far the parties performed the agreement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Performance {
    /// 已履行
    Full,
    /// 部分履行
    Partial,
    /// 未履行
    None,
}

impl Performance {
    /// Every value, in display order.
    pub const ALL: [Performance; 3] = [Performance::Full, Performance::Partial, Performance::None];

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            Performance::Full => "已履行",
            Performance::Partial => "部分履行",
            Performance::None => "未履行",
        }
    }
}

/// Outcome of an application for judicial confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ConfirmationResult {
    /// 审查中
    Pending,
    /// 确认有效
    Confirmed,
    /// 不予确认
    Rejected,
}

impl ConfirmationResult {
    /// Every value, in display order.
    pub const ALL: [ConfirmationResult; 3] = [
        ConfirmationResult::Pending,
        ConfirmationResult::Confirmed,
        ConfirmationResult::Rejected,
    ];

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            ConfirmationResult::Pending => "审查中",
            ConfirmationResult::Confirmed => "确认有效",
            ConfirmationResult::Rejected => "不予确认",
        }
    }
}

/// The judicial confirmation must be applied for within this many days of the agreement.
pub const JUDICIAL_CONFIRMATION_DAYS: i64 = 30;

/// What happened in a mediation. The tag is the event's `kind` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MediationEventKind {
    /// 调解 session (调解记录).
    Session {
        /// Where.
        place: String,
        /// Parties' statements.
        statements: String,
        /// Facts verified.
        #[serde(default)]
        facts: Option<String>,
        /// Outcome of the session.
        #[serde(default)]
        outcome: Option<String>,
        /// Who took part besides the mediators (当事人、代理人、邀请参加的人员), as printed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
        participants: Vec<String>,
        /// 记录人: who wrote the record (the recording deputy when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        recorder: Option<String>,
    },
    /// An investigation (调查记录): a person heard or a place seen before or between sessions.
    Investigation {
        /// Where.
        place: String,
        /// Who was heard (被调查人), or what was seen.
        subject: String,
        /// What was found.
        content: String,
        /// Who investigated besides the recording deputy, as printed.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        #[cfg_attr(feature = "ts", ts(as = "Option<Vec<String>>", optional))]
        participants: Vec<String>,
        /// 记录人 (the recording deputy when absent).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        recorder: Option<String>,
    },
    /// The parties were given the 人民调解权利义务告知书 (人民调解法 Arts. 23 and 24).
    RightsNotified {},
    /// The agreement (调解协议书).
    Agreement {
        /// Facts and points in dispute.
        facts: String,
        /// Each side's responsibility.
        responsibilities: String,
        /// Agreed terms.
        terms: String,
        /// How the agreement is performed.
        performance_method: String,
        /// By when.
        performance_deadline: NaiveDate,
        /// Where.
        performance_place: String,
        /// Amount involved in yuan.
        #[serde(default)]
        amount_yuan: Option<u64>,
        /// Copies: one per party plus one kept; derived when absent.
        #[serde(default)]
        copies: Option<u32>,
    },
    /// The result.
    Result {
        /// Outcome.
        result: MediationResult,
        /// For a failure: the routes explained (诉讼/仲裁/行政).
        #[serde(default)]
        routes: Option<String>,
        /// For an oral agreement: what was agreed (人民调解法 Art. 28: 人民调解员应当记录协议内容).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        #[cfg_attr(feature = "ts", ts(optional))]
        oral_terms: Option<String>,
    },
    /// Performance of the agreement.
    Performance {
        /// How far.
        performance: Performance,
    },
    /// 回访
    FollowUp {
        /// Satisfaction.
        satisfaction: Satisfaction,
    },
    /// 司法确认
    JudicialConfirmation {
        /// Applied on.
        applied_on: NaiveDate,
        /// Court.
        court: String,
        /// Result so far.
        result: ConfirmationResult,
    },
}

impl MediationEventKind {
    /// Every kind's JSON name with what the deputy reads, in display order.
    pub const KINDS: [(&'static str, &'static str); 8] = [
        ("rights_notified", "告知权利义务"),
        ("investigation", "调查记录"),
        ("session", "调解记录"),
        ("agreement", "调解协议"),
        ("result", "调解结果"),
        ("performance", "履行情况"),
        ("follow_up", "回访"),
        ("judicial_confirmation", "司法确认"),
    ];

    /// What the deputy reads.
    pub fn label(&self) -> &'static str {
        kind_label(&Self::KINDS, self.as_str())
    }

    /// Stable name, as in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            MediationEventKind::Session { .. } => "session",
            MediationEventKind::Investigation { .. } => "investigation",
            MediationEventKind::RightsNotified {} => "rights_notified",
            MediationEventKind::Agreement { .. } => "agreement",
            MediationEventKind::Result { .. } => "result",
            MediationEventKind::Performance { .. } => "performance",
            MediationEventKind::FollowUp { .. } => "follow_up",
            MediationEventKind::JudicialConfirmation { .. } => "judicial_confirmation",
        }
    }
}

/// One event of a mediation file, as stored and synchronised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MediationEvent {
    /// Record id.
    pub id: Uuid,
    /// Mediation it belongs to.
    pub mediation: Uuid,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// Deputy who recorded it.
    pub deputy: Option<Uuid>,
    /// Free note.
    pub note: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub kind: MediationEventKind,
}

/// What `mediation event` reads.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MediationEventInput {
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
    pub kind: MediationEventKind,
}

/// A mediation file, as stored and synchronised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Mediation {
    /// Record id.
    pub id: Uuid,
    /// `（2026）BX人调字第1号`.
    pub number: String,
    /// The number it was first given, when it had to be renumbered (as a reception's
    /// `former_case_no`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub former_number: Option<String>,
    /// Station.
    pub station: String,
    /// Year of the number.
    pub year: i32,
    /// Sequence of the number within the station and year.
    pub seq: u32,
    /// The case it came from.
    pub case_no: Option<String>,
    /// How it came.
    pub source: MediationSource,
    /// Dispute type.
    pub dispute_type: String,
    /// Finer type.
    pub dispute_subtype: Option<String>,
    /// Accepted at.
    pub accepted_at: DateTime<FixedOffset>,
    /// Brief description of the dispute (纠纷简要情况).
    pub summary: String,
    /// Parties.
    pub parties: Vec<Party>,
    /// Mediators.
    pub mediators: Vec<Mediator>,
    /// The parties consented to processing of personal data.
    pub consent: bool,
    /// The parties agreed to mediation (人民调解法 Art. 17: 当事人一方明确拒绝调解的，不得调解);
    /// false in files opened before the book asked, whose intake prints the box unticked.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    #[cfg_attr(feature = "ts", ts(as = "Option<bool>", optional))]
    pub agreed_to_mediation: bool,
}

/// A mediator as `mediation add` reads it: a deputy (id or name) or just a name.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(untagged)]
pub enum MediatorInput {
    /// `"deputy name or id"`: must be on the roster.
    Deputy(String),
    /// `{"name": "..."}`: someone not on the roster.
    Other(OtherMediator),
}

/// A mediator who is not on the roster (e.g. of the village mediation committee).
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct OtherMediator {
    /// Name as printed.
    pub name: String,
}

/// What `mediation add` reads.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MediationInput {
    /// Linked case number.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub case_no: Option<String>,
    /// Source.
    pub source: MediationSource,
    /// Dispute type.
    pub dispute_type: String,
    /// Finer type.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub dispute_subtype: Option<String>,
    /// Accepted at; defaults to now.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub accepted_at: Option<DateTime<FixedOffset>>,
    /// Brief description.
    pub summary: String,
    /// Parties.
    pub parties: Vec<Party>,
    /// Mediators.
    pub mediators: Vec<MediatorInput>,
    /// Consent to processing personal data.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub consent: bool,
    /// Every party agreed to mediation (人民调解法 Art. 17); required.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub agreed_to_mediation: bool,
}

/// Where a mediation stands, derived from its events.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MediationState {
    /// Final result, once there is one.
    pub result: Option<MediationResult>,
    /// Date of the (latest) agreement.
    pub agreement_on: Option<NaiveDate>,
    /// Latest performance.
    pub performance: Option<Performance>,
    /// Latest judicial confirmation result.
    pub confirmation: Option<ConfirmationResult>,
    /// Latest follow-up satisfaction.
    pub satisfaction: Option<Satisfaction>,
}

impl MediationState {
    /// Folds the events (in order) into the file's state.
    pub fn derive<'a>(
        events: impl IntoIterator<Item = (&'a DateTime<FixedOffset>, &'a MediationEventKind)>,
    ) -> Self {
        let mut state = MediationState::default();
        for (at, event) in events {
            match event {
                MediationEventKind::Session { .. }
                | MediationEventKind::Investigation { .. }
                | MediationEventKind::RightsNotified {} => {}
                MediationEventKind::Agreement { .. } => state.agreement_on = Some(at.date_naive()),
                MediationEventKind::Result { result, .. } => state.result = Some(*result),
                MediationEventKind::Performance { performance } => {
                    state.performance = Some(*performance)
                }
                MediationEventKind::FollowUp { satisfaction } => {
                    state.satisfaction = Some(*satisfaction)
                }
                MediationEventKind::JudicialConfirmation { result, .. } => {
                    state.confirmation = Some(*result)
                }
            }
        }
        state
    }
}

/// A mediation should normally end within one month of acceptance.
pub fn mediation_overdue(
    accepted_at: DateTime<FixedOffset>,
    state: &MediationState,
    today: NaiveDate,
) -> bool {
    state.result.is_none()
        && accepted_at
            .date_naive()
            .checked_add_months(Months::new(1))
            .is_some_and(|limit| limit < today)
}

/// The official number: `（2026）BX人调字第1号`, headed by the committee's short name or, with
/// no committee on the roster, the station's code.
pub fn mediation_number(year: i32, prefix: &str, seq: u32) -> String {
    format!("（{year}）{prefix}人调字第{seq}号")
}

/// What heads `number` (`BX` in `（2026）BX人调字第1号`), if it is such a number.
pub fn mediation_number_prefix(number: &str) -> Option<&str> {
    let after_year = number.split_once('）')?.1;
    after_year.split_once("人调字第").map(|(prefix, _)| prefix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn number_in_official_style() {
        assert_eq!(mediation_number(2026, "BX", 1), "（2026）BX人调字第1号");
    }

    #[test]
    fn open_for_more_than_a_month_is_overdue() {
        let accepted = crate::time::CHINA
            .with_ymd_and_hms(2026, 10, 20, 9, 0, 0)
            .unwrap();
        let open = MediationState::default();
        let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
        assert!(!mediation_overdue(accepted, &open, day(11, 20)));
        assert!(mediation_overdue(accepted, &open, day(11, 21)));
        let done = MediationState {
            result: Some(MediationResult::SucceededWritten),
            ..open
        };
        assert!(!mediation_overdue(accepted, &done, day(12, 30)));
    }
}
