//! Meetings that decide village matters, and the rules of the law they follow: who must attend
//! (法定人数), how many must agree (表决), the rights review of a resolution, and what follows
//! the meeting (公示, objections and their answers, how the decision was carried out).
//!
//! The kinds and their thresholds come from the Organic Law of Villagers' Committees
//! (《中华人民共和国村民委员会组织法》, 2018): 村民会议 Art. 22, 村民代表会议 Art. 26, 村民小组会议
//! Art. 28. The station's own 民主议事会 is consultative and keeps the quorum the station sets.
//! Every rule is integer arithmetic: "以上" includes the number itself and "过半数" does not
//! (民法典 Art. 1259). docs/domain.md cites each rule and says what the book does with it.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Error, ErrorKind, Result};
use uuid::Uuid;

use super::reception::kind_label;

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

/// Which body met. Records made before kinds existed have none and read as a council.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// 村民会议: the village's villagers aged 18 and over (Art. 21).
    #[serde(alias = "村民会议")]
    VillagersAssembly,
    /// 村民代表会议: the villagers' committee and the representatives (Art. 25).
    #[serde(alias = "村民代表会议")]
    Representatives,
    /// 村民小组会议: one villagers' group (Art. 28).
    #[serde(alias = "村民小组会议")]
    Group,
    /// 民主议事会: the station's consultative meeting; its quorum is the station's own.
    #[default]
    #[serde(alias = "民主议事会")]
    Council,
}

impl MeetingKind {
    /// Every value, in display order.
    pub const ALL: [MeetingKind; 4] = [
        MeetingKind::VillagersAssembly,
        MeetingKind::Representatives,
        MeetingKind::Group,
        MeetingKind::Council,
    ];

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            MeetingKind::VillagersAssembly => "村民会议",
            MeetingKind::Representatives => "村民代表会议",
            MeetingKind::Group => "村民小组会议",
            MeetingKind::Council => "民主议事会",
        }
    }

    /// Stable name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            MeetingKind::VillagersAssembly => "villagers_assembly",
            MeetingKind::Representatives => "representatives",
            MeetingKind::Group => "group",
            MeetingKind::Council => "council",
        }
    }

    /// The minutes' title after the village's name.
    pub fn minutes_title(self) -> &'static str {
        match self {
            MeetingKind::VillagersAssembly => "村民会议记录",
            MeetingKind::Representatives => "村民代表会议记录",
            MeetingKind::Group => "村民小组会议记录",
            MeetingKind::Council => "民主议事会会议记录",
        }
    }

    /// Who `expected` and `present` count, as the minutes name them.
    pub fn members(self) -> &'static str {
        match self {
            MeetingKind::VillagersAssembly => "本村十八周岁以上村民",
            MeetingKind::Representatives => "村民代表会议组成人员",
            MeetingKind::Group => "本组十八周岁以上村民",
            MeetingKind::Council => "议事会成员",
        }
    }

    /// The article that sets the quorum; none for the council, whose rule the station sets.
    pub fn source(self) -> Option<&'static str> {
        match self {
            MeetingKind::VillagersAssembly => Some("《村民委员会组织法》第二十二条"),
            MeetingKind::Representatives => Some("《村民委员会组织法》第二十六条"),
            MeetingKind::Group => Some("《村民委员会组织法》第二十八条"),
            MeetingKind::Council => None,
        }
    }

    /// The share of members that must attend: more than half of the villagers for an
    /// assembly (Art. 22), at least two thirds for representatives (Art. 26) and a group
    /// (Art. 28), the station's rule for a council.
    pub fn members_threshold(self, council: QuorumRule) -> Threshold {
        match self {
            MeetingKind::VillagersAssembly => Threshold::MoreThanHalf,
            MeetingKind::Representatives | MeetingKind::Group => {
                Threshold::AtLeast(QuorumRule::TWO_THIRDS)
            }
            MeetingKind::Council => Threshold::AtLeast(council),
        }
    }

    /// The households' alternative, where the law gives one: at least two thirds of the
    /// households' representatives for an assembly (Art. 22) or a group (Art. 28).
    pub fn households_threshold(self) -> Option<Threshold> {
        match self {
            MeetingKind::VillagersAssembly | MeetingKind::Group => {
                Some(Threshold::AtLeast(QuorumRule::TWO_THIRDS))
            }
            MeetingKind::Representatives | MeetingKind::Council => None,
        }
    }

    /// For `skip_serializing_if`: a council's record is written as before kinds existed.
    pub fn is_council(&self) -> bool {
        *self == MeetingKind::Council
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

impl Votes {
    /// Votes cast, in a width that cannot overflow.
    pub fn cast(self) -> u64 {
        u64::from(self.in_favour) + u64::from(self.against) + u64::from(self.abstain)
    }
}

/// A council's quorum rule: at least `numerator/denominator` of the members present.
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
        QuorumRule::TWO_THIRDS
    }
}

