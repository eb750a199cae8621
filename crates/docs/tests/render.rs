//! The printed documents, checked on what a reader of the page would see.
#![allow(clippy::unwrap_used)]

use casebook::Book;
use casebook::store::BookKind;
use casebook_docs::{SlipOptions, render_correction, render_slip};

fn book_with_case(matter: &str) -> (Book, String) {
    let mut book = Book::create_in_memory("BX", "东岭村人大代表联络站", BookKind::Station).unwrap();
    book.import_roster(&liaison_testkit::roster()).unwrap();
    let mut input = liaison_testkit::reception("陈建国", matter);
    input.visitors[0].phone = Some("13812345678".into());
    input.visitors[0].id_number = Some("11010519491231002X".into());
    let added = book.add_reception(input).unwrap();
    (book, added.case_no)
}

#[test]
fn the_receipt_masks_what_the_stub_shows_in_full() {
    let (book, case_no) = book_with_case("灌溉水渠堵塞");
    let html = render_slip(&book, &case_no, &SlipOptions::default()).unwrap();
    let (stub, receipt) = html.split_once("class=\"cut\"").unwrap();
    assert!(stub.contains("11010519491231002X") && stub.contains("13812345678"));
    assert!(receipt.contains("1101**********002X") && receipt.contains("138****5678"));
    assert!(!receipt.contains("11010519491231002X") && !receipt.contains("13812345678"));
    assert_eq!(
        html.matches(&case_no).count(),
        2 + 1,
        "both parts and the title"
    );
    assert!(html.contains("<svg"));
}

#[test]
fn text_from_the_book_is_escaped() {
    let (book, case_no) = book_with_case("<img src=x onerror=alert(1)>");
    let html = render_slip(&book, &case_no, &SlipOptions::default()).unwrap();
    assert!(!html.contains("<img"));
    assert!(html.contains("&#60;img src=x onerror=alert(1)&#62;") || html.contains("&lt;img"));
}

#[test]
fn the_phone_override_wins_over_the_roster() {
    let (book, case_no) = book_with_case("路灯不亮");
    let options = SlipOptions {
        station_phone: Some("0571-88886666".into()),
    };
    let html = render_slip(&book, &case_no, &options).unwrap();
    assert!(html.contains("0571-88886666"));
}

#[test]
fn an_unknown_case_is_not_found() {
    let (book, _) = book_with_case("路灯不亮");
    let err = render_slip(&book, "BX-2026-9999", &SlipOptions::default()).unwrap_err();
    assert_eq!(err.kind(), casebook::ErrorKind::NotFound);
}

/// The 编号更正通知 of a reception renumbered after a restore: both numbers on both parts, the
/// visitor named, no phone or ID number anywhere; a case never renumbered has none.
#[test]
fn a_correction_notice_gives_the_new_number_for_the_old() {
    let dir = tempfile::tempdir().unwrap();
    let (book, number, former) = liaison_testkit::restored_with_a_renumbered_case(dir.path());
    let html = render_correction(&book, &number, &SlipOptions::default()).unwrap();
    let (stub, notice) = html.split_once("class=\"cut\"").unwrap();
    for part in [stub, notice] {
        assert!(part.contains(&number) && part.contains(&former), "{part}");
    }
    assert!(notice.contains("周丽华：") && notice.contains("<svg"));
    assert!(!html.contains("13800138000") && !html.contains("138****8000"));
    assert!(!html.contains("垃圾清运"), "the matter stays in the book");

    let err = render_correction(&book, &former, &SlipOptions::default()).unwrap_err();
    assert_eq!(err.kind(), casebook::ErrorKind::Invalid, "{err}");
}

/// A 督办单 asks for the answer by the latest new deadline any chase gave, as the case itself
/// owes it, even when the latest chase gave none; the visitor is not named.
#[test]
fn a_chase_slip_owes_the_answer_by_the_latest_new_deadline() {
    use casebook::domain::{CaseEventInput, CaseEventKind};
    use casebook::time::china_now;
    use casebook_docs::{ReferralDocument, render_referral};
    use chrono::TimeDelta;

    let (mut book, case_no) = book_with_case("水渠堵塞");
    let today = china_now().date_naive();
    let mut event = |minutes_ago: i64, kind: CaseEventKind| {
        book.add_case_event(
            &case_no,
            CaseEventInput {
                at: Some(china_now() - TimeDelta::minutes(minutes_ago)),
                deputy: None,
                note: None,
                kind,
            },
        )
        .unwrap();
    };
    event(
        30,
        CaseEventKind::Referred {
            to: "镇农业农村办".into(),
            deadline: today + TimeDelta::days(5),
        },
    );
    let chase = |deadline| CaseEventKind::Chased {
        unit: None,
        by: None,
        deadline,
    };
    event(20, chase(Some(today + TimeDelta::days(9))));
    event(10, chase(None));
    let html = render_referral(
        &book,
        &case_no,
        ReferralDocument::Chase,
        &SlipOptions::default(),
    )
    .unwrap();
    let owed = (today + TimeDelta::days(9))
        .format("%Y年%-m月%-d日")
        .to_string();
    assert!(html.contains(&format!("<strong>{owed}</strong>")), "{html}");
    assert!(html.contains("第2次督办") && html.contains("镇农业农村办"));
    assert!(!html.contains("13812345678") && !html.contains("梁秀英"));
    assert_eq!(book.case(&case_no).unwrap().due, today + TimeDelta::days(9));
}
