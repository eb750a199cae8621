//! The deputy's file for a year (代表履职档案): what it gathers, and where a year begins and
//! ends, in station time.
#![allow(clippy::unwrap_used)]

use casebook::Book;
use casebook::domain::{CaseEventInput, DeputyActivityInput, MeetingInput, RosterFile};
use casebook::store::BookKind;
use chrono::DateTime;
use serde_json::json;

fn book() -> Book {
    let mut book = Book::create_in_memory("BX", "东岭村人大代表联络站", BookKind::Station).unwrap();
    book.import_roster(&liaison_testkit::roster()).unwrap();
    book
}

fn at(text: &str) -> DateTime<chrono::FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

fn received(book: &mut Book, when: &str, matter: &str) -> String {
    let mut input = liaison_testkit::reception("陈建国", matter);
    input.received_at = at(when);
    book.add_reception(input).unwrap().case_no
}

fn event(book: &mut Book, case_no: &str, value: serde_json::Value) {
    let input: CaseEventInput = serde_json::from_value(value).unwrap();
    book.add_case_event(case_no, input).unwrap();
}

/// A reception at 23:59 on New Year's Eve, station time, is that year's; one at 00:00 on New
/// Year's Day the next year's, though both are the same UTC day.
#[test]
fn the_year_ends_at_midnight_station_time() {
    let mut book = book();
    let eve = received(&mut book, "2025-12-31T23:59:00+08:00", "除夕前路灯");
    let new_year = received(&mut book, "2026-01-01T00:00:00+08:00", "元旦路灯");
    // Given in UTC: 2025-12-31T16:30Z is 2026-01-01 00:30 at the station.
    let utc = received(&mut book, "2025-12-31T16:30:00+00:00", "UTC时间登记");
    let cases = |year| -> Vec<String> {
        book.deputy_file("陈建国", year)
            .unwrap()
            .receptions
            .into_iter()
            .map(|c| c.case_no)
            .collect()
    };
    assert_eq!(cases(2025), [eve]);
    assert_eq!(cases(2026), [new_year, utc]);
}

/// A case is followed to the end in the year of its latest 办结: closed on New Year's Eve it
/// counts in that year; reopened and closed again after midnight, in the next one only.
#[test]
fn a_case_followed_to_the_end_counts_in_the_year_it_was_last_closed() {
    let mut book = book();
    let case_no = received(&mut book, "2025-12-30T10:00:00+08:00", "水渠堵塞");
    event(
        &mut book,
        &case_no,
        json!({"kind": "accepted", "at": "2025-12-30T10:30:00+08:00"}),
    );
    event(
        &mut book,
        &case_no,
        json!({"kind": "closed", "at": "2025-12-31T23:59:00+08:00"}),
    );
    let concluded = |book: &Book, year| book.deputy_file("陈建国", year).unwrap().concluded;
    assert_eq!(concluded(&book, 2025).len(), 1);
    assert!(concluded(&book, 2026).is_empty());
    event(
        &mut book,
        &case_no,
        json!({"kind": "reopened", "reason": "村民反映仍未疏通", "at": "2026-01-01T00:00:00+08:00"}),
    );
    assert!(concluded(&book, 2025).is_empty(), "open again");
    event(
        &mut book,
        &case_no,
        json!({"kind": "closed", "at": "2026-01-02T09:00:00+08:00"}),
    );
    let closed = concluded(&book, 2026);
    assert_eq!(closed.len(), 1);
    assert_eq!(closed[0].closed_at, Some(at("2026-01-02T09:00:00+08:00")));
    assert!(concluded(&book, 2025).is_empty());
    let year = |y| {
        let day = |m, d| chrono::NaiveDate::from_ymd_opt(y, m, d);
        let stats = book.stats(None, day(1, 1), day(12, 31)).unwrap();
        stats
            .deputies
            .iter()
            .find(|d| d.name == "陈建国")
            .unwrap()
            .concluded
    };
    assert_eq!((year(2025), year(2026)), (0, 1), "the statistics agree");
    // Received in 2025, it is 2025's reception.
    assert_eq!(
        book.deputy_file("陈建国", 2025).unwrap().receptions.len(),
        1
    );
}