impl QuorumRule {
    /// Two thirds: the council's default, and the law's "三分之二以上".
    pub const TWO_THIRDS: QuorumRule = QuorumRule {
        numerator: 2,
        denominator: 3,
    };

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

    /// `三分之二`, or `3/5` for a fraction without a usual name.
    pub fn words(self) -> String {
        let name = |n: u32| match n {
            1 => Some("一"),
            2 => Some("二"),
            3 => Some("三"),
            4 => Some("四"),
            5 => Some("五"),
            _ => None,
        };
        match (name(self.numerator), name(self.denominator)) {
            (Some(n), Some(d)) if self.numerator < self.denominator => format!("{d}分之{n}"),
            _ => format!("{}/{}", self.numerator, self.denominator),
        }
    }
}

/// A share of a whole that must be reached, as the law words it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "rule", rename_all = "snake_case")]
pub enum Threshold {
    /// 过半数: strictly more than half.
    MoreThanHalf,
    /// N分之M以上: at least the fraction, the number itself included.
    AtLeast(QuorumRule),
}

impl Threshold {
    /// Whether `count` of `of` reaches it.
    pub fn is_met(self, of: u32, count: u32) -> bool {
        match self {
            Threshold::MoreThanHalf => u64::from(count) * 2 > u64::from(of),
            Threshold::AtLeast(rule) => rule.is_met(of, count),
        }
    }

    /// The fewest of `of` that reach it.
    pub fn minimum(self, of: u32) -> u32 {
        match self {
            Threshold::MoreThanHalf => of / 2 + 1,
            Threshold::AtLeast(rule) => rule.minimum_present(of),
        }
    }

    /// `过半数`, `三分之二以上`.
    pub fn words(self) -> String {
        match self {
            Threshold::MoreThanHalf => "过半数".to_owned(),
            Threshold::AtLeast(rule) => format!("{}以上", rule.words()),
        }
    }
}

/// Which count made the quorum: the members (villagers aged 18+, representatives, council
/// members) or, for an assembly or a group, the households' representatives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum QuorumBasis {
    /// By members (人).
    Members,
    /// By households' representatives (户).
    Households,
}

/// Attendance against the law of the meeting's kind, worked out from its counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Attendance {
    /// The members' share that must attend.
    pub members_threshold: Threshold,
    /// Fewest members for a quorum.
    pub members_minimum: u32,
    /// The members' count makes the quorum.
    pub members_met: bool,
    /// The households' share, where the kind has one and the meeting counted households.
    pub households_threshold: Option<Threshold>,
    /// Fewest households for a quorum, with it.
    pub households_minimum: Option<u32>,
    /// The households' count makes the quorum.
    pub households_met: bool,
    /// Either count makes it.
    pub met: bool,
    /// The count the votes are taken against: the members when they make the quorum (or
    /// when neither does), else the households.
    pub basis: QuorumBasis,
    /// Those present on that basis: the base of "到会人员的过半数".
    pub voting_present: u32,
    /// All on that basis: the base of "全体成员三分之二以上".
    pub voting_all: u32,
}

/// Works out the quorum of a meeting of `kind` (`rule`: a council's own quorum).
pub fn attendance(
    kind: MeetingKind,
    rule: QuorumRule,
    expected: u32,
    present: u32,
    households: Option<(u32, u32)>,
) -> Attendance {
    let members_threshold = kind.members_threshold(rule);
    let members_met = members_threshold.is_met(expected, present);
    let households_threshold = households.and(kind.households_threshold());
    let (households_minimum, households_met) = match (households_threshold, households) {
        (Some(threshold), Some((of, came))) => {
            (Some(threshold.minimum(of)), threshold.is_met(of, came))
        }
        _ => (None, false),
    };
    let (basis, voting_all, voting_present) = match households {
        Some((of, came)) if households_met && !members_met => (QuorumBasis::Households, of, came),
        _ => (QuorumBasis::Members, expected, present),
    };
    Attendance {
        members_threshold,
        members_minimum: members_threshold.minimum(expected),
        members_met,
        households_threshold,
        households_minimum,
        households_met,
        met: members_met || households_met,
        basis,
        voting_present,
        voting_all,
    }
}

