//! Bounded, clean input from the attacker's side: what a deputy types, what a peer's bundle
//! carries after its sender edited its own book, and what a confidential visit leaves at the
//! station. Every limit is enforced at entry and again on import.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use casebook::bundle::format::{self, Seal};
use casebook::domain::{ReceptionInput, Visitor, WITHHELD_IDENTITY};
use casebook::store::read::CaseFilter;
use casebook::time::{china_now, stored};
use casebook::{Book, ErrorKind};
use casebook_docs::{DayRange, Document, Report, ReportKind, SlipOptions, render_document};
use chrono::{DateTime, TimeDelta};
use ed25519_dalek::SigningKey;
use liaison_testkit::{reception, roster, town_and_station};

/// Cases whose text holds `query` (every case when `None`).
fn cases(book: &Book, query: Option<&str>) -> Vec<String> {
    let filter = CaseFilter {
        query: query.map(str::to_owned),
        limit: 100,
        ..CaseFilter::default()
    };
    book.list_cases(&filter)
        .unwrap()
        .into_iter()
        .map(|c| c.case_no)
        .collect()
}

/// A station book with the fixture roster, on its own.
fn station() -> Book {
    let mut book =
        Book::create_in_memory("BX", "东岭村联络站", casebook::store::BookKind::Station).unwrap();
    book.import_roster(&roster()).unwrap();
    book
}

fn refused(book: &mut Book, input: ReceptionInput) -> casebook::Error {
    let before = cases(book, None);
    let err = book.add_reception(input).unwrap_err();
    assert_eq!(cases(book, None), before, "nothing is written");
    err
}

#[test]
fn a_40000_character_matter_is_refused_at_entry_naming_the_field() {
    let mut book = station();
    let err = refused(&mut book, reception("陈建国", &"路".repeat(40_000)));
    assert_eq!(err.kind(), ErrorKind::Invalid);
    let message = err.to_string();
    assert!(
        message.contains("事由") && message.contains("5000"),
        "{message}"
    );
    assert!(
        message.chars().count() < 100,
        "the message does not echo the text"
    );
    // At the limit it is kept.
    book.add_reception(reception("陈建国", &"路".repeat(5_000)))
        .unwrap();
}

#[test]
fn a_reception_dated_year_0026_is_refused_at_entry() {
    let mut book = station();
    let mut input = reception("陈建国", "路灯坏了");
    input.received_at = DateTime::parse_from_rfc3339("0026-11-28T09:00:00+08:00").unwrap();
    let err = refused(&mut book, input);
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert!(err.to_string().contains("2000年1月1日"), "{err}");
}

#[test]
fn a_reply_due_in_9999_is_refused_at_entry() {
    let mut book = station();
    let mut input = reception("陈建国", "路灯坏了");
    input.reply_due = chrono::NaiveDate::from_ymd_opt(9999, 12, 31);
    let err = refused(&mut book, input);
    assert_eq!(err.kind(), ErrorKind::FutureDate);
    assert!(err.to_string().contains("3年内"), "{err}");
}

#[test]
fn control_characters_are_refused_and_newlines_only_in_long_text() {
    let mut book = station();
    let with_name = |name: &str| {
        let mut input = reception("陈建国", "路灯坏了");
        input.visitors[0].name = Some(name.to_owned());
        input
    };
    for name in [
        "梁\u{1b}[2J秀英",
        "梁\0秀英",
        "梁\u{7f}秀英",
        "梁\u{9b}秀英",
        "梁\n秀英",
        "\u{202e}英秀梁",
    ] {
        let err = refused(&mut book, with_name(name));
        assert_eq!(err.kind(), ErrorKind::Invalid, "{name:?}");
        assert!(err.to_string().contains("第1位来访人姓名"), "{err}");
        assert!(!err.to_string().contains('\u{1b}'), "{err}");
    }
    let err = refused(
        &mut book,
        reception("陈建国", "路灯\u{1b}]0;pwned\u{7}坏了"),
    );
    assert!(err.to_string().contains("事由"), "{err}");
    let kept = book
        .add_reception(reception("陈建国", "第一行\r\n第二行\t（附表）"))
        .unwrap();
    let case = book.case(&kept.case_no).unwrap();
    assert_eq!(case.reception.matter, "第一行\n第二行\t（附表）");
}

#[test]
fn a_refused_phone_is_masked_in_the_message() {
    let mut book = station();
    let mut input = reception("陈建国", "路灯坏了");
    input.visitors[0].phone = Some("12812345678".into());
    let err = refused(&mut book, input);
    assert_eq!(err.kind(), ErrorKind::InvalidPhone);
    assert!(err.to_string().contains("128****5678"), "{err}");
    assert!(!err.to_string().contains("12812345678"), "{err}");
}

