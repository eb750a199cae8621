//! The mediation file's documents and the minutes, on what a reader of the page would see:
//! text from the book printed as text, forms left blank where nothing is recorded yet.
#![allow(clippy::unwrap_used)]

use casebook::Book;
use casebook::domain::{MediationInput, MeetingEventInput, MeetingInput};
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
        "mediators": ["陈建国"], "consent": true, "agreed_to_mediation": true
    }))
    .unwrap();
    book.add_mediation(input).unwrap().number
}

const EVERY_DOCUMENT: [MediationDocument; 7] = [
    MediationDocument::Application,
    MediationDocument::Intake,
    MediationDocument::RightsNotice,
    MediationDocument::Investigation,
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
    let investigation = render_mediation(&book, MediationDocument::Investigation, &number).unwrap();
    assert!(!investigation.contains("第1次调查") && investigation.contains("blank-lines"));
    let notice = render_mediation(&book, MediationDocument::RightsNotice, &number).unwrap();
    assert!(notice.contains("年　　月　　日"), "no date while not given");
    let intake = render_mediation(&book, MediationDocument::Intake, &number).unwrap();
    assert!(intake.contains("□ 已告知") && intake.contains("☑ 同意由"));
    let cover = render_mediation(&book, MediationDocument::Cover, &number).unwrap();
    assert!(cover.contains("人民调解受理登记表") && !cover.contains("人民调解申请书"));
    assert!(!cover.contains("人民调解记录</td>"), "no session yet");
}

