//! 代表建议: a suggestion (建议、批评和意见) a deputy drafts at the station from what visitors
//! brought (one or more receptions), led by one deputy and co-signed by others of the same
//! congress, and its life: submitted to the congress (or its standing committee, or a town
//! congress's presidium), assigned to the units that handle it (承办单位), answered, and the
//! deputy's satisfaction with the answer (征询意见).
//!
//! The rules come from the Deputies Law (《全国人民代表大会和地方各级人民代表大会代表法》) and
//! the handling rules of the standing committees; docs/domain.md ("代表建议") cites each and
//! says what the book does with it.

use chrono::{DateTime, FixedOffset, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::reception::kind_label;
use super::{CongressLevel, Satisfaction};

/// How the handling unit classes its answer, as the answers to deputies' suggestions are
/// counted: A 所提问题已解决或基本解决, B 列入计划拟解决, C 因条件限制或其他原因需要以后解决
/// (留作参考).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum AnswerClass {
    /// A类: 所提问题已解决或基本解决.
    #[serde(alias = "A", alias = "已解决")]
    Resolved,
    /// B类: 列入计划拟解决.
    #[serde(alias = "B", alias = "列入计划")]
    Planned,
    /// C类: 因条件限制或其他原因需要以后解决，或留作参考.
    #[serde(alias = "C", alias = "说明解释", alias = "留作参考")]
    Explained,
}

impl AnswerClass {
    /// Every value, in display order.
    pub const ALL: [AnswerClass; 3] = [
        AnswerClass::Resolved,
        AnswerClass::Planned,
        AnswerClass::Explained,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            AnswerClass::Resolved => "resolved",
            AnswerClass::Planned => "planned",
            AnswerClass::Explained => "explained",
        }
    }

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            AnswerClass::Resolved => "A类（所提问题已解决或基本解决）",
            AnswerClass::Planned => "B类（列入计划拟解决）",
            AnswerClass::Explained => "C类（因条件限制需以后解决或留作参考）",
        }
    }

    /// The class letter.
    pub fn letter(self) -> &'static str {
        match self {
            AnswerClass::Resolved => "A",
            AnswerClass::Planned => "B",
            AnswerClass::Explained => "C",
        }
    }
}

/// A suggestion, as stored and synchronised. Created once; its life is [`SuggestionEvent`]s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Suggestion {
    /// Record id.
    pub id: Uuid,
    /// `BX建议〔2026〕3号`: the station's own number ([`suggestion_number`]); the congress gives
    /// its own when it registers the suggestion.
    pub number: String,
    /// The number it was first given, when it had to be renumbered after a restore.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub former_number: Option<String>,
    /// Station that drafted it.
    pub station: String,
    /// Year of the number (the year it was drafted).
    pub year: i32,
    /// Sequence of the number within the station and year.
    pub seq: u32,
    /// 案由: what it is about, in a line.
    pub title: String,
    /// One of [`super::SUGGESTION_CATEGORIES`].
    pub category: String,
    /// 理由: the situation and the reasons.
    pub reasons: String,
    /// 具体建议.
    pub proposals: String,
    /// The receptions it came from (来源), by case number: at least one.
    pub cases: Vec<String>,
    /// 领衔代表.
    pub lead: Uuid,
    /// 附议代表 (联名), distinct, the lead not among them.
    pub cosigners: Vec<Uuid>,
    /// The congress it is made to: the lead deputy's.
    pub congress: CongressLevel,
    /// 建议承办单位: the unit the deputies think should handle it, when they name one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub unit: Option<String>,
    /// When it was drafted.
    pub drafted_at: DateTime<FixedOffset>,
    /// Who drafted it (a deputy or the station's staff), when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub drafted_by: Option<String>,
}