/// Every part: basics, duty days (two shifts on one day are one day), meetings attended or
/// hosted, satisfaction at follow-up visits, 述职 and training; another deputy's work is not
/// in it.
#[test]
fn the_file_gathers_the_deputys_year() {
    let mut book = book();
    let duty: RosterFile = serde_json::from_value(json!({"duty": [
        {"station": "BX", "date": "2025-03-01", "from": "09:00", "to": "12:00", "deputies": ["陈建国"]},
        {"station": "BX", "date": "2025-03-01", "from": "14:00", "to": "17:00", "deputies": ["陈建国", "李秀英"]},
        {"station": "BX", "date": "2025-03-08", "from": "09:00", "to": "12:00", "deputies": ["李秀英"]},
        {"station": "BX", "date": "2026-01-01", "from": "09:00", "to": "12:00", "deputies": ["陈建国"]}
    ]}))
    .unwrap();
    book.import_roster(&duty).unwrap();
    let case_no = received(&mut book, "2025-05-01T09:00:00+08:00", "路灯不亮");
    for (kind, at) in [
        (json!({"kind": "accepted"}), "2025-05-01T09:30:00+08:00"),
        (
            json!({"kind": "referred", "to": "镇建设办", "deadline": "2025-05-20"}),
            "2025-05-01T10:00:00+08:00",
        ),
        (
            json!({"kind": "reply_received", "from": "镇建设办", "content": "已修复"}),
            "2025-05-10T10:00:00+08:00",
        ),
        (json!({"kind": "fed_back"}), "2025-05-11T10:00:00+08:00"),
        (
            json!({"kind": "follow_up", "satisfaction": "满意", "deputy_satisfaction": "基本满意"}),
            "2025-05-12T10:00:00+08:00",
        ),
    ] {
        let mut value = kind;
        value["at"] = json!(at);
        event(&mut book, &case_no, value);
    }
    let meeting = |host: &str, deputies: Vec<&str>, held_at: &str| -> MeetingInput {
        serde_json::from_value(json!({
            "village": "东岭村", "held_at": held_at, "place": "村委会", "host": host,
            "recorder": "梁少玲", "deputies": deputies, "expected": 9, "present": 7,
            "items": [{"title": "修路", "votes": {"for": 5}}]
        }))
        .unwrap()
    };
    book.add_meeting(meeting(
        "陈志明",
        vec!["陈建国"],
        "2025-06-01T19:30:00+08:00",
    ))
    .unwrap();
    book.add_meeting(meeting("陈建国", vec![], "2025-07-01T19:30:00+08:00"))
        .unwrap();
    book.add_meeting(meeting(
        "陈志明",
        vec!["李秀英"],
        "2025-08-01T19:30:00+08:00",
    ))
    .unwrap();
    let activity = |value: serde_json::Value| -> DeputyActivityInput {
        serde_json::from_value(value).unwrap()
    };
    book.add_deputy_activity(activity(json!({
        "kind": "report_to_voters", "deputy": "陈建国", "date": "2025-12-31",
        "place": "东岭村文化室", "topic": "2025年度履职情况", "voters_present": 45,
        "appraisal": {"satisfied": 40, "basically_satisfied": 4, "dissatisfied": 1}
    })))
    .unwrap();
    book.add_deputy_activity(activity(json!({
        "kind": "培训", "deputy": "陈建国", "date": "2025-04-10", "place": "市委党校",
        "topic": "基层人大代表履职能力培训", "organiser": "市人大常委会"
    })))
    .unwrap();
    book.add_deputy_activity(activity(json!({
        "kind": "training", "deputy": "李秀英", "date": "2025-04-10", "place": "市委党校",
        "topic": "基层人大代表履职能力培训"
    })))
    .unwrap();

    let file = book.deputy_file("陈建国", 2025).unwrap();
    assert_eq!(file.basics.deputy.name, "陈建国");
    assert_eq!(file.basics.congress_label, "镇人大代表");
    assert_eq!(
        file.basics.station_name.as_deref(),
        Some("东岭村人大代表联络站")
    );
    assert!(file.basics.deputy.mediator_since.is_some());
    assert_eq!(file.duty_days(), 1);
    assert_eq!(file.duty[0].hours, ["09:00–12:00", "14:00–17:00"]);
    assert_eq!(file.receptions.len(), 1);
    assert_eq!(
        file.meetings.iter().map(|m| m.hosted).collect::<Vec<_>>(),
        [false, true]
    );
    assert_eq!(file.satisfaction.basically_satisfied, 1);
    assert_eq!(file.satisfaction.satisfied, 0);
    assert_eq!(file.reports.len(), 1);
    assert_eq!(file.reports[0].appraisal.unwrap().satisfied, 40);
    assert_eq!(file.trainings.len(), 1);
    assert_eq!(file.trainings[0].organiser.as_deref(), Some("市人大常委会"));

    // The statistics' 代表履职 row counts as the file does.
    let day = |m, d| chrono::NaiveDate::from_ymd_opt(2025, m, d);
    let stats = book.stats(None, day(1, 1), day(12, 31)).unwrap();
    let row = stats.deputies.iter().find(|d| d.name == "陈建国").unwrap();
    assert_eq!(
        (
            row.receptions,
            row.duty_days,
            row.meetings,
            row.reports_to_voters,
            row.trainings,
            row.basically_satisfied
        ),
        (1, 1, 2, 1, 1, 1)
    );

    // By id as well as by name.
    let id = file.basics.deputy.id.to_string();
    assert_eq!(book.deputy_file(&id, 2025).unwrap().reports.len(), 1);
    let err = book.deputy_file("无此人", 2025).unwrap_err();
    assert_eq!(err.kind(), casebook::ErrorKind::UnknownDeputy);
}

