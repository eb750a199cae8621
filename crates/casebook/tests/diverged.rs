//! A diverged log noticed at the next receipt: each receipt names, by its hash, the last entry
//! of the receiver's log it covers, and a book whose own entry there is another stops sending to
//! that peer. Written from the side of what goes wrong first: a station book copied back from
//! an old file (not through `restore`, so not held back from the start) that then recorded more
//! than the copy missed; a town book the same; a receipt altered on the way; then what must go
//! on as before (every ordinary sync, receipts of older versions, bundles of other versions).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use casebook::bundle::format::{self, FORMAT_VERSION, Payload, Receipt};
use casebook::domain::RosterFile;
use casebook::store::LOG_VERSION;
use casebook::{Book, ErrorKind};
use liaison_testkit::hostile::{seal_payload, signing_key};
use liaison_testkit::{reception, town_and_station};

/// Sends `from`'s bundle for `to` across, if it has one; what the import answered.
fn deliver(from: &mut Book, to: &mut Book, out: &Path) -> Option<casebook::Result<usize>> {
    let code = to.origin().code.clone();
    let path = from.export_bundle(&code, out).unwrap().path?;
    Some(
        to.import_bundle(&std::fs::read(path).unwrap())
            .map(|imported| imported.applied),
    )
}

/// Both ways until neither side has anything new; every import must succeed.
fn sync(station: &mut Book, town: &mut Book, out: &Path) {
    for _ in 0..4 {
        let up = deliver(station, town, out).map(Result::unwrap);
        let down = deliver(town, station, out).map(Result::unwrap);
        if up.is_none() && down.is_none() {
            return;
        }
    }
    panic!("the two books never settled");
}

fn record(book: &mut Book, count: usize, what: &str) {
    for n in 0..count {
        book.add_reception(reception("陈建国", &format!("{what}第{n}件：村道路灯不亮")))
            .unwrap();
    }
}

fn held_back(book: &Book, peer: &str) -> Option<String> {
    book.bundle_status()
        .unwrap()
        .into_iter()
        .find(|status| status.peer == peer)
        .unwrap()
        .held_back
}

fn acknowledged(book: &Book, peer: &str) -> i64 {
    book.bundle_status()
        .unwrap()
        .into_iter()
        .find(|status| status.peer == peer)
        .unwrap()
        .acknowledged_seq
}

/// A copy of `book`'s file at `name` beside it, opened as a book: a file copied back by hand,
/// not a restore (which would hold the book back from the start).
fn copy_of(book: &mut Book, dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    book.backup_to(&path).unwrap();
    path
}

/// `receipt` signed again by the book at `path` after `change`: what its issuer could have
/// written.
fn resigned(receipt: &Receipt, path: &Path, change: impl FnOnce(&mut Receipt)) -> Receipt {
    let mut receipt = receipt.clone();
    change(&mut receipt);
    receipt.sign(&signing_key(path))
}