/// An oral agreement's content prints on the record (人民调解法 Art. 28), and the 卷内目录 lists
/// the record with the result's date.
#[test]
fn an_oral_agreement_prints_its_content_on_the_record() {
    let mut book = book();
    let number = open_mediation(&mut book, "屋檐滴水");
    let result: casebook::domain::MediationEventInput = serde_json::from_value(json!({
        "kind": "result", "result": "succeeded_oral", "oral_terms": "被申请人加装檐沟，双方和好"
    }))
    .unwrap();
    book.add_mediation_event(&number, result).unwrap();
    let record = render_mediation(&book, MediationDocument::Record, &number).unwrap();
    assert!(record.contains("口头协议内容") && record.contains("被申请人加装檐沟，双方和好"));
    let cover = render_mediation(&book, MediationDocument::Cover, &number).unwrap();
    assert!(cover.contains("人民调解记录</td>"));
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

/// A 村民会议 that met by households (村委会组织法 Art. 22): the title follows the kind, both
/// bases print, each item its rule and tally, the review with the corrected text and its
/// re-vote, and what followed: the objection and its answer, and what was carried out.
#[test]
fn the_minutes_of_a_villagers_assembly_print_the_law_the_review_and_what_followed() {
    let mut book = book();
    let meeting: MeetingInput = serde_json::from_value(json!({
        "kind": "villagers_assembly", "village": "东岭村",
        "held_at": (china_now() - TimeDelta::hours(2)).to_rfc3339(),
        "place": "东岭村文化广场", "host": "陈志明", "recorder": "梁少玲",
        "expected": 600, "present": 150, "households_expected": 210, "households_present": 140,
        "items": [
            {"title": "集体收益分配方案", "topic": "集体收益分配", "approval": "two_thirds_of_all",
             "votes": {"for": 130}, "resolution": "按户籍人口分配",
             "rights_review": {"infringes": true, "note": "方案未将出嫁女列入分配名单",
                               "correction": "出嫁女户口在本村的同等分配", "revote": {"for": 140}}},
            {"title": "调整承包地", "topic": "土地承包", "votes": {"for": 100}}
        ],
        "published_from": china_now().date_naive().to_string(),
        "published_place": "村务公开栏"
    }))
    .unwrap();
    let id = book.add_meeting(meeting).unwrap().id.to_string();
    let event =
        |json: serde_json::Value| -> MeetingEventInput { serde_json::from_value(json).unwrap() };
    let objection = book
        .add_meeting_event(
            &id,
            event(
                json!({"kind": "objection", "item": 1, "raised_by": "梁桂珍", "content": ATTACK}),
            ),
        )
        .unwrap();
    book.add_meeting_event(
        &id,
        event(json!({"kind": "answered", "objection": objection.id, "answer": "已补列"})),
    )
    .unwrap();
    book.add_meeting_event(
        &id,
        event(json!({"kind": "carried_out", "item": 1, "report": "分配款已发放到户"})),
    )
    .unwrap();
    let html = render_minutes(&book, &id).unwrap();
    for shown in [
        "<h1>东岭村村民会议记录</h1>",
        "本村十八周岁以上村民应到 600 人，实到 150 人，到会比例 25.0%",
        "户的代表应到 210 户，实到 140 户，到会比例 66.7%",
        "依《村民委员会组织法》第二十二条，应有本村十八周岁以上村民过半数（至少301人）参加，或者三分之二以上的户的代表（至少140户）参加",
        "按户的代表计达到法定人数，会议有效，表决以户的代表计",
        "全体210户的三分之二以上同意（须赞成至少140票）",
        "通过（纠正后的决议经重新表决通过）",
        "出嫁女户口在本村的同等分配",
        "赞成 140 票，反对 0 票，弃权 0 票",
        "到会140户的过半数同意（须赞成至少71票）",
        "提示：涉及土地承包的事项",
        "公示地点：村务公开栏",
        "梁桂珍对议题1提出异议",
        "答复：已补列",
        "议题1：分配款已发放到户",
    ] {
        assert!(html.contains(shown), "missing {shown}");
    }
    assert!(!html.contains(ATTACK), "an objection prints as text");
}

/// A corrected text not voted again does not pass, and the minutes say why.
#[test]
fn a_correction_without_a_second_vote_prints_as_not_passed() {
    let mut book = book();
    let meeting: MeetingInput = serde_json::from_value(json!({
        "village": "东岭村", "held_at": (china_now() - TimeDelta::hours(1)).to_rfc3339(),
        "place": "村委会", "host": "陈志明", "recorder": "梁少玲", "expected": 9, "present": 7,
        "items": [{"title": "分红", "votes": {"for": 6},
                   "rights_review": {"infringes": true, "correction": "补列出嫁女"}}]
    }))
    .unwrap();
    let id = book.add_meeting(meeting).unwrap().id.to_string();
    let html = render_minutes(&book, &id).unwrap();
    assert!(html.contains("<h1>东岭村民主议事会会议记录</h1>"));
    assert!(html.contains("未通过（决议已纠正，纠正后的决议尚未重新表决）"));
    assert!(html.contains("<th>重新表决</th><td>未重新表决</td>"));
    assert!(html.contains("截至打印时未登记异议"));
}

#[test]
fn an_empty_register_says_so() {
    let book = book();
    let html = render_register(&book, DayRange::parse("2020-01").unwrap()).unwrap();
    assert!(html.contains("本期间没有接待登记"));
    assert!(html.contains("2020年1月1日至2020年1月31日"));
}

/// A suggestion's form prints what was typed as text, and of its source receptions the
/// matter, never the visitor's name, phone or ID number; a suggestion not handed in yet leaves
/// its life as lines and boxes to fill in.
#[test]
fn a_suggestion_form_prints_text_as_text_and_no_visitor() {
    let mut book = book();
    let case_no = book
        .add_reception(liaison_testkit::reception("陈建国", "村口路灯坏了"))
        .unwrap()
        .case_no;
    let input: casebook::domain::SuggestionInput = serde_json::from_value(json!({
        "title": ATTACK, "category": "社会及公共事务", "reasons": ATTACK,
        "proposals": "维修路灯", "cases": [case_no], "lead": "陈建国",
    }))
    .unwrap();
    let number = book.add_suggestion(input).unwrap().number;
    let html = casebook_docs::render_suggestion(&book, &number).unwrap();
    assert!(!html.contains("<script"));
    assert!(html.contains("村口路灯坏了"));
    assert!(!html.contains("梁秀英") && !html.contains("13800138000"));
    assert!(
        html.contains("□满意　□基本满意　□不满意"),
        "the enquiry to fill in"
    );
    assert!(html.contains("无附议代表"));
}
