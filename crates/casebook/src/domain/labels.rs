//! What the deputy reads for each stored name, in one table: the desktop app serves it to the
//! window (the `labels` command), so the screens show the same words as the documents and the
//! CLI, from the `label()` methods of the domain types.

use serde::Serialize;

use super::category::{DISPUTE_TYPES, SUGGESTION_CATEGORIES};
use super::{
    AgentKind, AnswerClass, Approval, AuditAction, CaseEventKind, CaseStatus, Channel,
    ConfirmationResult, CongressLevel, DeputyActivityKind, ItemTopic, MediationEventKind,
    MediationResult, MediationSource, MeetingEventKind, MeetingKind, PartyRole, Performance,
    ReceptionKind, Satisfaction, Sex, SuggestionEventKind, SuggestionStatus, VoteMethod,
};

/// A stored value with its label.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Choice<T> {
    /// The value as serialised.
    pub value: T,
    /// What the deputy reads.
    pub label: &'static str,
}

/// Every label the screens show, each list in display order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Labels {
    /// 接待方式.
    pub channels: Vec<Choice<Channel>>,
    /// 性别.
    pub sexes: Vec<Choice<Sex>>,
    /// Case status.
    pub statuses: Vec<Choice<CaseStatus>>,
    /// 满意度.
    pub satisfactions: Vec<Choice<Satisfaction>>,
    /// Case events, by their `kind` name.
    pub case_events: Vec<Choice<String>>,
    /// 表决方式.
    pub vote_methods: Vec<Choice<VoteMethod>>,
    /// 会议类型.
    pub meeting_kinds: Vec<Choice<MeetingKind>>,
    /// 表决规则.
    pub approvals: Vec<Choice<Approval>>,
    /// 议题涉及的事项 (where the law asks more than a majority).
    pub item_topics: Vec<Choice<ItemTopic>>,
    /// What follows a meeting, by its `kind` name.
    pub meeting_events: Vec<Choice<String>>,
    /// 调解来源.
    pub mediation_sources: Vec<Choice<MediationSource>>,
    /// 当事人.
    pub party_roles: Vec<Choice<PartyRole>>,
    /// 代理人.
    pub agent_kinds: Vec<Choice<AgentKind>>,
    /// 调解结果.
    pub mediation_results: Vec<Choice<MediationResult>>,
    /// 履行情况.
    pub performances: Vec<Choice<Performance>>,
    /// 司法确认.
    pub confirmations: Vec<Choice<ConfirmationResult>>,
    /// Mediation events, by their `kind` name.
    pub mediation_events: Vec<Choice<String>>,
    /// A suggestion's life, by its event's `kind` name.
    pub suggestion_events: Vec<Choice<String>>,
    /// Where a suggestion stands.
    pub suggestion_statuses: Vec<Choice<SuggestionStatus>>,
    /// The answer's class (A, B, C).
    pub answer_classes: Vec<Choice<AnswerClass>>,
    /// 代表层级.
    pub congress_levels: Vec<Choice<CongressLevel>>,
    /// 接待类型.
    pub reception_kinds: Vec<Choice<ReceptionKind>>,
    /// The dispute types (类别), in the statistics' order: the category of a dispute.
    pub dispute_types: Vec<String>,
    /// The classes of deputies' suggestions, in the NPCSC's order: the category of a reception
    /// of any other kind than a dispute, and of a deputy's suggestion.
    pub suggestion_categories: Vec<String>,
    /// 向选民述职, 参加培训.
    pub deputy_activities: Vec<Choice<DeputyActivityKind>>,
    /// What the audit trail (操作记录) records.
    pub audit_actions: Vec<Choice<AuditAction>>,
}

fn choices<T: Copy>(all: &[T], label: impl Fn(T) -> &'static str) -> Vec<Choice<T>> {
    all.iter()
        .map(|&value| Choice {
            value,
            label: label(value),
        })
        .collect()
}

fn kinds(table: &[(&'static str, &'static str)]) -> Vec<Choice<String>> {
    table
        .iter()
        .map(|&(value, label)| Choice {
            value: value.to_owned(),
            label,
        })
        .collect()
}

