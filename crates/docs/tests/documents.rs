//! The mediation file's documents and the minutes, on what a reader of the page would see:
//! text from the book printed as text, forms left blank where nothing is recorded yet.
#![allow(clippy::unwrap_used)]

use casebook::Book;
use casebook::domain::{MediationInput, MeetingInput};
use casebook::store::BookKind;
use casebook::time::china_now;
use casebook_docs::{
    DayRange, MediationDocument, render_mediation, render_minutes, render_register,
};
use chrono::TimeDelta;
use serde_json::json;

const ATTACK: &str = "<script>alert(1)</script>";

fn book() -> Book {
    let mut book = Book::create_in_memory("BX", "东岭村人大代表联络站", BookKind::Station).unwrap();
    book.import_roster(&liaison_testkit::roster()).unwrap();
    book
}

/// A file just opened: parties and a mediator, nothing recorded since.
fn open_mediation(book: &mut Book, summary: &str) -> String {
    let input: MediationInput = serde_json::from_value(json!({
        "source": "主动", "dispute_type": "邻里", "summary": summary,
        "accepted_at": (china_now() - TimeDelta::hours(1)).to_rfc3339(),
        "parties": [{"role": "申请人", "name": "伍建国"}, {"role": "被申请人", "name": "伍永强"}],
        "mediators": ["陈建国"], "consent": true
    }))
    .unwrap();
    book.add_mediation(input).unwrap().number
}

const EVERY_DOCUMENT: [MediationDocument; 5] = [
    MediationDocument::Application,
    MediationDocument::Intake,
    MediationDocument::Record,
    MediationDocument::FollowUp,
    MediationDocument::Cover,
];

#[test]
fn text_from_the_book_is_escaped_in_every_document() {
    let mut book = book();
    let number = open_mediation(&mut book, ATTACK);
    for document in [MediationDocument::Application, MediationDocument::Intake] {
        let html = render_mediation(&book, document, &number).unwrap();
        assert!(!html.contains(ATTACK), "{document:?}");
        assert!(html.contains("&#60;script&#62;") || html.contains("&lt;script&gt;"));
    }
    let meeting: MeetingInput = serde_json::from_value(json!({
        "village": ATTACK, "held_at": (china_now() - TimeDelta::hours(1)).to_rfc3339(),
        "place": "村委会", "host": "陈志明", "recorder": "梁少玲", "expected": 9, "present": 7,
        "items": [{"title": ATTACK, "votes": {"for": 5}}]
    }))
    .unwrap();
    let id = book.add_meeting(meeting).unwrap().id.to_string();
    let html = render_minutes(&book, &id).unwrap();
    assert!(!html.contains("<script"));
}

#[test]
fn an_open_file_prints_blank_forms_and_no_agreement() {
    let mut book = book();
    let number = open_mediation(&mut book, "围墙越界");
    for document in EVERY_DOCUMENT {
        let html = render_mediation(&book, document, &number).unwrap();
        assert!(html.contains(&number), "{document:?}");
        assert!(
            html.contains("class=\"blank"),
            "{document:?} has lines to fill in"
        );
    }
    let record = render_mediation(&book, MediationDocument::Record, &number).unwrap();
    assert!(!record.contains("第1次调解") && record.contains("blank-lines"));
    let follow_up = render_mediation(&book, MediationDocument::FollowUp, &number).unwrap();
    assert!(follow_up.contains("□满意") && follow_up.contains("未申请"));
    let err = render_mediation(&book, MediationDocument::Agreement, &number).unwrap_err();
    assert_eq!(err.kind(), casebook::ErrorKind::Invalid);
}

#[test]
fn the_sign_in_sheet_has_a_box_per_member_present() {
    let mut book = book();
    let meeting: MeetingInput = serde_json::from_value(json!({
        "village": "东岭村", "held_at": (china_now() - TimeDelta::hours(1)).to_rfc3339(),
        "place": "村委会", "host": "陈志明", "recorder": "梁少玲", "expected": 9, "present": 7,
        "items": [{"title": "修路", "votes": {"for": 5}}]
    }))
    .unwrap();
    let id = book.add_meeting(meeting).unwrap().id.to_string();
    let html = render_minutes(&book, &id).unwrap();
    let sign_in = html.split("class=\"sign-in\"").nth(1).unwrap();
    let sign_in = &sign_in[..sign_in.find("</table>").unwrap()];
    assert_eq!(sign_in.matches("<tr>").count(), 2, "5 + 2 boxes");
    assert!(sign_in.contains("<td>7</td>") && !sign_in.contains("<td>8</td>"));
    assert!(html.contains("应到 9 人，实到 7 人，到会比例 77.8%"));
    assert!(html.contains("至少6人") && html.contains("达到法定人数，会议有效"));
}

#[test]
fn an_empty_register_says_so() {
    let book = book();
    let html = render_register(&book, DayRange::parse("2020-01").unwrap()).unwrap();
    assert!(html.contains("本期间没有接待登记"));
    assert!(html.contains("2020年1月1日至2020年1月31日"));
}
