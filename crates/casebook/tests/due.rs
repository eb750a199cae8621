//! `Book::due` (`casebook due`, the 待办 panel) against a book with each kind of deadline on
//! both sides of its boundary. Every date is counted from the station's day with the clock
//! pinned at noon, so no test date crosses the station's midnight.
#![allow(clippy::unwrap_used)]

use casebook::Book;
use casebook::domain::{
    CaseEventInput, CaseEventKind, MediationEventInput, MediationEventKind, MediationInput,
    MediationResult, MeetingEventInput, MeetingInput, Performance,
};
use casebook::store::BookKind;
use casebook::store::due::{DueItem, DueKind};
use casebook::time::{china_now, stored};
use chrono::{DateTime, FixedOffset, NaiveDate, TimeDelta};
use serde_json::json;

/// Now, on the station clock pinned at noon of its day.
fn now() -> DateTime<FixedOffset> {
    casebook::time::test_clock::pin_to_noon();
    china_now()
}

fn days_ago(days: i64) -> DateTime<FixedOffset> {
    now() - TimeDelta::days(days)
}

fn today() -> NaiveDate {
    now().date_naive()
}

/// A reception `days` ago, its answer promised `reply_in` days after it came.
fn case(book: &mut Book, days: i64, reply_in: i64, matter: &str) -> String {
    let mut input = liaison_testkit::reception("陈建国", matter);
    input.received_at = days_ago(days);
    input.reply_due = Some(days_ago(days).date_naive() + TimeDelta::days(reply_in));
    book.add_reception(input).unwrap().case_no
}

fn event(book: &mut Book, case_no: &str, days: i64, kind: CaseEventKind) {
    book.add_case_event(
        case_no,
        CaseEventInput {
            at: Some(days_ago(days)),
            deputy: None,
            note: None,
            kind,
        },
    )
    .unwrap();
}

fn reply() -> CaseEventKind {
    CaseEventKind::ReplyReceived {
        from: Some("镇农业农村办".into()),
        content: "已安排维修".into(),
    }
}

/// A mediation accepted `days` ago; its number.
fn mediation(book: &mut Book, days: i64) -> String {
    let input: MediationInput = serde_json::from_value(json!({
        "source": "application",
        "dispute_type": "邻里",
        "accepted_at": stored(days_ago(days)),
        "summary": "邻里纠纷",
        "parties": [
            {"role": "applicant", "name": "张三"},
            {"role": "respondent", "name": "李四"}
        ],
        "mediators": [{"name": "王调解"}],
        "consent": true, "agreed_to_mediation": true
    }))
    .unwrap();
    book.add_mediation(input).unwrap().number
}

fn mediation_event(book: &mut Book, number: &str, days: i64, kind: MediationEventKind) {
    book.add_mediation_event(
        number,
        MediationEventInput {
            at: Some(days_ago(days)),
            deputy: None,
            note: None,
            kind,
        },
    )
    .unwrap();
}

/// An agreement `days` ago, to be performed by `deadline`.
fn agreement(deadline: NaiveDate) -> MediationEventKind {
    MediationEventKind::Agreement {
        facts: "事实".into(),
        responsibilities: "责任".into(),
        terms: "赔偿500元".into(),
        performance_method: "转账".into(),
        performance_deadline: deadline,
        performance_place: "村委会".into(),
        amount_yuan: Some(500),
        copies: None,
    }
}

/// A meeting yesterday whose notice runs to `to`; its id.
fn meeting(book: &mut Book, to: NaiveDate) -> String {
    let input: MeetingInput = serde_json::from_value(json!({
        "village": "东岭村",
        "held_at": stored(days_ago(1)),
        "place": "村委会议室",
        "host": "主持人",
        "recorder": "记录人",
        "deputies": ["陈建国"],
        "expected": 30,
        "present": 20,
        "items": [{"title": "修路方案", "votes": {"for": 15, "against": 2, "abstain": 3}}],
        "published_from": (today() - TimeDelta::days(1)).to_string(),
        "published_to": to.to_string()
    }))
    .unwrap();
    book.add_meeting(input).unwrap().id.to_string()
}

