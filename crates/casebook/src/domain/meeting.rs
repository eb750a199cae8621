//! Villagers' democratic council meetings (民主议事会/村民代表会议): quorum and votes.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use uuid::Uuid;

/// How the votes were cast.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum VoteMethod {
    /// 举手表决
    #[serde(alias = "举手")]
    ShowOfHands,
    /// 无记名投票
    #[serde(alias = "无记名")]
    SecretBallot,
}

impl VoteMethod {
    /// Every value, in display order.
    pub const ALL: [VoteMethod; 2] = [VoteMethod::ShowOfHands, VoteMethod::SecretBallot];

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            VoteMethod::ShowOfHands => "举手表决",
            VoteMethod::SecretBallot => "无记名投票",
        }
    }
}

/// Votes on one agenda item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Votes {
    /// 赞成
    #[serde(rename = "for", default)]
    pub in_favour: u32,
    /// 反对
    #[serde(default)]
    pub against: u32,
    /// 弃权
    #[serde(default)]
    pub abstain: u32,
}

/// The quorum rule: at least `numerator/denominator` of the members present, and a motion
/// passes with more than half of those present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct QuorumRule {
    /// Default 2.
    pub numerator: u32,
    /// Default 3.
    pub denominator: u32,
}

impl Default for QuorumRule {
    fn default() -> Self {
        QuorumRule {
            numerator: 2,
            denominator: 3,
        }
    }
}

impl QuorumRule {
    /// Whether `present` of `expected` members make a quorum (exact integer arithmetic).
    pub fn is_met(self, expected: u32, present: u32) -> bool {
        u64::from(present) * u64::from(self.denominator)
            >= u64::from(expected) * u64::from(self.numerator)
    }

    /// Fewest members present for a quorum.
    pub fn minimum_present(self, expected: u32) -> u32 {
        let needed = u64::from(expected) * u64::from(self.numerator);
        u32::try_from(needed.div_ceil(u64::from(self.denominator.max(1)))).unwrap_or(u32::MAX)
    }
}

/// Refuses attendance figures that cannot be right, naming the field: a rule outside (0, 1],
/// nobody expected, more present than expected.
pub fn check_attendance(rule: QuorumRule, expected: u32, present: u32) -> Result<()> {
    if rule.denominator == 0 || rule.numerator == 0 || rule.numerator > rule.denominator {
        return Err(Error::refused(
            ErrorKind::Quorum,
            format!(
                "法定人数比例 {}/{} 不合理",
                rule.numerator, rule.denominator
            ),
        )
        .at("quorum"));
    }
    if expected == 0 {
        return Err(Error::refused(ErrorKind::Quorum, "应到人数必须大于0").at("expected"));
    }
    if present > expected {
        return Err(Error::refused(
            ErrorKind::Quorum,
            format!("实到人数（{present}）不能多于应到人数（{expected}）"),
        )
        .at("present"));
    }
    Ok(())
}

/// Refuses the votes on the agenda item at `index` (from 0) when more were cast than members
/// present.
pub fn check_votes(index: usize, votes: Votes, present: u32) -> Result<()> {
    let cast = u64::from(votes.in_favour) + u64::from(votes.against) + u64::from(votes.abstain);
    if cast > u64::from(present) {
        return Err(Error::refused(
            ErrorKind::Quorum,
            format!(
                "第{}项表决票数合计（{cast}）超过实到人数（{present}）",
                index + 1
            ),
        )
        .at(format!("items.{index}.votes")));
    }
    Ok(())
}

/// Whether a motion passed: quorum met and more than half of those present in favour.
pub fn motion_passes(quorum_met: bool, present: u32, votes: Votes) -> bool {
    quorum_met && u64::from(votes.in_favour) * 2 > u64::from(present)
}

/// A check that a resolution does not infringe personal or lawful property rights (e.g. the
/// land rights of married-out daughters, 出嫁女土地权益), and the correction made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RightsReview {
    /// The resolution as voted infringes such rights.
    pub infringes: bool,
    /// What was found.
    #[serde(default)]
    pub note: Option<String>,
    /// How the resolution was corrected.
    #[serde(default)]
    pub correction: Option<String>,
}