/// How many must agree for an item to pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum Approval {
    /// More than half of those present (村委会组织法 Arts. 22, 26, 28).
    #[default]
    PresentMajority,
    /// At least two thirds of all members of the assembly, or of all representatives
    /// (农村土地承包法 Arts. 28, 52).
    TwoThirdsOfAll,
}

impl Approval {
    /// Every value, in display order.
    pub const ALL: [Approval; 2] = [Approval::PresentMajority, Approval::TwoThirdsOfAll];

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            Approval::PresentMajority => "到会人员过半数同意",
            Approval::TwoThirdsOfAll => "全体成员三分之二以上同意",
        }
    }

    /// Votes in favour needed, of `present` and of `all` on the meeting's basis.
    pub fn needed(self, present: u32, all: u32) -> u32 {
        match self {
            Approval::PresentMajority => Threshold::MoreThanHalf.minimum(present),
            Approval::TwoThirdsOfAll => Threshold::AtLeast(QuorumRule::TWO_THIRDS).minimum(all),
        }
    }

    /// Whether `in_favour` is enough. Those who abstain or do not vote count against.
    pub fn passes(self, in_favour: u32, present: u32, all: u32) -> bool {
        match self {
            Approval::PresentMajority => Threshold::MoreThanHalf.is_met(present, in_favour),
            Approval::TwoThirdsOfAll => {
                Threshold::AtLeast(QuorumRule::TWO_THIRDS).is_met(all, in_favour)
            }
        }
    }

    /// For `skip_serializing_if`: records from before the rule existed read as this.
    pub fn is_default(&self) -> bool {
        *self == Approval::PresentMajority
    }
}

/// What an item concerns, where the law asks more than a majority of those present.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ItemTopic {
    /// 土地承包: the contracting plan, adjusting contracted land, contracting to outsiders.
    #[serde(alias = "土地承包")]
    LandContract,
    /// 集体收益分配: distributing the collective's income.
    #[serde(alias = "集体收益分配")]
    IncomeDistribution,
    /// 成员资格: who is a member of the collective economic organisation.
    #[serde(alias = "成员资格")]
    Membership,
}

impl ItemTopic {
    /// Every value, in display order.
    pub const ALL: [ItemTopic; 3] = [
        ItemTopic::LandContract,
        ItemTopic::IncomeDistribution,
        ItemTopic::Membership,
    ];

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            ItemTopic::LandContract => "土地承包",
            ItemTopic::IncomeDistribution => "集体收益分配",
            ItemTopic::Membership => "成员资格",
        }
    }

    /// The rule the form suggests: each of these needs two thirds of all members (docs/domain.md).
    pub fn suggested_approval(self) -> Approval {
        Approval::TwoThirdsOfAll
    }

    /// The law behind the suggestion, as the minutes print it.
    pub fn source(self) -> &'static str {
        match self {
            ItemTopic::LandContract => "《农村土地承包法》第二十八条、第五十二条",
            ItemTopic::IncomeDistribution | ItemTopic::Membership => {
                "《农村集体经济组织法》关于成员大会表决的规定"
            }
        }
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

/// Refuses households' counts that cannot be right: only one of the two, none expected, more
/// present than expected, or a kind whose law counts no households.
pub fn check_households(
    kind: MeetingKind,
    expected: Option<u32>,
    present: Option<u32>,
) -> Result<Option<(u32, u32)>> {
    let refuse = |message: String, field: &str| {
        Err(Error::refused(ErrorKind::Quorum, message).at(field.to_owned()))
    };
    match (expected, present) {
        (None, None) => Ok(None),
        _ if kind.households_threshold().is_none() => refuse(
            format!(
                "{}按人数计算法定人数，不按户：请不要填写应到户数和实到户数",
                kind.label()
            ),
            "households_expected",
        ),
        (None, Some(_)) => refuse("请填写应到户数".to_owned(), "households_expected"),
        (Some(_), None) => refuse("请填写实到户数".to_owned(), "households_present"),
        (Some(0), Some(_)) => refuse("应到户数必须大于0".to_owned(), "households_expected"),
        (Some(of), Some(came)) if came > of => refuse(
            format!("实到户数（{came}）不能多于应到户数（{of}）"),
            "households_present",
        ),
        (Some(of), Some(came)) => Ok(Some((of, came))),
    }
}