/// A meeting yesterday without a notice on its record, whose notice, recorded afterwards by a
/// `published` event, runs to `to`; its id.
fn meeting_published_later(book: &mut Book, to: NaiveDate) -> String {
    let input: MeetingInput = serde_json::from_value(json!({
        "kind": "representatives",
        "village": "东岭村",
        "held_at": stored(days_ago(1)),
        "place": "村委会议室",
        "host": "主持人",
        "recorder": "记录人",
        "expected": 30,
        "present": 20,
        "items": [{"title": "鱼塘发包方案", "votes": {"for": 15, "against": 2, "abstain": 3}}]
    }))
    .unwrap();
    let id = book.add_meeting(input).unwrap().id.to_string();
    let published: MeetingEventInput = serde_json::from_value(json!({
        "kind": "published", "from": today().to_string(), "to": to.to_string(), "place": "村务公开栏"
    }))
    .unwrap();
    book.add_meeting_event(&id, published).unwrap();
    id
}

fn listed(due: &[DueItem], kind: DueKind, record: &str) -> Option<i64> {
    due.iter()
        .find(|item| item.kind == kind && item.record == record)
        .map(|item| item.days_left)
}

#[test]
fn each_deadline_is_listed_up_to_its_day_and_not_after() {
    let mut book = Book::create_in_memory("BX", "东岭村联络站", BookKind::Station).unwrap();
    book.import_roster(&liaison_testkit::roster()).unwrap();
    let within = 7;

    // Answers: late, due on the horizon's last day, due the day after it.
    let late = case(&mut book, 20, 15, "答复已逾期");
    let last_day = case(&mut book, 8, 15, "第七天到期");
    let after = case(&mut book, 7, 15, "第八天到期");
    // Feedback is owed 15 days after the reply, the follow-up visit 15 days after the feedback.
    let to_feed_back = case(&mut book, 30, 15, "待反馈");
    event(&mut book, &to_feed_back, 8, reply());
    let feed_back_later = case(&mut book, 30, 15, "反馈尚早");
    event(&mut book, &feed_back_later, 7, reply());
    let to_follow_up = case(&mut book, 40, 15, "待回访");
    event(&mut book, &to_follow_up, 30, reply());
    event(&mut book, &to_follow_up, 15, CaseEventKind::FedBack);

    // Mediation terms: accepted a calendar month ago (its month is up today, or a day or two
    // ago at a month's end: 12-31 less a month is 11-30, whose month ends 12-30), and twelve
    // days later (its month ends after the week).
    let month_ago = today().checked_sub_months(chrono::Months::new(1)).unwrap();
    let month_up = mediation(&mut book, (today() - month_ago).num_days());
    let month_up_left = (month_ago
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        - today())
    .num_days();
    let month_later = mediation(&mut book, (today() - month_ago).num_days() - 12);
    // Judicial confirmation: closes in 7 days (listed), in 8 (not yet), closed yesterday (gone),
    // applied for (gone).
    let closes_in_7 = mediation(&mut book, 23);
    mediation_event(
        &mut book,
        &closes_in_7,
        23,
        agreement(today() + TimeDelta::days(60)),
    );
    let closes_in_8 = mediation(&mut book, 22);
    mediation_event(
        &mut book,
        &closes_in_8,
        22,
        agreement(today() + TimeDelta::days(60)),
    );
    let closed = mediation(&mut book, 31);
    mediation_event(
        &mut book,
        &closed,
        31,
        agreement(today() + TimeDelta::days(60)),
    );
    let applied = mediation(&mut book, 25);
    mediation_event(
        &mut book,
        &applied,
        25,
        agreement(today() + TimeDelta::days(60)),
    );
    mediation_event(
        &mut book,
        &applied,
        1,
        serde_json::from_value(json!({
            "kind": "judicial_confirmation", "applied_on": (today() - TimeDelta::days(1)).to_string(),
            "court": "清溪镇人民法庭", "result": "pending"
        }))
        .unwrap(),
    );
    // Performance: deadline passed and not performed (listed, late), performed (gone).
    let unpaid = mediation(&mut book, 45);
    mediation_event(
        &mut book,
        &unpaid,
        44,
        agreement(today() - TimeDelta::days(2)),
    );
    let paid = mediation(&mut book, 45);
    mediation_event(
        &mut book,
        &paid,
        44,
        agreement(today() - TimeDelta::days(2)),
    );
    mediation_event(
        &mut book,
        &paid,
        44,
        MediationEventKind::Result {
            result: MediationResult::SucceededWritten,
            routes: None,
            oral_terms: None,
        },
    );
    mediation_event(
        &mut book,
        &paid,
        3,
        MediationEventKind::Performance {
            performance: Performance::Full,
        },
    );
    // Public notices: ending within the week, ended yesterday.
    let notice = meeting(&mut book, today() + TimeDelta::days(3));
    let ended = meeting(&mut book, today() - TimeDelta::days(1));
    let published_later = meeting_published_later(&mut book, today() + TimeDelta::days(5));

    let due = book.due(today(), within).unwrap();
    assert_eq!(
        listed(&due, DueKind::MediationTerm, &month_up),
        Some(month_up_left)
    );
    assert!(month_up_left <= 0);
    assert_eq!(listed(&due, DueKind::MediationTerm, &month_later), None);
    assert_eq!(
        listed(&due, DueKind::MediationTerm, &paid),
        None,
        "it has its result"
    );
    assert_eq!(listed(&due, DueKind::Reply, &late), Some(-5));
    assert_eq!(listed(&due, DueKind::Reply, &last_day), Some(7));
    assert_eq!(listed(&due, DueKind::Reply, &after), None);
    assert_eq!(listed(&due, DueKind::Feedback, &to_feed_back), Some(7));
    assert_eq!(listed(&due, DueKind::Feedback, &feed_back_later), None);
    assert_eq!(listed(&due, DueKind::FollowUp, &to_follow_up), Some(0));
    assert_eq!(
        listed(&due, DueKind::JudicialConfirmation, &closes_in_7),
        Some(7)
    );
    assert_eq!(
        listed(&due, DueKind::JudicialConfirmation, &closes_in_8),
        None
    );
    assert_eq!(listed(&due, DueKind::JudicialConfirmation, &closed), None);
    assert_eq!(listed(&due, DueKind::JudicialConfirmation, &applied), None);
    assert_eq!(listed(&due, DueKind::Performance, &unpaid), Some(-2));
    assert_eq!(listed(&due, DueKind::Performance, &paid), None);
    assert_eq!(listed(&due, DueKind::Publication, &notice), Some(3));
    assert_eq!(listed(&due, DueKind::Publication, &ended), None);
    assert_eq!(
        listed(&due, DueKind::Publication, &published_later),
        Some(5)
    );
    // A mediation accepted 45 days ago with no result is past its month.
    assert!(listed(&due, DueKind::MediationTerm, &unpaid).is_some_and(|days| days < 0));
    assert!(
        due.windows(2).all(|w| w[0].date <= w[1].date),
        "soonest first"
    );
}