/// Training takes no voters; a report graded by more voters than were present, or dated
/// tomorrow, is refused; the deputy must be on the roster.
#[test]
fn activities_out_of_bounds_are_refused() {
    let mut book = book();
    let tomorrow = (casebook::time::china_today() + chrono::TimeDelta::days(1)).to_string();
    for (value, field) in [
        (
            json!({"kind": "training", "deputy": "陈建国", "date": "2025-04-10", "place": "党校",
                   "topic": "培训", "voters_present": 3}),
            "voters_present",
        ),
        (
            json!({"kind": "report_to_voters", "deputy": "陈建国", "date": "2025-04-10",
                   "place": "村委会", "topic": "述职", "voters_present": 3,
                   "appraisal": {"satisfied": 3, "basically_satisfied": 1, "dissatisfied": 0}}),
            "appraisal",
        ),
        (
            json!({"kind": "report_to_voters", "deputy": "陈建国", "date": tomorrow,
                   "place": "村委会", "topic": "述职"}),
            "date",
        ),
        (
            json!({"kind": "report_to_voters", "deputy": "无此人", "date": "2025-04-10",
                   "place": "村委会", "topic": "述职"}),
            "deputy",
        ),
        (
            json!({"kind": "report_to_voters", "deputy": "陈建国", "date": "2025-04-10",
                   "place": " ", "topic": "述职"}),
            "place",
        ),
    ] {
        let input: DeputyActivityInput = serde_json::from_value(value).unwrap();
        let err = book.add_deputy_activity(input).unwrap_err();
        assert!(err.kind().is_refusal(), "{err}");
        assert_eq!(err.field(), Some(field), "{err}");
    }
    assert!(book.deputy_activities(None, None, None).unwrap().is_empty());
}