/// What `suggestion add` reads.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct SuggestionInput {
    /// 案由.
    pub title: String,
    /// Category.
    pub category: String,
    /// 理由.
    pub reasons: String,
    /// 具体建议.
    pub proposals: String,
    /// Linked case numbers.
    pub cases: Vec<String>,
    /// Lead deputy, by id or name.
    pub lead: String,
    /// Co-signing deputies, by id or name.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub cosigners: Vec<String>,
    /// The congress; the lead's when left out, and refused when it is not the lead's.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub congress: Option<CongressLevel>,
    /// 建议承办单位.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub unit: Option<String>,
    /// When; defaults to now.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub drafted_at: Option<DateTime<FixedOffset>>,
    /// Who drafted it.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub drafted_by: Option<String>,
}

/// What happened to a suggestion. The tag is the event's `kind` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SuggestionEventKind {
    /// 提交: handed to the congress's standing committee (or the town congress's presidium).
    Submitted {
        /// Whom it was handed to (县人大常委会代表工作委员会…), when recorded.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        to: Option<String>,
        /// The number the congress gave it (第0123号), when known.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        registered_no: Option<String>,
    },
    /// 交办: assigned to a handling unit (承办单位); several units may be.
    Assigned {
        /// The unit.
        unit: String,
        /// The answer's deadline; three months after assignment when left out.
        deadline: NaiveDate,
    },
    /// 答复: a unit's answer.
    Answered {
        /// The unit that answered, when recorded.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        unit: Option<String>,
        /// What it answered, in brief.
        answer: String,
        /// A, B or C.
        class: AnswerClass,
    },
    /// 征询意见: the lead deputy's opinion of the answer.
    Satisfaction {
        /// 满意, 基本满意 or 不满意.
        satisfaction: Satisfaction,
        /// The deputy's opinion in words, when given.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        opinion: Option<String>,
    },
}

impl SuggestionEventKind {
    /// Every kind's JSON name with what the deputy reads, in display order.
    pub const KINDS: [(&'static str, &'static str); 4] = [
        ("submitted", "提交"),
        ("assigned", "交办"),
        ("answered", "答复"),
        ("satisfaction", "征询意见"),
    ];

    /// What the deputy reads.
    pub fn label(&self) -> &'static str {
        kind_label(&Self::KINDS, self.as_str())
    }

    /// Stable name, as in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            SuggestionEventKind::Submitted { .. } => "submitted",
            SuggestionEventKind::Assigned { .. } => "assigned",
            SuggestionEventKind::Answered { .. } => "answered",
            SuggestionEventKind::Satisfaction { .. } => "satisfaction",
        }
    }
}

/// One event of a suggestion's life, as stored and synchronised. Appended, never edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SuggestionEvent {
    /// Record id.
    pub id: Uuid,
    /// The suggestion.
    pub suggestion: Uuid,
    /// When.
    pub at: DateTime<FixedOffset>,
    /// Deputy who recorded it.
    pub deputy: Option<Uuid>,
    /// Free note.
    pub note: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub kind: SuggestionEventKind,
}

/// An event as `suggestion event` reads it: an assignment's deadline may be left out.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SuggestionEventKindInput {
    /// See [`SuggestionEventKind::Submitted`].
    Submitted {
        /// Whom it was handed to.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        to: Option<String>,
        /// The congress's number.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        registered_no: Option<String>,
    },
    /// See [`SuggestionEventKind::Assigned`].
    Assigned {
        /// The unit.
        unit: String,
        /// Deadline; three months after the assignment when left out.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        deadline: Option<NaiveDate>,
    },
    /// See [`SuggestionEventKind::Answered`].
    Answered {
        /// The unit.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        unit: Option<String>,
        /// The answer.
        answer: String,
        /// A, B or C.
        class: AnswerClass,
    },
    /// See [`SuggestionEventKind::Satisfaction`].
    Satisfaction {
        /// The deputy's satisfaction.
        satisfaction: Satisfaction,
        /// The deputy's opinion.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        opinion: Option<String>,
    },
}

/// What `suggestion event` reads.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SuggestionEventInput {
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
    pub kind: SuggestionEventKindInput,
}

/// Where a suggestion stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SuggestionStatus {
    /// 草拟: not handed in yet.
    #[default]
    Drafted,
    /// 已提交.
    Submitted,
    /// 已交办.
    Assigned,
    /// 已答复: answered, the deputy not asked yet.
    Answered,
    /// 已征询意见: the deputy gave an opinion of the (latest) answer.
    Rated,
}