/// The station's book is copied back from an old file, then records more receptions than the
/// copy missed: its numbers run past what the town holds, with other records under them. The
/// town's next receipt names its entry at the last seq it holds; the station's own entry there
/// is another, so it stops sending (its new records would be taken for the town's) and says,
/// by its range, that it agrees with the town only up to what the town had acknowledged when
/// the copy was made: the town's next bundle carries everything after that back.
#[rstest::rstest]
#[case::in_the_towns_bundle(false)]
#[case::in_the_hubs_answer(true)]
fn a_station_copied_from_an_old_file_that_recorded_more_is_held_back_where_both_agree(
    #[case] through_the_hub: bool,
) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 20, "复制前");
    sync(&mut station, &mut town, &out);
    let agreed = station.own_last_seq().unwrap();
    assert_eq!(acknowledged(&station, "QX"), agreed);
    let old_file = copy_of(&mut station, dir.path(), "旧文件.db");
    record(&mut station, 10, "复制后");
    sync(&mut station, &mut town, &out);
    let town_holds = station.own_last_seq().unwrap();
    let at_town = town.stats(Some("BX"), None, None).unwrap().receptions;

    // The PC's book is replaced by the old file, which says nothing of its age.
    drop(station);
    let mut station = Book::open(&old_file).unwrap();
    assert!(held_back(&station, "QX").is_none());
    record(&mut station, 15, "换回旧文件后");
    let head = station.own_last_seq().unwrap();
    assert!(head > town_holds);

    // Its bundle reuses the town's numbers with other records: the town refuses it whole.
    let err = deliver(&mut station, &mut town, &out).unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LogBehindPeer, "{err}");
    // The town's receipt, which acknowledges no more than the station holds.
    let receipt = town.receipt_for("BX").unwrap().unwrap();
    assert_eq!(receipt.acked_to, town_holds);
    assert_eq!(receipt.last_entry.as_ref().unwrap().seq, town_holds);
    if through_the_hub {
        station.take_receipt(&receipt).unwrap();
    } else {
        deliver(&mut town, &mut station, &out).unwrap().unwrap();
    }

    let why = held_back(&station, "QX").expect("held back");
    assert!(
        why.contains(&format!(
            "第{town_holds}条同步记录与本台账的第{town_holds}条不同"
        )),
        "{why}"
    );
    assert!(why.contains(&format!("第{agreed}条之后")), "{why}");
    let report = station.export_bundle("QX", &out).unwrap();
    assert_eq!(
        (report.changes, report.from_seq, report.to_seq),
        (0, agreed + 1, agreed),
        "no records, and the range says where both agree"
    );
    town.import_bundle(&std::fs::read(report.path.unwrap()).unwrap())
        .unwrap();
    // The town's answer carries back everything after that point.
    let back = town.seal_bundle("BX").unwrap().unwrap();
    let header = format::parse(&back.bytes).unwrap().header;
    assert_eq!(header.returned as i64, town_holds - agreed);

    // Nothing is lost on either side meanwhile.
    assert_eq!(
        station.stats(Some("BX"), None, None).unwrap().receptions as i64,
        head
    );
    assert_eq!(
        town.stats(Some("BX"), None, None).unwrap().receptions,
        at_town
    );
    // Further receipts keep it held back: none acknowledges only what both agree on.
    station
        .take_receipt(&town.receipt_for("BX").unwrap().unwrap())
        .unwrap();
    assert!(held_back(&station, "QX").is_some());
    assert_eq!(station.export_bundle("QX", &out).unwrap().changes, 0);

    // The town's copy comes back, the records typed since follow it under new numbers
    // (bundle/recover.rs) and reach the town: everything once on both sides.
    recovered_whole(&mut station, &mut town, &out, at_town + 15);
}

/// Syncs until settled and checks that both books hold the station's `receptions`, the same,
/// with nothing held back and no conflict.
fn recovered_whole(station: &mut Book, town: &mut Book, out: &Path, receptions: i64) {
    sync(station, town, out);
    assert!(held_back(station, "QX").is_none());
    let at_town = town.stats(Some("BX"), None, None).unwrap().receptions;
    assert_eq!(at_town, receptions);
    assert_eq!(
        station.stats(Some("BX"), None, None).unwrap().receptions,
        at_town
    );
    assert!(town.conflicts().unwrap().is_empty());
}

/// The same book recording fewer than the copy missed: the town's receipt acknowledges more
/// than it holds, so there is no entry of its own to compare, and the records typed since sit
/// under numbers the town holds for others. It is held back where both surely agree (what the
/// town had acknowledged when the copy was made), not at its head: the town sends back
/// everything after that, and what was typed since collides instead of passing unseen.
#[test]
fn a_station_copied_from_an_old_file_that_recorded_less_is_held_back_where_both_agree() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 20, "复制前");
    sync(&mut station, &mut town, &out);
    let agreed = station.own_last_seq().unwrap();
    let old_file = copy_of(&mut station, dir.path(), "旧文件.db");
    record(&mut station, 10, "复制后");
    sync(&mut station, &mut town, &out);
    let town_holds = station.own_last_seq().unwrap();

    drop(station);
    let mut station = Book::open(&old_file).unwrap();
    record(&mut station, 5, "换回旧文件后");
    assert!(station.own_last_seq().unwrap() < town_holds);
    let err = deliver(&mut station, &mut town, &out).unwrap().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LogBehindPeer, "{err}");
    deliver(&mut town, &mut station, &out).unwrap().unwrap();

    let why = held_back(&station, "QX").expect("held back");
    assert!(why.contains("比本机台账还多"), "{why}");
    let report = station.export_bundle("QX", &out).unwrap();
    assert_eq!(
        (report.changes, report.from_seq, report.to_seq),
        (0, agreed + 1, agreed)
    );
    town.import_bundle(&std::fs::read(report.path.unwrap()).unwrap())
        .unwrap();
    let back = town.seal_bundle("BX").unwrap().unwrap();
    assert_eq!(
        format::parse(&back.bytes).unwrap().header.returned as i64,
        town_holds - agreed,
        "the records typed since are among the numbers that come back"
    );
    assert_eq!(
        station.stats(Some("BX"), None, None).unwrap().receptions as i64,
        agreed + 5,
        "nothing typed is lost"
    );
    recovered_whole(&mut station, &mut town, &out, town_holds + 5);
}