/// Refuses the votes on the agenda item at `index` (from 0) when more were cast than those
/// present.
pub fn check_votes(index: usize, votes: Votes, present: u32) -> Result<()> {
    check_tally(index, votes, present, "votes", "表决")
}

/// [`check_votes`] for a tally at `field` of the item (`votes`, `rights_review.revote`).
fn check_tally(index: usize, votes: Votes, present: u32, field: &str, what: &str) -> Result<()> {
    let cast = votes.cast();
    if cast > u64::from(present) {
        return Err(Error::refused(
            ErrorKind::Quorum,
            format!(
                "第{}项{what}票数合计（{cast}）超过实到人数（{present}）",
                index + 1
            ),
        )
        .at(format!("items.{index}.{field}")));
    }
    Ok(())
}

/// Whether a motion passed by the council's old rule: quorum met and more than half of those
/// present in favour.
pub fn motion_passes(quorum_met: bool, present: u32, votes: Votes) -> bool {
    quorum_met && Approval::PresentMajority.passes(votes.in_favour, present, present)
}

/// A check that a resolution does not infringe villagers' personal or lawful property rights
/// (村委会组织法 Art. 27; e.g. the land rights of married-out daughters, 出嫁女土地权益), the
/// corrected text and the vote taken on it again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct RightsReview {
    /// The resolution as voted infringes such rights.
    pub infringes: bool,
    /// What was found.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub note: Option<String>,
    /// The corrected text of the resolution.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub correction: Option<String>,
    /// The vote on the corrected text, by the item's rule. Without it an infringing item does
    /// not pass: correcting the text is not deciding it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub revote: Option<Votes>,
}

/// Whether an item passes: the quorum met, the rule met by the votes and, when the review found
/// an infringement, a corrected text voted again that meets the rule.
pub fn item_passes(
    attendance: &Attendance,
    approval: Approval,
    votes: Votes,
    review: Option<&RightsReview>,
) -> bool {
    let passes = |votes: Votes| {
        approval.passes(
            votes.in_favour,
            attendance.voting_present,
            attendance.voting_all,
        )
    };
    if !attendance.met {
        return false;
    }
    match review {
        Some(review) if review.infringes => {
            let corrected = review
                .correction
                .as_deref()
                .is_some_and(|text| !text.trim().is_empty());
            corrected && review.revote.is_some_and(passes)
        }
        _ => passes(votes),
    }
}

/// One agenda item, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AgendaItem {
    /// The motion.
    pub title: String,
    /// Linked case.
    pub case_no: Option<String>,
    /// What it concerns, where the law asks more than a majority.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub topic: Option<ItemTopic>,
    /// Discussion summary.
    pub discussion: Option<String>,
    /// Votes.
    pub votes: Votes,
    /// How the vote was cast.
    pub method: VoteMethod,
    /// How many must agree.
    #[serde(default, skip_serializing_if = "Approval::is_default")]
    #[cfg_attr(feature = "ts", ts(as = "Option<Approval>", optional))]
    pub approval: Approval,
    /// Resolution text.
    pub resolution: Option<String>,
    /// Derived when recorded ([`item_passes`]). Records made before the re-vote rule keep what
    /// they were given then: a corrected text passed without a second vote.
    pub passed: bool,
    /// Rights review of the resolution.
    pub rights_review: Option<RightsReview>,
}

/// A meeting, as stored and synchronised: a 民主议事会 or one of the villagers' meetings of
/// the Organic Law. Created once; what follows it is [`MeetingEvent`]s.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct CouncilMeeting {
    /// Record id.
    pub id: Uuid,
    /// Which body met.
    #[serde(default, skip_serializing_if = "MeetingKind::is_council")]
    #[cfg_attr(feature = "ts", ts(as = "Option<MeetingKind>", optional))]
    pub kind: MeetingKind,
    /// Station that recorded it.
    pub station: String,
    /// Village or residential committee (and the group, for a group meeting).
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
    /// Members expected (应到): villagers aged 18+, the representative meeting's members, or
    /// the council's members.
    pub expected: u32,
    /// Members present (实到).
    pub present: u32,
    /// Households expected (应到户数), where the meeting counted households.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub households_expected: Option<u32>,
    /// Households whose representative came (实到户数).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub households_present: Option<u32>,
    /// A council's quorum rule; none for the villagers' meetings, whose rule is the law's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub quorum: Option<QuorumRule>,
    /// Derived from the rule.
    pub quorum_met: bool,
    /// Items.
    pub items: Vec<AgendaItem>,
    /// Publication (公示) start.
    pub published_from: Option<NaiveDate>,
    /// Publication end.
    pub published_to: Option<NaiveDate>,
    /// Where it is published (公示地点).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub published_place: Option<String>,
}

