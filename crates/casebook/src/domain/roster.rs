//! Town-owned records: grids, stations, deputies, and the stations' duty rosters.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The three levels of the town's grid (1 central, 5 area, 28 base in the source town).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GridLevel {
    /// 中心网格
    #[serde(alias = "中心")]
    Center,
    /// 片区网格
    #[serde(alias = "片区")]
    Area,
    /// 基层网格
    #[serde(alias = "基层")]
    Base,
}

impl GridLevel {
    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            GridLevel::Center => "center",
            GridLevel::Area => "area",
            GridLevel::Base => "base",
        }
    }

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            GridLevel::Center => "中心网格",
            GridLevel::Area => "片区网格",
            GridLevel::Base => "基层网格",
        }
    }
}

/// A grid (网格) of the town's three-level structure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    /// Record id.
    pub id: Uuid,
    /// Short code, unique in the town (e.g. `B07`).
    pub code: String,
    /// Name, e.g. 东岭村第一网格.
    pub name: String,
    /// Level in the grid structure.
    pub level: GridLevel,
    /// Parent grid's code; the central grid has none.
    pub parent: Option<String>,
    /// Village or residential committees the grid covers.
    #[serde(default)]
    pub committees: Vec<String>,
}

/// A liaison station (联络站).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Station {
    /// Record id.
    pub id: Uuid,
    /// Short code used in case numbers (e.g. `BX`).
    pub code: String,
    /// Full name, e.g. 东岭村人大代表联络站.
    pub name: String,
    /// Level of the grid the station serves.
    pub level: GridLevel,
    /// Code of the grid the station serves.
    pub grid: Option<String>,
    /// The station's phone, printed on reception slips.
    pub phone: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// The people's mediation committee whose files the station keeps.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub committee: Option<MediationCommittee>,
}

/// A people's mediation committee (人民调解委员会; 人民调解法 第八条: 村民委员会、居民委员会设立
/// 人民调解委员会).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MediationCommittee {
    /// Its full name, printed where its seal goes: 东岭村人民调解委员会.
    pub name: String,
    /// The short name that heads its mediation numbers: 东岭村 in （2026）东岭村人调字第1号.
    pub short_name: String,
}

/// Which people's congress a deputy was elected to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum CongressLevel {
    /// 全国人大代表
    #[serde(alias = "全国")]
    National,
    /// 省人大代表
    #[serde(alias = "省")]
    Provincial,
    /// 市人大代表
    #[serde(alias = "市")]
    City,
    /// 县人大代表 (county-level city in the source town)
    #[serde(alias = "县")]
    County,
    /// 镇人大代表
    #[serde(alias = "镇")]
    Town,
}

impl CongressLevel {
    /// Every level, in display order.
    pub const ALL: [CongressLevel; 5] = [
        CongressLevel::National,
        CongressLevel::Provincial,
        CongressLevel::City,
        CongressLevel::County,
        CongressLevel::Town,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            CongressLevel::National => "national",
            CongressLevel::Provincial => "provincial",
            CongressLevel::City => "city",
            CongressLevel::County => "county",
            CongressLevel::Town => "town",
        }
    }

    /// What the deputy reads.
    pub fn label(self) -> &'static str {
        match self {
            CongressLevel::National => "全国人大代表",
            CongressLevel::Provincial => "省人大代表",
            CongressLevel::City => "市人大代表",
            CongressLevel::County => "县人大代表",
            CongressLevel::Town => "镇人大代表",
        }
    }
}

/// A people's-congress deputy.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Deputy {
    /// Record id.
    pub id: Uuid,
    /// Name.
    pub name: String,
    /// Congress the deputy belongs to.
    pub congress: CongressLevel,
    /// Code of the deputy's grid.
    pub grid: Option<String>,
    /// Code of the deputy's station.
    pub station: Option<String>,
    /// Contact phone.
    pub phone: Option<String>,
    /// Appointed as invited mediator (特邀调解员) on this date.
    pub mediator_since: Option<NaiveDate>,
    /// Still serving.
    pub active: bool,
}

/// One duty shift at a station (值班安排).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DutyShift {
    /// Record id.
    pub id: Uuid,
    /// Station code.
    pub station: String,
    /// Day of duty.
    pub date: NaiveDate,
    /// Start of the shift.
    #[serde(with = "hh_mm")]
    pub starts: NaiveTime,
    /// End of the shift.
    #[serde(with = "hh_mm")]
    pub ends: NaiveTime,
    /// Deputies on duty.
    pub deputies: Vec<Uuid>,
}

/// The roster file read by `casebook roster import` (documented in docs/cli.md).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RosterFile {
    /// Grids; parents must come before or in the same file as children.
    #[serde(default)]
    pub grids: Vec<GridInput>,
    /// Stations.
    #[serde(default)]
    pub stations: Vec<StationInput>,
    /// Deputies.
    #[serde(default)]
    pub deputies: Vec<DeputyInput>,
    /// Duty shifts.
    #[serde(default)]
    pub duty: Vec<DutyInput>,
}

/// A grid in a roster file; matched to an existing grid by code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridInput {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: GridLevel,
    /// Parent's code.
    #[serde(default)]
    pub parent: Option<String>,
    /// Covered committees.
    #[serde(default)]
    pub committees: Vec<String>,
}

/// A station in a roster file; matched to an existing station by code.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StationInput {
    /// Code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Level.
    pub level: GridLevel,
    /// Grid code.
    #[serde(default)]
    pub grid: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Address.
    #[serde(default)]
    pub address: Option<String>,
    /// The people's mediation committee whose files the station keeps.
    #[serde(default)]
    pub committee: Option<MediationCommittee>,
}

/// A deputy in a roster file; matched by `id` if given, else by name within the same station.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeputyInput {
    /// Existing id, to update a deputy.
    #[serde(default)]
    pub id: Option<Uuid>,
    /// Name.
    pub name: String,
    /// Congress level: `city`/`county`/`town` or 市/县/镇.
    pub congress: CongressLevel,
    /// Grid code.
    #[serde(default)]
    pub grid: Option<String>,
    /// Station code.
    #[serde(default)]
    pub station: Option<String>,
    /// Phone.
    #[serde(default)]
    pub phone: Option<String>,
    /// Date of appointment as invited mediator.
    #[serde(default)]
    pub mediator_since: Option<NaiveDate>,
    /// Defaults to true.
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A duty shift in a roster file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DutyInput {
    /// Station code.
    pub station: String,
    /// Day.
    pub date: NaiveDate,
    /// Start, `HH:MM`.
    #[serde(with = "hh_mm")]
    pub from: NaiveTime,
    /// End, `HH:MM`.
    #[serde(with = "hh_mm")]
    pub to: NaiveTime,
    /// Deputies, by id or name.
    pub deputies: Vec<String>,
}

/// `HH:MM` times, the way rosters are written.
pub mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer};

    /// Writes `09:00`.
    pub fn serialize<S: Serializer>(time: &NaiveTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&time.format("%H:%M").to_string())
    }

    /// Reads `09:00` or `09:00:00`.
    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        NaiveTime::parse_from_str(&text, "%H:%M")
            .or_else(|_| NaiveTime::parse_from_str(&text, "%H:%M:%S"))
            .map_err(|_| serde::de::Error::custom(format!("时间“{text}”应写作 HH:MM")))
    }
}