/// The town's book is copied back from an old file and records more of its own (a roster
/// edit) under the numbers a station already holds other records of: the station's receipt
/// names its entry there, and the town stops sending to that station until the town office
/// recovers the book.
#[test]
fn a_town_copied_from_an_old_file_that_recorded_more_is_held_back_by_the_stations_receipt() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 3, "");
    sync(&mut station, &mut town, &out);
    let old_file = copy_of(&mut town, dir.path(), "镇旧文件.db");
    town.import_roster(&deputy("黄小梅")).unwrap();
    sync(&mut station, &mut town, &out);
    let station_holds = town.own_last_seq().unwrap();
    assert_eq!(
        station
            .receipt_for("QX")
            .unwrap()
            .unwrap()
            .last_entry
            .unwrap()
            .seq,
        station_holds,
        "the station holds the town's new deputy"
    );

    drop(town);
    let mut town = Book::open(&old_file).unwrap();
    town.import_roster(&deputy("周建华")).unwrap();
    assert_eq!(town.own_last_seq().unwrap(), station_holds);
    record(&mut station, 1, "之后");
    deliver(&mut station, &mut town, &out).unwrap().unwrap();

    let why = held_back(&town, "BX").expect("held back");
    assert!(why.contains("不同"), "{why}");
    let err = town.export_bundle("BX", &out).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LogBehindPeer, "{err}");
}

fn deputy(name: &str) -> RosterFile {
    serde_json::from_str(&format!(
        r#"{{"deputies": [{{"name": "{name}", "congress": "县", "grid": "B01", "station": "BX"}}]}}"#
    ))
    .unwrap()
}

/// A receipt altered on the way (its hash, or which entry it names) fails the issuer's
/// signature, in the hub's answer and in a bundle, and nothing of it is taken.
#[test]
fn a_receipt_whose_hash_was_altered_fails_the_signature() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 3, "");
    sync(&mut station, &mut town, &out);
    record(&mut station, 2, "未确认");
    deliver(&mut station, &mut town, &out).unwrap().unwrap();
    let acked_before = acknowledged(&station, "QX");
    let honest = town.receipt_for("BX").unwrap().unwrap();

    let mut other_hash = honest.clone();
    other_hash.last_entry.as_mut().unwrap().sha256 = "0".repeat(64);
    let mut other_entry = honest.clone();
    other_entry.last_entry.as_mut().unwrap().seq -= 1;
    let mut dropped = honest.clone();
    dropped.last_entry = None;
    for forged in [other_hash, other_entry, dropped] {
        let err = station.take_receipt(&forged).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
        assert!(err.to_string().contains("回执签名验证失败"), "{err}");

        let bundle = seal_payload(
            &town,
            &dir.path().join("town.db"),
            &station,
            &Payload {
                changes: vec![],
                receipts: vec![forged],
                returned: vec![],
                relay: None,
            },
            (
                town.own_last_seq().unwrap() + 1,
                town.own_last_seq().unwrap(),
            ),
        );
        let err = station.import_bundle(&bundle).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
    }
    assert_eq!(acknowledged(&station, "QX"), acked_before);
    assert!(held_back(&station, "QX").is_none());
    station.take_receipt(&honest).unwrap();
    assert!(acknowledged(&station, "QX") > acked_before);
}