/// A mediation's month counts from the day it was accepted: listed from the day the horizon
/// reaches it.
#[test]
fn a_mediation_month_is_listed_once_the_horizon_reaches_it() {
    let mut book = Book::create_in_memory("BX", "东岭村联络站", BookKind::Station).unwrap();
    book.import_roster(&liaison_testkit::roster()).unwrap();
    let number = mediation(&mut book, 0);
    let term = today().checked_add_months(chrono::Months::new(1)).unwrap();
    let days = (term - today()).num_days();
    let short = u32::try_from(days - 1).unwrap();
    assert_eq!(
        listed(
            &book.due(today(), short).unwrap(),
            DueKind::MediationTerm,
            &number
        ),
        None
    );
    assert_eq!(
        listed(
            &book.due(today(), short + 1).unwrap(),
            DueKind::MediationTerm,
            &number
        ),
        Some(days)
    );
}

/// Any horizon is an answer, however far: no overflow past the calendar's end.
#[test]
fn a_horizon_past_the_calendar_lists_everything() {
    let mut book = Book::create_in_memory("BX", "东岭村联络站", BookKind::Station).unwrap();
    book.import_roster(&liaison_testkit::roster()).unwrap();
    let case_no = case(&mut book, 1, 15, "路灯不亮");
    let all = book.due(today(), u32::MAX).unwrap();
    assert_eq!(listed(&all, DueKind::Reply, &case_no), Some(14));
}