/// Edits the station's own log before export, as a compromised station would: `json_set`
/// `path` of its first reception to the SQL expression `value`.
fn tamper(db: &Path, path: &str, value: &str) {
    let conn = rusqlite::Connection::open(db).unwrap();
    let changed = conn
        .execute(
            &format!(
                "UPDATE change_log SET data = json_set(data, '{path}', {value})
                 WHERE op = 'reception_create'"
            ),
            [],
        )
        .unwrap();
    assert_eq!(changed, 1);
}

/// A station that records one reception, edits it in its log with `path` = `value`, and sends
/// it: what the town answers.
fn town_receives_tampered(
    path: &str,
    value: &str,
) -> (Book, casebook::Result<casebook::bundle::Imported>) {
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = town_and_station(dir.path());
    station
        .add_reception(reception("陈建国", "路灯坏了"))
        .unwrap();
    tamper(&dir.path().join("bx.db"), path, value);
    let sealed = station.seal_bundle("QX").unwrap().unwrap();
    let result = town.import_bundle(&sealed.bytes);
    (town, result)
}

fn assert_refused_bundle(
    town: &Book,
    result: casebook::Result<casebook::bundle::Imported>,
    field: &str,
) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
    let message = err.to_string();
    assert!(message.contains("BX的第1号变更"), "{message}");
    assert!(
        message.contains("接待登记 BX-"),
        "names the record: {message}"
    );
    assert!(message.contains(field), "names the field: {message}");
    assert!(message.chars().count() < 200, "{message}");
    assert!(
        cases(town, None).is_empty(),
        "nothing of the bundle is kept"
    );
}

#[test]
fn a_40000_character_matter_in_a_bundle_is_refused() {
    let (town, result) = town_receives_tampered("$.matter", "printf('%.*c', 40000, 'x')");
    assert_refused_bundle(&town, result, "事由不能超过5000字（现为40000字）");
}

#[test]
fn a_reception_dated_0026_in_a_bundle_is_refused() {
    let (town, result) = town_receives_tampered("$.received_at", "'0026-11-28T09:00:00+08:00'");
    assert_refused_bundle(&town, result, "接待时间");
}

#[test]
fn a_reply_due_9999_in_a_bundle_is_refused() {
    let (town, result) = town_receives_tampered("$.reply_due", "'9999-12-31'");
    assert_refused_bundle(&town, result, "承诺答复日期");
}

#[test]
fn an_escape_sequence_in_a_bundle_is_refused() {
    let (town, result) =
        town_receives_tampered("$.visitors[0].name", "'梁' || char(27) || '[2J秀英'");
    assert_refused_bundle(&town, result, "第1位来访人姓名");
    let (town, result) = town_receives_tampered("$.visitors[0].phone", "'1281234567'");
    let err = result.unwrap_err();
    assert!(err.to_string().contains("128***4567"), "{err}");
    assert!(!err.to_string().contains("1281234567"), "{err}");
    drop(town);
}

#[test]
fn a_sender_clock_days_ahead_still_syncs() {
    let ahead = china_now() + TimeDelta::days(5);
    let (town, result) = town_receives_tampered("$.received_at", &format!("'{}'", stored(ahead)));
    assert_eq!(result.unwrap().applied, 1);
    assert_eq!(cases(&town, None).len(), 1);
}

#[test]
fn a_hostile_origin_code_in_a_header_is_refused_before_anything_is_logged() {
    let dir = tempfile::tempdir().unwrap();
    let (mut town, _station) = town_and_station(dir.path());
    let seal_key =
        casebook::bundle::keys::decode_key("k", &town.public_keys().seal_public).unwrap();
    let hostile = format!("BX\u{1b}[2J{}", "A".repeat(1000));
    let seal = Seal {
        schema_version: casebook::store::LOG_VERSION,
        origin: &hostile,
        recipient: "QX",
        recipient_seal: &x25519_dalek::PublicKey::from(seal_key),
        seq_range: (1, 0),
        prev_hash: None,
        created_at: stored(china_now()),
        returned: 0,
        relayed: 0,
        version: format::FORMAT_VERSION,
    };
    let signer = SigningKey::from_bytes(&[9; 32]);
    let bytes =
        format::write_json(&seal, br#"{"changes":[],"receipts":[]}"#, (0, 0), &signer).unwrap();
    for err in [
        format::parse(&bytes).unwrap_err(),
        town.import_bundle(&bytes).unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::BadBundle);
        assert!(!err.to_string().contains('\u{1b}'), "{err}");
        assert!(err.to_string().contains("站点代码不合规"), "{err}");
    }
}

fn confidential_visit() -> ReceptionInput {
    let mut input = reception("陈建国", "宅基地界址纠纷");
    input.confidential = true;
    input.visitors = vec![Visitor {
        name: Some("梁秀英".into()),
        sex: None,
        age: Some(61),
        phone: Some("13655551234".into()),
        id_number: Some("11010519491231002X".into()),
        address: Some("东岭村第三村民小组".into()),
        representative: false,
    }];
    input
}