/// One agenda item, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgendaItem {
    /// The motion.
    pub title: String,
    /// Linked case.
    pub case_no: Option<String>,
    /// Discussion summary.
    pub discussion: Option<String>,
    /// Votes.
    pub votes: Votes,
    /// How the vote was cast.
    pub method: VoteMethod,
    /// Resolution text.
    pub resolution: Option<String>,
    /// Derived: quorum met and majority of those present in favour.
    pub passed: bool,
    /// Rights review of the resolution.
    pub rights_review: Option<RightsReview>,
}

/// A council meeting, as stored and synchronised.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CouncilMeeting {
    /// Record id.
    pub id: Uuid,
    /// Station that recorded it.
    pub station: String,
    /// Village or residential committee.
    pub village: String,
    /// When.
    pub held_at: DateTime<FixedOffset>,
    /// Where.
    pub place: String,
    /// 主持人
    pub host: String,
    /// 记录人
    pub recorder: String,
    /// Deputies who attended.
    pub deputies: Vec<Uuid>,
    /// Members expected (应到).
    pub expected: u32,
    /// Members present (实到).
    pub present: u32,
    /// The rule in force.
    pub quorum: QuorumRule,
    /// Derived from the rule.
    pub quorum_met: bool,
    /// Items.
    pub items: Vec<AgendaItem>,
    /// Publication (公示) start.
    pub published_from: Option<NaiveDate>,
    /// Publication end.
    pub published_to: Option<NaiveDate>,
}

/// An agenda item as `meeting add` reads it.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct AgendaItemInput {
    /// The motion.
    pub title: String,
    /// Linked case number.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub case_no: Option<String>,
    /// Discussion summary.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub discussion: Option<String>,
    /// Votes.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub votes: Votes,
    /// Defaults to a show of hands.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub method: Option<VoteMethod>,
    /// Resolution text.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub resolution: Option<String>,
    /// Rights review.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub rights_review: Option<RightsReview>,
}

/// What `meeting add` reads.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct MeetingInput {
    /// Village or residential committee.
    pub village: String,
    /// When.
    pub held_at: DateTime<FixedOffset>,
    /// Where.
    pub place: String,
    /// Host.
    pub host: String,
    /// Recorder.
    pub recorder: String,
    /// Attending deputies, by id or name.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub deputies: Vec<String>,
    /// Members expected.
    pub expected: u32,
    /// Members present.
    pub present: u32,
    /// Quorum rule; default two thirds.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub quorum: Option<QuorumRule>,
    /// Items.
    pub items: Vec<AgendaItemInput>,
    /// Publication start.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub published_from: Option<NaiveDate>,
    /// Publication end.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub published_to: Option<NaiveDate>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    #[rstest]
    #[case(30, 20, true)]
    #[case(30, 19, false)]
    #[case(31, 21, true)]
    #[case(31, 20, false)]
    #[case(3, 2, true)]
    #[case(1, 1, true)]
    fn two_thirds_quorum(#[case] expected: u32, #[case] present: u32, #[case] met: bool) {
        let rule = QuorumRule::default();
        assert_eq!(rule.is_met(expected, present), met);
        assert!(rule.is_met(expected, rule.minimum_present(expected)));
        assert!(!rule.is_met(expected, rule.minimum_present(expected) - 1));
    }

    #[rstest]
    #[case(true, 20, 11, true)]
    #[case(true, 20, 10, false)]
    #[case(true, 21, 11, true)]
    #[case(false, 20, 20, false)]
    fn majority_of_those_present(
        #[case] quorum_met: bool,
        #[case] present: u32,
        #[case] in_favour: u32,
        #[case] passes: bool,
    ) {
        let votes = Votes {
            in_favour,
            against: 0,
            abstain: 0,
        };
        assert_eq!(motion_passes(quorum_met, present, votes), passes);
    }
}