impl SuggestionStatus {
    /// Every value, in display order.
    pub const ALL: [SuggestionStatus; 5] = [
        SuggestionStatus::Drafted,
        SuggestionStatus::Submitted,
        SuggestionStatus::Assigned,
        SuggestionStatus::Answered,
        SuggestionStatus::Rated,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            SuggestionStatus::Drafted => "drafted",
            SuggestionStatus::Submitted => "submitted",
            SuggestionStatus::Assigned => "assigned",
            SuggestionStatus::Answered => "answered",
            SuggestionStatus::Rated => "rated",
        }
    }

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            SuggestionStatus::Drafted => "草拟",
            SuggestionStatus::Submitted => "已提交",
            SuggestionStatus::Assigned => "已交办",
            SuggestionStatus::Answered => "已答复",
            SuggestionStatus::Rated => "已征询意见",
        }
    }
}

/// A suggestion's state, folded from its events in order. Lenient, as every derived state of
/// the book: events that came out of order (a bundle) count as they are, never refused.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SuggestionState {
    /// Where it stands.
    pub status: SuggestionStatus,
    /// When it was handed in.
    pub submitted_on: Option<NaiveDate>,
    /// The congress's number, when known.
    pub registered_no: Option<String>,
    /// Units it was assigned to, in order, each once.
    pub units: Vec<String>,
    /// The latest deadline of an assignment not answered yet.
    pub deadline: Option<NaiveDate>,
    /// The latest answer's day.
    pub answered_on: Option<NaiveDate>,
    /// The latest answer's class.
    pub answer_class: Option<AnswerClass>,
    /// The deputy's opinion of the latest answer, once asked.
    pub satisfaction: Option<Satisfaction>,
}

impl SuggestionState {
    /// Folds the events (in order: by time, then id).
    pub fn derive<'a>(
        events: impl IntoIterator<Item = (&'a DateTime<FixedOffset>, &'a SuggestionEventKind)>,
    ) -> Self {
        let mut state = SuggestionState::default();
        let raise = |state: &mut SuggestionState, to: SuggestionStatus| {
            if state.status < to {
                state.status = to;
            }
        };
        for (at, event) in events {
            match event {
                SuggestionEventKind::Submitted { registered_no, .. } => {
                    state.submitted_on.get_or_insert(at.date_naive());
                    if registered_no.is_some() {
                        state.registered_no.clone_from(registered_no);
                    }
                    raise(&mut state, SuggestionStatus::Submitted);
                }
                SuggestionEventKind::Assigned { unit, deadline } => {
                    if !state.units.contains(unit) {
                        state.units.push(unit.clone());
                    }
                    state.deadline = Some(*deadline);
                    raise(&mut state, SuggestionStatus::Assigned);
                }
                SuggestionEventKind::Answered { class, .. } => {
                    state.answered_on = Some(at.date_naive());
                    state.answer_class = Some(*class);
                    state.deadline = None;
                    // A new answer (after an unsatisfied opinion) is to be asked about again.
                    state.satisfaction = None;
                    state.status = SuggestionStatus::Answered;
                }
                SuggestionEventKind::Satisfaction { satisfaction, .. } => {
                    state.satisfaction = Some(*satisfaction);
                    raise(&mut state, SuggestionStatus::Rated);
                }
            }
        }
        state
    }

    /// The answer is late: a deadline passed before `today` with no answer after it.
    pub fn overdue(&self, today: NaiveDate) -> bool {
        self.deadline.is_some_and(|deadline| deadline < today)
    }
}

/// PartialOrd by the order of the life.
impl PartialOrd for SuggestionStatus {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for SuggestionStatus {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        (*self as u8).cmp(&(*other as u8))
    }
}

/// The answer is due this many months after the assignment (代表法: 交办之日起三个月内答复;
/// six for wide or hard matters, which the unit explains to the deputy first).
pub const ANSWER_MONTHS: u32 = 3;