/// Every byte of a book on disk (the database and its write-ahead log).
fn book_bytes(db: &Path) -> Vec<u8> {
    let mut bytes = std::fs::read(db).unwrap();
    if let Ok(wal) = std::fs::read(db.with_extension("db-wal")) {
        bytes.extend(wal);
    }
    bytes
}

fn holds(haystack: &[u8], needle: &str) -> bool {
    haystack
        .windows(needle.len())
        .any(|window| window == needle.as_bytes())
}

#[test]
fn a_confidential_visitor_never_reaches_the_town() {
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = town_and_station(dir.path());
    let case_no = station.add_reception(confidential_visit()).unwrap().case_no;

    // Sealed twice (a resend of the same seq): the town takes the second as a duplicate, not
    // as the same seq with other content.
    let first = station.seal_bundle("QX").unwrap().unwrap();
    let again = station.seal_bundle("QX").unwrap().unwrap();
    assert_eq!(town.import_bundle(&first.bytes).unwrap().applied, 1);
    let resent = town.import_bundle(&again.bytes).unwrap();
    assert_eq!((resent.applied, resent.duplicates), (0, 1));

    let held = town.case(&case_no).unwrap();
    assert_eq!(held.reception.visitors.len(), 1);
    let visitor = &held.reception.visitors[0];
    assert_eq!(visitor.name.as_deref(), Some(WITHHELD_IDENTITY));
    assert_eq!(
        (&visitor.phone, &visitor.id_number, &visitor.address),
        (&None, &None, &None)
    );
    assert_eq!(
        visitor.age,
        Some(61),
        "statistics keep what is not identity"
    );
    assert!(cases(&town, Some("梁秀英")).is_empty());
    assert_eq!(
        cases(&town, Some("宅基地")),
        vec![case_no.clone()],
        "the case is there"
    );
    assert_eq!(cases(&station, Some("梁秀英")), vec![case_no.clone()]);
    let stats = town.stats(Some("BX"), None, None).unwrap();
    assert_eq!(
        (stats.receptions, stats.people),
        (1, 1),
        "the visit still counts"
    );
    drop(town);
    let town_file = book_bytes(&dir.path().join("town.db"));
    for identity in [
        "梁秀英",
        "13655551234",
        "11010519491231002X",
        "东岭村第三村民小组",
    ] {
        assert!(
            !holds(&town_file, identity),
            "the town's book holds {identity}"
        );
    }

    // The station keeps the visitor in full, and only its stub shows them.
    assert_eq!(
        station.case(&case_no).unwrap().reception.visitors[0]
            .name
            .as_deref(),
        Some("梁秀英")
    );
    let slip =
        render_document(&station, Document::Slip, &case_no, &SlipOptions::default()).unwrap();
    let (stub, receipt) = slip.split_once("class=\"part receipt\"").unwrap();
    assert!(stub.contains("梁秀英"));
    assert!(!receipt.contains("梁秀英") && receipt.contains(WITHHELD_IDENTITY));
    assert!(!receipt.contains("1365"), "no phone on the receipt");
    let day = station
        .case(&case_no)
        .unwrap()
        .reception
        .received_at
        .date_naive();
    let register = render_document(
        &station,
        Document::Register,
        &day.to_string(),
        &SlipOptions::default(),
    )
    .unwrap();
    assert!(!register.contains("梁秀英") && register.contains(WITHHELD_IDENTITY));
    assert!(!register.contains("13655551234"));
}

/// A book holding a matter beyond Excel's cell limit (written before the limits, or edited by
/// hand) still gives its Excel report, the matter cut with a mark.
#[test]
fn a_40000_character_matter_already_in_a_book_does_not_stop_the_excel_report() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("bx.db");
    let mut book = Book::create(
        &db,
        "BX",
        "东岭村联络站",
        casebook::store::BookKind::Station,
    )
    .unwrap();
    book.import_roster(&roster()).unwrap();
    let case_no = book
        .add_reception(reception("陈建国", "路灯坏了"))
        .unwrap()
        .case_no;
    let day = book
        .case(&case_no)
        .unwrap()
        .reception
        .received_at
        .date_naive();
    drop(book);
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute(
            "UPDATE receptions SET body = json_set(body, '$.matter', printf('%.*c', 40000, 'x'))",
            [],
        )
        .unwrap();
    let book = Book::open(&db).unwrap();
    assert_eq!(book.case(&case_no).unwrap().reception.matter.len(), 40_000);
    let report = Report::gather(
        &book,
        ReportKind::Weekly,
        Some("BX"),
        DayRange::new(day, day).unwrap(),
    )
    .unwrap();
    let workbook = report.xlsx().unwrap();
    assert!(workbook.len() > 1000);
}