/// The table.
pub fn labels() -> Labels {
    Labels {
        channels: choices(&Channel::ALL, Channel::label),
        sexes: choices(&Sex::ALL, Sex::label),
        statuses: choices(&CaseStatus::ALL, CaseStatus::label),
        satisfactions: choices(&Satisfaction::ALL, Satisfaction::label),
        case_events: kinds(&CaseEventKind::KINDS),
        vote_methods: choices(&VoteMethod::ALL, VoteMethod::label),
        meeting_kinds: choices(&MeetingKind::ALL, MeetingKind::label),
        approvals: choices(&Approval::ALL, Approval::label),
        item_topics: choices(&ItemTopic::ALL, ItemTopic::label),
        meeting_events: kinds(&MeetingEventKind::KINDS),
        mediation_sources: choices(&MediationSource::ALL, MediationSource::label),
        party_roles: choices(&PartyRole::ALL, PartyRole::label),
        agent_kinds: choices(&AgentKind::ALL, AgentKind::label),
        mediation_results: choices(&MediationResult::ALL, MediationResult::label),
        performances: choices(&Performance::ALL, Performance::label),
        confirmations: choices(&ConfirmationResult::ALL, ConfirmationResult::label),
        mediation_events: kinds(&MediationEventKind::KINDS),
        suggestion_events: kinds(&SuggestionEventKind::KINDS),
        suggestion_statuses: choices(&SuggestionStatus::ALL, SuggestionStatus::label),
        answer_classes: choices(&AnswerClass::ALL, AnswerClass::label),
        congress_levels: choices(&CongressLevel::ALL, CongressLevel::label),
        reception_kinds: choices(&ReceptionKind::ALL, ReceptionKind::label),
        dispute_types: DISPUTE_TYPES.iter().map(|&t| t.to_owned()).collect(),
        suggestion_categories: SUGGESTION_CATEGORIES
            .iter()
            .map(|&t| t.to_owned())
            .collect(),
        deputy_activities: choices(&DeputyActivityKind::ALL, DeputyActivityKind::label),
        audit_actions: choices(&AuditAction::ALL, AuditAction::label),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every value is listed once, under the name serde writes for it.
    #[test]
    fn every_value_is_listed_under_its_serialised_name() {
        let table = serde_json::to_value(labels()).unwrap();
        for (list, count) in [
            ("channels", 5),
            ("sexes", 2),
            ("statuses", 11),
            ("satisfactions", 3),
            ("case_events", 13),
            ("vote_methods", 2),
            ("meeting_kinds", 4),
            ("approvals", 2),
            ("item_topics", 3),
            ("meeting_events", 4),
            ("mediation_sources", 4),
            ("party_roles", 2),
            ("mediation_results", 4),
            ("performances", 3),
            ("confirmations", 3),
            ("mediation_events", 8),
            ("agent_kinds", 2),
            ("suggestion_events", 4),
            ("suggestion_statuses", 5),
            ("answer_classes", 3),
            ("audit_actions", 18),
            ("reception_kinds", 5),
            ("deputy_activities", 2),
        ] {
            let values: Vec<&str> = table[list]
                .as_array()
                .unwrap()
                .iter()
                .map(|choice| choice["value"].as_str().unwrap())
                .collect();
            let mut unique = values.clone();
            unique.sort_unstable();
            unique.dedup();
            assert_eq!(unique.len(), count, "{list}: {values:?}");
        }
        let event: CaseEventKind =
            serde_json::from_str(r#"{"kind":"reply_received","content":"已答复"}"#).unwrap();
        assert_eq!(event.label(), "收到答复");
        let event: MediationEventKind =
            serde_json::from_str(r#"{"kind":"performance","performance":"partial"}"#).unwrap();
        assert_eq!(event.label(), "履行情况");
        let event: MeetingEventKind =
            serde_json::from_str(r#"{"kind":"carried_out","report":"已修复路灯"}"#).unwrap();
        assert_eq!(event.label(), "执行情况");
    }
}
