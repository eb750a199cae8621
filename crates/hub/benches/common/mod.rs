//! What the hub's benchmarks share: stations with a week of work, percentiles, settings. Each
//! benchmark uses part of it.
#![allow(clippy::unwrap_used, clippy::expect_used, dead_code)]

use std::time::Duration;

use casebook::Book;
use casebook::domain::*;
use casebook::store::BookKind;
use casebook::time::china_now;
use chrono::TimeDelta;

pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// A station with a one-deputy roster and a week of receptions, some with events.
pub fn station_week(code: &str, receptions: usize) -> Book {
    let mut book =
        Book::create_in_memory(code, &format!("{code}联络站"), BookKind::Station).unwrap();
    let roster: RosterFile = serde_json::from_str(&format!(
        r#"{{"grids": [{{"code": "G{code}", "name": "网格", "level": "base"}}],
            "stations": [{{"code": "{code}", "name": "联络站", "level": "base", "grid": "G{code}"}}],
            "deputies": [{{"name": "代表{code}", "congress": "镇", "station": "{code}", "grid": "G{code}"}}]}}"#
    ))
    .unwrap();
    book.import_roster(&roster).unwrap();
    for i in 0..receptions {
        let mut input = liaison_testkit::reception(
            &format!("代表{code}"),
            &format!("第{i}件：村道路灯损坏，夜间出行不便"),
        );
        input.received_at = china_now() - TimeDelta::hours(2 + i as i64);
        let added = book.add_reception(input).unwrap();
        let accepted = CaseEventInput {
            at: None,
            deputy: None,
            note: None,
            kind: CaseEventKind::Accepted,
        };
        book.add_case_event(&added.case_no, accepted).unwrap();
    }
    book
}

pub fn percentile(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1000.0
}

/// The town book at `path` (`QX`) and `count` stations (`S0000`…) with a week of
/// `receptions` each, every station and the town enrolled with each other.
pub fn town_and_stations(
    path: &std::path::Path,
    count: usize,
    receptions: usize,
) -> (Book, Vec<Book>) {
    let mut town = Book::create(path, "QX", "清溪镇人大", BookKind::Town).unwrap();
    let town_keys = town.public_keys();
    let stations = (0..count)
        .map(|i| enrolled_station_week(&mut town, &town_keys, &format!("S{i:04}"), receptions))
        .collect();
    (town, stations)
}

/// [`station_week`] enrolled with `town` (whose public keys are `town_keys`) both ways.
pub fn enrolled_station_week(
    town: &mut Book,
    town_keys: &casebook::bundle::keys::PublicKeys,
    code: &str,
    receptions: usize,
) -> Book {
    let mut station = station_week(code, receptions);
    let keys = station.public_keys();
    station
        .add_peer(
            &town_keys.origin,
            &town_keys.sign_public,
            &town_keys.seal_public,
        )
        .unwrap();
    town.add_peer(&keys.origin, &keys.sign_public, &keys.seal_public)
        .unwrap();
    station
}
