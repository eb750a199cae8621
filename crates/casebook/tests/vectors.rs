//! The shared validation vectors (`tests/vectors/validation.json` at the repository root) run
//! through the core's checks; `ui/tests/vectors.test.ts` runs the same file through the form's
//! checks, so what the window accepts and what the book accepts cannot drift apart.

#![allow(clippy::unwrap_used)]

use casebook::domain::{QuorumRule, Votes, check_attendance, check_votes, motion_passes};
use casebook::time::china_today;
use casebook::{ErrorKind, validate};
use chrono::{NaiveDate, TimeDelta};
use serde_json::Value;

fn vectors() -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/validation.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("vectors")).expect("vectors parse")
}

fn cases<'a>(all: &'a Value, list: &str) -> &'a [Value] {
    all[list].as_array().expect("a list of cases")
}

/// Compares a check's outcome with a case's verdict: `ok`, or the refusal's kind and, when the
/// case names one, its field.
fn expect_verdict<T: std::fmt::Debug>(case: &Value, outcome: &casebook::Result<T>) {
    match outcome {
        Ok(_) => assert!(case["ok"].as_bool().unwrap(), "accepted: {case}"),
        Err(err) => {
            assert!(!case["ok"].as_bool().unwrap(), "refused ({err}): {case}");
            assert_eq!(
                err.kind(),
                ErrorKind::from_name(case["kind"].as_str().unwrap()),
                "{case}"
            );
            if let Some(field) = case.get("field") {
                assert_eq!(err.field(), field.as_str(), "{case}");
            }
            if let Some(why) = case.get("why") {
                assert!(
                    err.to_string().contains(why.as_str().unwrap()),
                    "{err}: {case}"
                );
            }
        }
    }
}

#[test]
fn id_numbers() {
    let all = vectors();
    for case in cases(&all, "id_numbers") {
        let outcome = validate::id_number("身份证号", case["input"].as_str().unwrap());
        expect_verdict(case, &outcome);
        if let (Ok(id), Some(canonical)) = (&outcome, case.get("canonical")) {
            assert_eq!(id, canonical.as_str().unwrap());
        }
    }
}

#[test]
fn mobiles() {
    let all = vectors();
    for case in cases(&all, "mobiles") {
        let outcome = validate::mobile("电话", case["input"].as_str().unwrap());
        expect_verdict(case, &outcome);
        if let (Ok(phone), Some(canonical)) = (&outcome, case.get("canonical")) {
            assert_eq!(phone, canonical.as_str().unwrap());
        }
    }
}

#[test]
fn dates() {
    let all = vectors();
    for case in cases(&all, "dates") {
        let date = match case.get("date") {
            Some(date) => date.as_str().unwrap().parse::<NaiveDate>().unwrap(),
            None => china_today() + TimeDelta::days(case["days_from_today"].as_i64().unwrap()),
        };
        expect_verdict(case, &validate::date_not_in_future("日期", date));
    }
}

#[test]
fn quorum_arithmetic() {
    let all = vectors();
    for case in cases(&all, "quorum") {
        let rule = QuorumRule {
            numerator: case["rule"][0].as_u64().unwrap() as u32,
            denominator: case["rule"][1].as_u64().unwrap() as u32,
        };
        let expected = case["expected"].as_u64().unwrap() as u32;
        let present = case["present"].as_u64().unwrap() as u32;
        expect_verdict(case, &check_attendance(rule, expected, present));
        if case["ok"].as_bool().unwrap() {
            assert_eq!(rule.is_met(expected, present), case["met"], "{case}");
            assert_eq!(rule.minimum_present(expected), case["minimum"], "{case}");
        }
    }
}

#[test]
fn votes() {
    let all = vectors();
    for case in cases(&all, "votes") {
        let votes: Votes = serde_json::from_value(case["votes"].clone()).unwrap();
        let present = case["present"].as_u64().unwrap() as u32;
        let item = case.get("item").map_or(0, |i| i.as_u64().unwrap() as usize);
        expect_verdict(case, &check_votes(item, votes, present));
        if case["ok"].as_bool().unwrap() {
            let met = case["met"].as_bool().unwrap();
            assert_eq!(motion_passes(met, present, votes), case["passes"], "{case}");
        }
    }
}