/// A receipt from a version before the hash (none named), or from a book of another log
/// version (which may encode a record otherwise), is taken as before: it moves what the peer
/// holds, and holds nothing back, even where the logs differ.
#[test]
fn a_receipt_without_the_hash_or_of_another_log_version_is_taken_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let town_path = dir.path().join("town.db");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 3, "");
    sync(&mut station, &mut town, &out);
    record(&mut station, 2, "未确认");
    deliver(&mut station, &mut town, &out).unwrap().unwrap();
    let receipt = town.receipt_for("BX").unwrap().unwrap();

    let old = resigned(&receipt, &town_path, |r| r.last_entry = None);
    station.take_receipt(&old).unwrap();
    assert_eq!(acknowledged(&station, "QX"), receipt.acked_to);
    assert!(held_back(&station, "QX").is_none());

    // Logs that differ at the named entry: a receipt without the hash, or of another log
    // version, cannot tell, and does not hold back.
    let differs = |r: &mut Receipt| r.last_entry.as_mut().unwrap().sha256 = "0".repeat(64);
    let newer = resigned(&receipt, &town_path, |r| {
        differs(r);
        r.last_entry.as_mut().unwrap().log_version = LOG_VERSION + 1;
    });
    station.take_receipt(&newer).unwrap();
    assert!(held_back(&station, "QX").is_none());
    station.take_receipt(&old).unwrap();
    assert!(held_back(&station, "QX").is_none());
    // The same receipt with the hash, from this log version, does.
    station
        .take_receipt(&resigned(&receipt, &town_path, differs))
        .unwrap();
    assert!(held_back(&station, "QX").is_some());
}

/// Every ordinary exchange, through bundles and through the hub's answer, never holds back:
/// each receipt names an entry both books hold alike. The town's events on the station's
/// cases, and a confidential visit (whose visitors the town never gets, so the two books store
/// that record differently) as the last entry the town's receipt names.
#[test]
fn an_ordinary_sync_never_holds_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut town, mut station) = town_and_station(dir.path());
    for round in 0..4 {
        record(&mut station, 3, &format!("第{round}轮"));
        let mut visit = reception("陈建国", &format!("第{round}轮保密来访"));
        visit.confidential = true;
        let case_no = station.add_reception(visit).unwrap().case_no;
        sync(&mut station, &mut town, &out);
        let receipt = town.receipt_for("BX").unwrap().unwrap();
        let last = receipt.last_entry.clone().expect("a hash");
        assert_eq!(last.seq, station.own_last_seq().unwrap());
        assert_eq!(last.log_version, LOG_VERSION);
        station.take_receipt(&receipt).unwrap();

        // The town refers the confidential case: its own log moves, and so does the
        // station's receipt of it.
        town.add_case_event(&case_no, referral()).unwrap();
        sync(&mut station, &mut town, &out);
        let back = station.receipt_for("QX").unwrap().unwrap();
        assert_eq!(
            back.last_entry.expect("a hash").seq,
            town.own_last_seq().unwrap()
        );
        for (book, peer) in [(&station, "QX"), (&town, "BX")] {
            assert!(held_back(book, peer).is_none(), "round {round}, {peer}");
        }
    }
    assert_eq!(
        town.stats(Some("BX"), None, None).unwrap().receptions,
        station.stats(Some("BX"), None, None).unwrap().receptions
    );
}

fn referral() -> casebook::domain::CaseEventInput {
    use casebook::domain::{CaseEventInput, CaseEventKind};
    CaseEventInput {
        at: None,
        deputy: None,
        note: None,
        kind: CaseEventKind::Referred {
            to: "镇自然资源所".into(),
            deadline: casebook::time::china_now().date_naive() + chrono::TimeDelta::days(10),
        },
    }
}

/// Every bundle is written in this version; one of a version above the reader's (what a
/// reader before version 3 sees of this version's bundles) is refused whole, before anything
/// is verified, with the version it could not read.
#[test]
fn a_bundle_of_a_newer_format_version_is_refused_as_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 1, "");
    let sealed = station.seal_bundle("QX").unwrap().unwrap();
    assert_eq!(
        u16::from_le_bytes([sealed.bytes[8], sealed.bytes[9]]),
        FORMAT_VERSION
    );
    let mut newer = sealed.bytes.clone();
    let unknown = format::NEWEST_READ_VERSION + 1;
    newer[8..10].copy_from_slice(&unknown.to_le_bytes());
    let err = town.import_bundle(&newer).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
    assert!(
        err.to_string()
            .contains(&format!("格式版本 {unknown} 不受支持")),
        "{err}"
    );
    assert!(err.to_string().contains("请安装新版本"), "{err}");
    assert!(town.bundle_status().unwrap()[0].quarantined.is_empty());
    assert_eq!(town.import_bundle(&sealed.bytes).unwrap().applied, 1);
}