/// A chase's new deadline is checked like a referral's: not before the chase, and not years
/// away, each refusal naming the field.
#[test]
fn a_chases_new_deadline_is_bounded() {
    let mut book = Book::create_in_memory("BX", "东岭村联络站", BookKind::Station).unwrap();
    book.import_roster(&liaison_testkit::roster()).unwrap();
    let case_no = case(&mut book, 3, 15, "水渠堵塞");
    event(
        &mut book,
        &case_no,
        2,
        CaseEventKind::Referred {
            to: "镇农业农村办".into(),
            deadline: today() + TimeDelta::days(5),
        },
    );
    let chase = |deadline: NaiveDate| CaseEventInput {
        at: Some(days_ago(1)),
        deputy: None,
        note: None,
        kind: CaseEventKind::Chased {
            unit: None,
            by: Some("陈建国".into()),
            deadline: Some(deadline),
        },
    };
    let early = book
        .add_case_event(&case_no, chase(today() - TimeDelta::days(2)))
        .unwrap_err();
    assert_eq!(early.field(), Some("deadline"), "{early}");
    let far = book
        .add_case_event(&case_no, chase(today() + TimeDelta::days(4 * 366)))
        .unwrap_err();
    assert_eq!(far.kind(), casebook::ErrorKind::FutureDate, "{far}");
    assert_eq!(far.field(), Some("deadline"));
}

/// A suggestion's answer is owed by its assignment's deadline (three months after it when none
/// was given), listed once the horizon reaches it, and no more once an answer came.
#[test]
fn a_suggestions_answer_is_owed_by_its_assignments_deadline() {
    let mut book = Book::create_in_memory("BX", "东岭村联络站", BookKind::Station).unwrap();
    book.import_roster(&liaison_testkit::roster()).unwrap();
    let suggest = |book: &mut Book, case_no: &str, days: i64| -> String {
        let input: casebook::domain::SuggestionInput = serde_json::from_value(json!({
            "title": "关于维修路灯的建议", "category": "社会及公共事务", "reasons": "路灯不亮",
            "proposals": "维修", "cases": [case_no], "lead": "陈建国",
            "drafted_at": stored(days_ago(days)),
        }))
        .unwrap();
        book.add_suggestion(input).unwrap().number
    };
    let step = |book: &mut Book, number: &str, days: i64, event: serde_json::Value| {
        let mut event = event;
        event["at"] = json!(stored(days_ago(days)));
        book.add_suggestion_event(number, serde_json::from_value(event).unwrap())
            .unwrap();
    };
    let source = case(&mut book, 120, 15, "路灯不亮");
    // Assigned three months less three days ago: owed in three days (or so, by the calendar).
    let soon = suggest(&mut book, &source, 100);
    step(&mut book, &soon, 99, json!({"kind": "submitted"}));
    let assigned = today().checked_sub_months(chrono::Months::new(3)).unwrap() + TimeDelta::days(3);
    step(
        &mut book,
        &soon,
        (today() - assigned).num_days(),
        json!({"kind": "assigned", "unit": "镇农业农村办"}),
    );
    // Given a deadline twenty days ahead: not within the week.
    let later = suggest(&mut book, &source, 10);
    step(&mut book, &later, 9, json!({"kind": "submitted"}));
    step(
        &mut book,
        &later,
        8,
        json!({"kind": "assigned", "unit": "镇交通办", "deadline": (today() + TimeDelta::days(20)).to_string()}),
    );
    // Answered: owes nothing.
    let answered = suggest(&mut book, &source, 10);
    step(&mut book, &answered, 9, json!({"kind": "submitted"}));
    step(
        &mut book,
        &answered,
        8,
        json!({"kind": "assigned", "unit": "镇交通办"}),
    );
    step(
        &mut book,
        &answered,
        1,
        json!({"kind": "answered", "answer": "已修复", "class": "A"}),
    );

    let due = book.due(today(), 7).unwrap();
    let deadline = assigned.checked_add_months(chrono::Months::new(3)).unwrap();
    assert_eq!(
        listed(&due, DueKind::SuggestionAnswer, &soon),
        Some((deadline - today()).num_days())
    );
    assert_eq!(listed(&due, DueKind::SuggestionAnswer, &later), None);
    assert_eq!(listed(&due, DueKind::SuggestionAnswer, &answered), None);
    let all = book.due(today(), 30).unwrap();
    assert_eq!(listed(&all, DueKind::SuggestionAnswer, &later), Some(20));
}