impl CouncilMeeting {
    /// The households' counts, when the meeting recorded both.
    pub fn households(&self) -> Option<(u32, u32)> {
        self.households_expected.zip(self.households_present)
    }

    /// Its attendance, worked out again from its counts.
    pub fn attendance(&self) -> Attendance {
        attendance(
            self.kind,
            self.quorum.unwrap_or_default(),
            self.expected,
            self.present,
            self.households(),
        )
    }
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
    /// What it concerns (土地承包, 集体收益分配, 成员资格).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub topic: Option<ItemTopic>,
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
    /// Defaults to more than half of those present.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub approval: Option<Approval>,
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
    /// Which body met; a council when left out.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub kind: Option<MeetingKind>,
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
    /// Households expected (村民会议, 村民小组会议).
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub households_expected: Option<u32>,
    /// Households present.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub households_present: Option<u32>,
    /// A council's quorum rule; default two thirds. Refused for the villagers' meetings.
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
    /// Publication place.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub published_place: Option<String>,
}

/// What happened after a meeting. The tag is the event's `kind` in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MeetingEventKind {
    /// 公示, recorded after the meeting when the record has none.
    Published {
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
        /// Where (公示栏, 村务公开栏, 微信群…).
        place: String,
    },
    /// An objection received (异议), on an item or on the meeting.
    Objection {
        /// The item (numbered from 1), when it names one.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        item: Option<u32>,
        /// Who raised it; may be left out.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        raised_by: Option<String>,
        /// What it says.
        content: String,
    },
    /// The answer to an objection (答复).
    Answered {
        /// The objection's event id.
        objection: Uuid,
        /// What it was answered.
        answer: String,
    },
    /// How a decision was carried out (执行情况, 村委会组织法 Art. 30).
    CarriedOut {
        /// The item (numbered from 1), when it names one.
        #[serde(default)]
        #[cfg_attr(feature = "ts", ts(optional = nullable))]
        item: Option<u32>,
        /// What was done.
        report: String,
    },
}

impl MeetingEventKind {
    /// Every kind's JSON name with what the deputy reads, in display order.
    pub const KINDS: [(&'static str, &'static str); 4] = [
        ("published", "公示"),
        ("objection", "收到异议"),
        ("answered", "异议答复"),
        ("carried_out", "执行情况"),
    ];

    /// What the deputy reads.
    pub fn label(&self) -> &'static str {
        kind_label(&Self::KINDS, self.as_str())
    }

    /// Stable name, as in JSON.
    pub fn as_str(&self) -> &'static str {
        match self {
            MeetingEventKind::Published { .. } => "published",
            MeetingEventKind::Objection { .. } => "objection",
            MeetingEventKind::Answered { .. } => "answered",
            MeetingEventKind::CarriedOut { .. } => "carried_out",
        }
    }
}

/// One event after a meeting, as stored and synchronised. Appended, never edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MeetingEvent {
    /// Record id.
    pub id: Uuid,
    /// The meeting it follows.
    pub meeting: Uuid,
    /// When (an objection: when it was received).
    pub at: DateTime<FixedOffset>,
    /// Deputy who recorded it.
    pub deputy: Option<Uuid>,
    /// Free note.
    pub note: Option<String>,
    /// What happened.
    #[serde(flatten)]
    pub kind: MeetingEventKind,
}

/// What `meeting event` reads.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MeetingEventInput {
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
    pub kind: MeetingEventKind,
}

/// A meeting's 公示: on its record, or recorded afterwards by a `published` event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Publication {
    /// First day.
    pub from: NaiveDate,
    /// Last day, when known.
    pub to: Option<NaiveDate>,
    /// Where, when known.
    pub place: Option<String>,
}

