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

/// A meeting of the vector's kind and counts, with one item, recorded through `add_meeting`:
/// the rules as the book applies them at its boundary.
fn record_meeting(
    case: &Value,
    item: Value,
) -> casebook::Result<casebook::store::ops::MeetingAdded> {
    let mut input = serde_json::json!({
        "kind": case["meeting"],
        "village": "东岭村",
        "held_at": "2026-01-10T19:30:00+08:00",
        "place": "村委会会议室",
        "host": "陈志明",
        "recorder": "梁少玲",
        "expected": case["expected"],
        "present": case["present"],
        "items": [item],
    });
    if let Some(households) = case.get("households") {
        input["households_expected"] = households[0].clone();
        input["households_present"] = households[1].clone();
    }
    if let Some(rule) = case.get("rule") {
        input["quorum"] = serde_json::json!({"numerator": rule[0], "denominator": rule[1]});
    }
    let mut book =
        casebook::Book::create_in_memory("BX", "东岭村联络站", casebook::store::BookKind::Station)
            .unwrap();
    book.add_meeting(serde_json::from_value(input).unwrap())
}

/// Quorum by kind (村委会组织法 Arts. 22, 26, 28; the council's own rule), each case naming its
/// article in `law`.
#[test]
fn meeting_quorum() {
    let all = vectors();
    for case in cases(&all, "meeting_quorum") {
        let outcome = record_meeting(case, serde_json::json!({"title": "议题"}));
        expect_verdict(case, &outcome);
        if let Ok(added) = outcome {
            assert_eq!(added.quorum_met, case["met"], "{case}");
            assert_eq!(serde_json::json!(added.basis), case["basis"], "{case}");
            assert_eq!(added.quorum_minimum, case["minimum"], "{case}");
            assert_eq!(
                serde_json::json!(added.households_minimum),
                case.get("households_minimum")
                    .cloned()
                    .unwrap_or(Value::Null),
                "{case}"
            );
        }
    }
}

/// Approval per item (present majority; two thirds of all, 农村土地承包法 Arts. 28, 52) and the
/// re-vote after a rights review, each case naming its article in `law`.
#[test]
fn meeting_items() {
    let all = vectors();
    for case in cases(&all, "meeting_items") {
        let mut item = serde_json::json!({
            "title": "议题",
            "approval": case["approval"],
            "votes": case["votes"],
        });
        if let Some(review) = case.get("review") {
            item["rights_review"] = review.clone();
        }
        let outcome = record_meeting(case, item);
        expect_verdict(case, &outcome);
        if let Ok(added) = outcome {
            assert_eq!(added.passed, [case["passes"].as_bool().unwrap()], "{case}");
            assert_eq!(
                added.needed,
                [case["needed"].as_u64().unwrap() as u32],
                "{case}"
            );
        }
    }
}
