//! The fictional town's roster and texts, kept as data in the repository's `assets/demo/`
//! (`town.json`, `names.json`, `topics.json`) and built into the crate.

use casebook::{Error, Result};
use serde::Deserialize;
use serde::de::DeserializeOwned;

const TOWN_JSON: &str = include_str!("../../../assets/demo/town.json");
const NAMES_JSON: &str = include_str!("../../../assets/demo/names.json");
const TOPICS_JSON: &str = include_str!("../../../assets/demo/topics.json");

/// A village or residential committee with its station.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Committee {
    /// `东岭村`.
    pub name: String,
    /// Its station's code, `DL`.
    pub station: String,
    /// Index into [`TownData::areas`].
    pub area: usize,
}

/// One thing visitors come about: 事由 (with `{v}` the village, `{g}` the group, `{x}` a
/// detail) and 诉求.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct TopicText {
    pub matter: String,
    pub request: String,
}

/// A dispute type, how often it comes up, and what visitors say about it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Topic {
    pub category: String,
    pub weight: u32,
    pub texts: Vec<TopicText>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TownFile {
    town: String,
    areas: Vec<String>,
    committees: Vec<Committee>,
    departments: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct NamesFile {
    surnames: Vec<String>,
    given_names: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct TopicsFile {
    topics: Vec<Topic>,
    details: Vec<String>,
}

/// Everything the demo town is made of.
#[derive(Debug, Clone)]
pub(crate) struct TownData {
    /// `清溪镇`.
    pub town: String,
    /// `东片`, …: one area grid and station each.
    pub areas: Vec<String>,
    /// The committees; the first seven have two base grids.
    pub committees: Vec<Committee>,
    pub surnames: Vec<String>,
    pub given_names: Vec<String>,
    /// Dispute types with weights.
    pub topics: Vec<Topic>,
    /// Endings of a matter (`{x}`).
    pub details: Vec<String>,
    /// Where cases are referred.
    pub departments: Vec<String>,
}

/// A data file that does not parse or holds nothing to pick from: the build is broken, not the
/// book, so the message says which file.
fn broken(file: &str, why: impl std::fmt::Display) -> Error {
    Error::Internal(format!("演示数据文件 assets/demo/{file} 有误：{why}"))
}

fn parse<T: DeserializeOwned>(file: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|err| broken(file, err))
}

impl TownData {
    /// Parses the built-in data files and checks that every list the generator picks from has
    /// something in it.
    ///
    /// # Errors
    /// [`Error::Internal`] naming the file that is malformed or empty.
    pub(crate) fn load() -> Result<TownData> {
        let town: TownFile = parse("town.json", TOWN_JSON)?;
        let names: NamesFile = parse("names.json", NAMES_JSON)?;
        let topics: TopicsFile = parse("topics.json", TOPICS_JSON)?;
        let empty = [
            ("town.json", "areas", town.areas.is_empty()),
            ("town.json", "committees", town.committees.is_empty()),
            ("town.json", "departments", town.departments.is_empty()),
            ("names.json", "surnames", names.surnames.is_empty()),
            ("names.json", "given_names", names.given_names.is_empty()),
            ("topics.json", "details", topics.details.is_empty()),
            ("topics.json", "topics", topics.topics.is_empty()),
        ];
        if let Some((file, list, _)) = empty.iter().find(|(_, _, empty)| *empty) {
            return Err(broken(file, format!("{list} 为空")));
        }
        if let Some(c) = town.committees.iter().find(|c| c.area >= town.areas.len()) {
            return Err(broken(
                "town.json",
                format!("{} 的 area {} 超出 areas 范围", c.name, c.area),
            ));
        }
        if let Some(t) = topics
            .topics
            .iter()
            .find(|t| t.weight == 0 || t.texts.is_empty())
        {
            return Err(broken(
                "topics.json",
                format!("{} 的 weight 为 0 或 texts 为空", t.category),
            ));
        }
        Ok(TownData {
            town: town.town,
            areas: town.areas,
            committees: town.committees,
            surnames: names.surnames,
            given_names: names.given_names,
            topics: topics.topics,
            details: topics.details,
            departments: town.departments,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_built_in_data_files_parse() {
        let data = TownData::load().unwrap();
        assert_eq!(data.town, "清溪镇");
        assert_eq!(data.areas.len(), 5);
        assert_eq!(data.committees.len(), 21);
        assert_eq!(data.committees[0].station, "DL");
        assert_eq!((data.surnames.len(), data.given_names.len()), (24, 36));
        assert_eq!(data.topics.len(), 19);
        assert_eq!(data.topics.iter().map(|t| t.texts.len()).sum::<usize>(), 32);
        assert_eq!((data.details.len(), data.departments.len()), (8, 6));
        // Every dispute type is one the book accepts.
        for topic in &data.topics {
            assert!(
                casebook::domain::DISPUTE_TYPES.contains(&topic.category.as_str()),
                "{}",
                topic.category
            );
        }
    }

    #[test]
    fn a_broken_file_is_an_error_naming_it() {
        let err = parse::<NamesFile>("names.json", "{\"surnames\": [}").unwrap_err();
        assert!(err.to_string().contains("assets/demo/names.json"), "{err}");
    }
}
