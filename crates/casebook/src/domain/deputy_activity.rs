//! A deputy's activities the station keeps besides its cases (docs/domain.md, "Deputies'
//! reports to voters and training"): 向选民述职, the deputy reporting on their work to the
//! voters, with the voters' appraisal (测评) when one was taken, and 培训, the training the
//! deputy attended. They are parts of the deputy's 履职档案 ([`crate::store::deputy_file`]).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// What the deputy did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum DeputyActivityKind {
    /// 向选民述职: reported on their work to the voters (or the voters' representatives).
    #[serde(alias = "述职", alias = "向选民述职")]
    ReportToVoters,
    /// 培训: attended a training for deputies.
    #[serde(alias = "培训", alias = "参加培训")]
    Training,
}

impl DeputyActivityKind {
    /// Every kind, in display order.
    pub const ALL: [DeputyActivityKind; 2] = [
        DeputyActivityKind::ReportToVoters,
        DeputyActivityKind::Training,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            DeputyActivityKind::ReportToVoters => "report_to_voters",
            DeputyActivityKind::Training => "training",
        }
    }

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            DeputyActivityKind::ReportToVoters => "向选民述职",
            DeputyActivityKind::Training => "参加培训",
        }
    }
}

/// The voters' appraisal of a deputy's report (述职测评): how many voters gave each grade.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct Appraisal {
    /// 满意.
    pub satisfied: u32,
    /// 基本满意.
    pub basically_satisfied: u32,
    /// 不满意.
    pub dissatisfied: u32,
}

impl Appraisal {
    /// Voters who gave a grade.
    pub fn total(self) -> u64 {
        u64::from(self.satisfied)
            + u64::from(self.basically_satisfied)
            + u64::from(self.dissatisfied)
    }
}

/// One activity of a deputy, as stored and synchronised: kept by the station that recorded it,
/// created once.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeputyActivity {
    /// Record id.
    pub id: Uuid,
    /// Station that recorded it.
    pub station: String,
    /// The deputy (from the roster).
    pub deputy: Uuid,
    /// 述职 or 培训.
    pub kind: DeputyActivityKind,
    /// The day (station time).
    pub date: NaiveDate,
    /// Where: 东岭村文化室, 市委党校.
    pub place: String,
    /// The report's subject or the training's title: 2026年度履职情况.
    pub topic: String,
    /// What was said or taught, in short.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub summary: Option<String>,
    /// For a training: who held it (主办单位), e.g. 市人大常委会.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub organiser: Option<String>,
    /// For a report: voters present (参加选民人数).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub voters_present: Option<u32>,
    /// For a report: the voters' appraisal, when one was taken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "ts", ts(optional))]
    pub appraisal: Option<Appraisal>,
}

/// An activity as `deputy activity add` and the app hand it in.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(deny_unknown_fields)]
pub struct DeputyActivityInput {
    /// 述职 or 培训.
    pub kind: DeputyActivityKind,
    /// The deputy: a name on the roster, or an id.
    pub deputy: String,
    /// The day.
    pub date: NaiveDate,
    /// Where.
    pub place: String,
    /// Subject or title.
    pub topic: String,
    /// In short.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub summary: Option<String>,
    /// For a training: who held it.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub organiser: Option<String>,
    /// For a report: voters present.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub voters_present: Option<u32>,
    /// For a report: the voters' appraisal.
    #[serde(default)]
    #[cfg_attr(feature = "ts", ts(optional = nullable))]
    pub appraisal: Option<Appraisal>,
}