/// The meeting's 公示, from its record or else its first `published` event.
pub fn publication(meeting: &CouncilMeeting, events: &[MeetingEvent]) -> Option<Publication> {
    if let Some(from) = meeting.published_from {
        return Some(Publication {
            from,
            to: meeting.published_to,
            place: meeting.published_place.clone(),
        });
    }
    events.iter().find_map(|event| match &event.kind {
        MeetingEventKind::Published { from, to, place } => Some(Publication {
            from: *from,
            to: Some(*to),
            place: Some(place.clone()),
        }),
        _ => None,
    })
}

/// Objections recorded and not answered yet.
pub fn open_objections(events: &[MeetingEvent]) -> Vec<&MeetingEvent> {
    events
        .iter()
        .filter(|event| matches!(event.kind, MeetingEventKind::Objection { .. }))
        .filter(|objection| {
            !events.iter().any(|event| {
                matches!(event.kind, MeetingEventKind::Answered { objection: id, .. } if id == objection.id)
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rstest::rstest;

    fn votes(in_favour: u32) -> Votes {
        Votes {
            in_favour,
            against: 0,
            abstain: 0,
        }
    }

    // A council's configurable rule, default two thirds, "以上": the number itself counts.
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
        assert_eq!(motion_passes(quorum_met, present, votes(in_favour)), passes);
    }

    /// 村民会议, 村委会组织法 Art. 22: "应当有本村十八周岁以上村民的过半数，或者本村三分之二以上的
    /// 户的代表参加". Members: strictly more than half; households: two thirds, inclusive.
    #[rstest]
    // Art. 22: exactly half of the villagers is not "过半数".
    #[case(600, 300, None, false, QuorumBasis::Members)]
    // Art. 22: one more than half is.
    #[case(600, 301, None, true, QuorumBasis::Members)]
    // Art. 22: an odd count, 601: 300 is under half, 301 is over.
    #[case(601, 300, None, false, QuorumBasis::Members)]
    #[case(601, 301, None, true, QuorumBasis::Members)]
    // Art. 22, the households' alternative: exactly two thirds of 210 households (140) is enough
    // though the villagers present (150 of 600) are far from half.
    #[case(600, 150, Some((210, 140)), true, QuorumBasis::Households)]
    // Art. 22: one household fewer than two thirds (139 of 210) is not.
    #[case(600, 150, Some((210, 139)), false, QuorumBasis::Members)]
    // Art. 22: 2/3 of 200 is 133.33…, so 133 households are just under and 134 enough.
    #[case(600, 150, Some((200, 133)), false, QuorumBasis::Members)]
    #[case(600, 150, Some((200, 134)), true, QuorumBasis::Households)]
    // Art. 22: both counts make it: the votes are counted by members.
    #[case(600, 301, Some((200, 134)), true, QuorumBasis::Members)]
    fn villagers_assembly_quorum(
        #[case] expected: u32,
        #[case] present: u32,
        #[case] households: Option<(u32, u32)>,
        #[case] met: bool,
        #[case] basis: QuorumBasis,
    ) {
        let a = attendance(
            MeetingKind::VillagersAssembly,
            QuorumRule::default(),
            expected,
            present,
            households,
        );
        assert_eq!((a.met, a.basis), (met, basis));
        assert_eq!(a.members_minimum, expected / 2 + 1);
    }

    /// 村民代表会议, 村委会组织法 Art. 26: "有三分之二以上的组成人员参加方可召开"; no households.
    #[rstest]
    // Art. 26: exactly two thirds of 30 (20) is enough, 19 is just under.
    #[case(30, 20, true)]
    #[case(30, 19, false)]
    // Art. 26: 2/3 of 31 is 20.67: 21 needed.
    #[case(31, 21, true)]
    #[case(31, 20, false)]
    // Art. 26: half is not enough.
    #[case(30, 15, false)]
    fn representatives_quorum(#[case] expected: u32, #[case] present: u32, #[case] met: bool) {
        let a = attendance(
            MeetingKind::Representatives,
            QuorumRule::default(),
            expected,
            present,
            None,
        );
        assert_eq!(a.met, met);
        assert_eq!(a.households_threshold, None);
        // A council's own rule does not change a representatives' meeting.
        let lax = QuorumRule {
            numerator: 1,
            denominator: 2,
        };
        let b = attendance(MeetingKind::Representatives, lax, expected, present, None);
        assert_eq!(b.met, met);
    }

    /// 村民小组会议, 村委会组织法 Art. 28: "应当有本村民小组十八周岁以上的村民三分之二以上，或者
    /// 本村民小组三分之二以上的户的代表参加".
    #[rstest]
    // Art. 28: exactly two thirds of the villagers (40 of 60), and one fewer.
    #[case(60, 40, None, true)]
    #[case(60, 39, None, false)]
    // Art. 28: more than half is not enough for a group.
    #[case(60, 31, None, false)]
    // Art. 28, the households' alternative: 14 of 21 households is exactly two thirds.
    #[case(60, 20, Some((21, 14)), true)]
    #[case(60, 20, Some((21, 13)), false)]
    fn group_quorum(
        #[case] expected: u32,
        #[case] present: u32,
        #[case] households: Option<(u32, u32)>,
        #[case] met: bool,
    ) {
        let a = attendance(
            MeetingKind::Group,
            QuorumRule::default(),
            expected,
            present,
            households,
        );
        assert_eq!(a.met, met);
    }

    /// The council keeps the station's own rule (the brief's default: two thirds).
    #[rstest]
    #[case(QuorumRule { numerator: 3, denominator: 4 }, 12, 9, true)]
    #[case(QuorumRule { numerator: 3, denominator: 4 }, 12, 8, false)]
    #[case(QuorumRule { numerator: 1, denominator: 2 }, 20, 10, true)]
    fn council_quorum(
        #[case] rule: QuorumRule,
        #[case] expected: u32,
        #[case] present: u32,
        #[case] met: bool,
    ) {
        assert_eq!(
            attendance(MeetingKind::Council, rule, expected, present, None).met,
            met
        );
    }

    /// Decisions: "所作决定应当经到会人员的过半数通过/同意" (Arts. 22, 26, 28), unless the
    /// matter needs two thirds of all members (农村土地承包法 Arts. 28, 52: "村民会议三分之二以上
    /// 成员或者三分之二以上村民代表的同意").
    #[rstest]
    // Arts. 22/26/28: exactly half of those present (10 of 20) does not pass.
    #[case(Approval::PresentMajority, 20, 30, 10, false)]
    // Arts. 22/26/28: just over half passes.
    #[case(Approval::PresentMajority, 20, 30, 11, true)]
    #[case(Approval::PresentMajority, 21, 30, 11, true)]
    #[case(Approval::PresentMajority, 21, 30, 10, false)]
    // 土地承包法 Art. 28/52: exactly two thirds of all 30 (20) passes, 19 does not, although
    // 19 is far more than half of the 21 present.
    #[case(Approval::TwoThirdsOfAll, 21, 30, 20, true)]
    #[case(Approval::TwoThirdsOfAll, 21, 30, 19, false)]
    // 土地承包法 Art. 28/52: 2/3 of 31 is 20.67: 21 needed.
    #[case(Approval::TwoThirdsOfAll, 31, 31, 21, true)]
    #[case(Approval::TwoThirdsOfAll, 31, 31, 20, false)]
    fn approval_rules(
        #[case] approval: Approval,
        #[case] present: u32,
        #[case] all: u32,
        #[case] in_favour: u32,
        #[case] passes: bool,
    ) {
        assert_eq!(approval.passes(in_favour, present, all), passes);
        let needed = approval.needed(present, all);
        assert!(approval.passes(needed, present, all));
        assert!(!approval.passes(needed - 1, present, all));
    }

    /// An assembly that met by households votes by households: two thirds of all households.
    #[test]
    fn an_assembly_of_households_votes_by_households() {
        // Art. 22: 140 of 210 households came; 150 of 600 villagers.
        let a = attendance(
            MeetingKind::VillagersAssembly,
            QuorumRule::default(),
            600,
            150,
            Some((210, 140)),
        );
        assert_eq!((a.voting_present, a.voting_all), (140, 210));
        // 土地承包法 Art. 28: two thirds of 210 households is 140.
        assert!(item_passes(&a, Approval::TwoThirdsOfAll, votes(140), None));
        assert!(!item_passes(&a, Approval::TwoThirdsOfAll, votes(139), None));
        // Art. 22: more than half of the 140 present: 71.
        assert!(item_passes(&a, Approval::PresentMajority, votes(71), None));
        assert!(!item_passes(&a, Approval::PresentMajority, votes(70), None));
    }

    /// A review that finds an infringement blocks the item until the corrected text is voted
    /// again (村委会组织法 Art. 27: such content must be corrected; the correction is a new
    /// decision, so it needs its own vote).
    #[test]
    fn an_infringing_item_passes_only_once_its_corrected_text_is_voted_again() {
        let a = attendance(MeetingKind::Council, QuorumRule::default(), 30, 21, None);
        let review = |correction: Option<&str>, revote: Option<u32>| RightsReview {
            infringes: true,
            note: Some("方案未将出嫁女列入分配名单".into()),
            correction: correction.map(str::to_owned),
            revote: revote.map(votes),
        };
        let rule = Approval::PresentMajority;
        assert!(!item_passes(&a, rule, votes(15), Some(&review(None, None))));
        assert!(!item_passes(
            &a,
            rule,
            votes(15),
            Some(&review(Some("补列出嫁女"), None))
        ));
        assert!(!item_passes(
            &a,
            rule,
            votes(15),
            Some(&review(Some(" "), Some(15)))
        ));
        assert!(!item_passes(
            &a,
            rule,
            votes(15),
            Some(&review(Some("补列出嫁女"), Some(10)))
        ));
        assert!(item_passes(
            &a,
            rule,
            votes(15),
            Some(&review(Some("补列出嫁女"), Some(11)))
        ));
        // The re-vote follows the item's rule: two thirds of all 30 is 20.
        let land = Approval::TwoThirdsOfAll;
        assert!(!item_passes(
            &a,
            land,
            votes(20),
            Some(&review(Some("补列出嫁女"), Some(19)))
        ));
        assert!(item_passes(
            &a,
            land,
            votes(0),
            Some(&review(Some("补列出嫁女"), Some(20)))
        ));
        let clean = RightsReview {
            infringes: false,
            note: None,
            correction: None,
            revote: None,
        };
        assert!(item_passes(&a, rule, votes(11), Some(&clean)));
        // No quorum, no decision.
        let thin = attendance(MeetingKind::Council, QuorumRule::default(), 30, 19, None);
        assert!(!item_passes(&thin, rule, votes(19), None));
    }

    #[rstest]
    #[case(MeetingKind::Representatives, Some(10), Some(8), "households_expected")]
    #[case(MeetingKind::Council, Some(10), None, "households_expected")]
    #[case(MeetingKind::VillagersAssembly, Some(10), None, "households_present")]
    #[case(MeetingKind::VillagersAssembly, None, Some(8), "households_expected")]
    #[case(MeetingKind::Group, Some(0), Some(0), "households_expected")]
    #[case(MeetingKind::Group, Some(10), Some(11), "households_present")]
    fn impossible_household_counts_are_refused(
        #[case] kind: MeetingKind,
        #[case] expected: Option<u32>,
        #[case] present: Option<u32>,
        #[case] field: &str,
    ) {
        let err = check_households(kind, expected, present).unwrap_err();
        assert_eq!((err.kind(), err.field()), (ErrorKind::Quorum, Some(field)));
    }

    #[test]
    fn fractions_read_as_the_law_writes_them() {
        assert_eq!(
            Threshold::AtLeast(QuorumRule::TWO_THIRDS).words(),
            "三分之二以上"
        );
        assert_eq!(Threshold::MoreThanHalf.words(), "过半数");
        let odd = QuorumRule {
            numerator: 5,
            denominator: 7,
        };
        assert_eq!(odd.words(), "5/7");
    }

    /// A record written before kinds existed reads as a council and writes back the same JSON,
    /// so a replayed or re-sent old log entry is the same entry.
    #[test]
    fn an_old_record_reads_as_a_council_and_writes_back_unchanged() {
        let old = r#"{"id":"01a2205a-0000-7000-8000-000000000001","station":"BX","village":"东岭村","held_at":"2026-11-26T19:30:00+08:00","place":"会议室","host":"陈志明","recorder":"梁少玲","deputies":[],"expected":31,"present":21,"quorum":{"numerator":2,"denominator":3},"quorum_met":true,"items":[{"title":"分配方案","case_no":null,"discussion":null,"votes":{"for":12,"against":6,"abstain":3},"method":"secret_ballot","resolution":null,"passed":true,"rights_review":{"infringes":true,"note":"未列出嫁女","correction":"补列"}}],"published_from":null,"published_to":null}"#;
        let meeting: CouncilMeeting = serde_json::from_str(old).unwrap();
        assert_eq!(meeting.kind, MeetingKind::Council);
        assert_eq!(meeting.items[0].approval, Approval::PresentMajority);
        assert!(meeting.items[0].passed, "an old record keeps its verdict");
        assert_eq!(serde_json::to_string(&meeting).unwrap(), old);
    }
}