/// The default deadline of an assignment made on `assigned`.
pub fn answer_deadline(assigned: NaiveDate) -> NaiveDate {
    assigned
        .checked_add_months(Months::new(ANSWER_MONTHS))
        .unwrap_or(assigned)
}

/// The station's number: `BX建议〔2026〕3号` (the way an office numbers its papers:
/// 机关代字〔年份〕序号).
pub fn suggestion_number(station: &str, year: i32, seq: u32) -> String {
    format!("{station}建议〔{year}〕{seq}号")
}

/// `2026-3` as `station`'s number of that year and sequence (`BX建议〔2026〕3号`): the short form
/// `suggestion event` and `render suggestion` take for this station's suggestions.
pub fn short_suggestion_number(station: &str, text: &str) -> Option<String> {
    let (year, seq) = text.trim().split_once('-')?;
    Some(suggestion_number(
        station,
        year.parse().ok()?,
        seq.parse().ok()?,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn the_short_form_is_the_year_and_the_sequence() {
        assert_eq!(
            short_suggestion_number("BX", " 2026-3 ").as_deref(),
            Some("BX建议〔2026〕3号")
        );
        assert_eq!(short_suggestion_number("BX", "BX建议〔2026〕3号"), None);
        assert_eq!(short_suggestion_number("BX", "2026-x"), None);
    }

    fn at(day: u32) -> DateTime<FixedOffset> {
        FixedOffset::east_opt(8 * 3600)
            .unwrap()
            .with_ymd_and_hms(2026, 3, day, 9, 0, 0)
            .unwrap()
    }

    #[test]
    fn number_as_an_office_numbers_its_papers() {
        assert_eq!(suggestion_number("BX", 2026, 3), "BX建议〔2026〕3号");
    }

    #[test]
    fn the_deadline_is_three_months_after_the_assignment() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        assert_eq!(
            answer_deadline(day),
            NaiveDate::from_ymd_opt(2027, 2, 28).unwrap()
        );
    }

    #[test]
    fn a_new_answer_after_an_unsatisfied_opinion_is_asked_about_again() {
        let events = [
            (
                at(1),
                SuggestionEventKind::Submitted {
                    to: None,
                    registered_no: Some("第12号".into()),
                },
            ),
            (
                at(2),
                SuggestionEventKind::Assigned {
                    unit: "镇农业农村办".into(),
                    deadline: NaiveDate::from_ymd_opt(2026, 6, 2).unwrap(),
                },
            ),
            (
                at(3),
                SuggestionEventKind::Answered {
                    unit: None,
                    answer: "已列入明年计划".into(),
                    class: AnswerClass::Planned,
                },
            ),
            (
                at(4),
                SuggestionEventKind::Satisfaction {
                    satisfaction: Satisfaction::Dissatisfied,
                    opinion: None,
                },
            ),
        ];
        let state = SuggestionState::derive(events.iter().map(|(a, k)| (a, k)));
        assert_eq!(state.status, SuggestionStatus::Rated);
        assert_eq!(state.satisfaction, Some(Satisfaction::Dissatisfied));
        assert_eq!(state.registered_no.as_deref(), Some("第12号"));
        let again = SuggestionEventKind::Answered {
            unit: None,
            answer: "已完成修缮".into(),
            class: AnswerClass::Resolved,
        };
        let at5 = at(5);
        let state = SuggestionState::derive(
            events
                .iter()
                .map(|(a, k)| (a, k))
                .chain(std::iter::once((&at5, &again))),
        );
        assert_eq!(state.status, SuggestionStatus::Answered);
        assert_eq!(state.satisfaction, None);
        assert_eq!(state.answer_class, Some(AnswerClass::Resolved));
    }

    #[test]
    fn events_out_of_order_are_counted_not_refused() {
        let answered = SuggestionEventKind::Answered {
            unit: None,
            answer: "答复".into(),
            class: AnswerClass::Resolved,
        };
        let state = SuggestionState::derive([(&at(1), &answered)]);
        assert_eq!(state.status, SuggestionStatus::Answered);
        assert_eq!(state.submitted_on, None);
    }
}
