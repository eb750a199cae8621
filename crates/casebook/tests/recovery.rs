//! Never lose a station: a station whose PC died gets its book back from the town, whole and
//! with the same numbers, and a station restored from an older backup gets back from the town
//! what the backup missed. Real books on disk, a thousand receptions, bundles as files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use casebook::bundle::Enrolment;
use casebook::bundle::format::Payload;
use casebook::domain::{CaseEventInput, CaseEventKind};
use casebook::store::read::CaseFilter;
use casebook::time::china_now;
use casebook::{Book, ErrorKind};
use chrono::TimeDelta;
use liaison_testkit::hostile::seal_payload;
use liaison_testkit::{reception, town_and_station};

/// Sends `from`'s bundle for `to` across, if it has one; what the import answered.
fn deliver(from: &mut Book, to: &mut Book, out: &Path) -> Option<casebook::bundle::Imported> {
    let code = to.origin().code.clone();
    let path = from.export_bundle(&code, out).unwrap().path?;
    Some(to.import_bundle(&std::fs::read(path).unwrap()).unwrap())
}

/// Both ways until neither side has anything new.
fn sync(station: &mut Book, town: &mut Book, out: &Path) {
    for _ in 0..3 {
        let up = deliver(station, town, out);
        let down = deliver(town, station, out);
        if up.is_none() && down.is_none() {
            return;
        }
    }
}

fn record(station: &mut Book, count: usize, what: &str) {
    for n in 0..count {
        station
            .add_reception(reception("陈建国", &format!("{what}第{n}件：村道路灯不亮")))
            .unwrap();
    }
}

/// Every case of `station` in the book by number, with its status and matter.
fn cases(book: &Book, station: &str) -> Vec<(String, String, String)> {
    let mut cases: Vec<_> = book
        .list_cases(&CaseFilter {
            limit: 100_000,
            ..CaseFilter::default()
        })
        .unwrap()
        .into_iter()
        .filter(|case| case.case_no.starts_with(&format!("{station}-")))
        .map(|case| {
            let full = book.case(&case.case_no).unwrap();
            let status = format!("{:?}", full.status);
            (case.case_no, status, full.reception.matter)
        })
        .collect();
    cases.sort();
    cases
}

fn case_serial(case_no: &str) -> u32 {
    case_no.rsplit('-').next().unwrap().parse().unwrap()
}

#[test]
fn a_new_pc_gets_the_stations_book_back_from_the_town_with_the_same_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 1_000, "");
    // The town refers one of them: its event concerns a record the new PC must hold first.
    let referred = cases(&station, "BX")[0].0.clone();
    sync(&mut station, &mut town, &out);
    let referral = CaseEventKind::Referred {
        to: "镇自然资源所".into(),
        deadline: china_now().date_naive() + TimeDelta::days(10),
    };
    town.add_case_event(
        &referred,
        CaseEventInput {
            at: None,
            deputy: None,
            note: None,
            kind: referral,
        },
    )
    .unwrap();
    sync(&mut station, &mut town, &out);
    let before = cases(&station, "BX");
    assert_eq!(before.len(), 1_000);
    let own_log = station.own_last_seq().unwrap();

    // The PC dies with its book.
    drop(station);
    for file in ["bx.db", "bx.db-wal", "bx.db-shm"] {
        let _ = std::fs::remove_file(dir.path().join(file));
    }

    // The town writes the station's enrolment file again; it brings the station's log back.
    let written = town
        .write_enrolment("BX", &dir.path().join("stick"))
        .unwrap();
    assert_eq!(written.recovered as i64, own_log);
    let enrolment = Enrolment::read_file(&written.path).unwrap();
    assert_eq!(enrolment.summary().recovered as i64, own_log);
    let new_pc = dir.path().join("新电脑").join("bx.db");
    let keys_dir = dir.path().join("stick-back");
    let (mut station, _) = Book::enrol_new_station(&new_pc, &enrolment, None, &keys_dir).unwrap();
    let keys = std::fs::read(keys_dir.join("BX.keys")).unwrap();
    town.accept_station_keys(&keys, true).unwrap();

    assert_eq!(
        cases(&station, "BX"),
        before,
        "every case back, the referral too"
    );
    assert_eq!(station.own_last_seq().unwrap(), own_log);
    let next = station
        .add_reception(reception("陈建国", "换电脑后的第一件"))
        .unwrap();
    let highest = before.iter().map(|(no, ..)| case_serial(no)).max().unwrap();
    assert_eq!(case_serial(&next.case_no), highest + 1);

    let up = deliver(&mut station, &mut town, &out).unwrap();
    assert!(up.applied >= 1 && up.duplicates == 0, "{up:?}");
    assert!(town.conflicts().unwrap().is_empty());
    assert_eq!(cases(&town, "BX").len(), 1_001);
    let down = deliver(&mut town, &mut station, &out).unwrap();
    assert_eq!(down.recovered, 0, "nothing more to send back: {down:?}");
}

#[test]
fn a_station_restored_from_an_older_backup_gets_back_what_it_missed_and_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 300, "三周前");
    sync(&mut station, &mut town, &out);
    let backup = station
        .backup_into(&dir.path().join("U盘"), Some(10))
        .unwrap();
    record(&mut station, 700, "备份之后");
    sync(&mut station, &mut town, &out);
    let before = cases(&station, "BX");
    let own_log = station.own_last_seq().unwrap();

    // The disk dies; the station is restored from the three-week-old backup.
    drop(station);
    let restored_path = dir.path().join("restored").join("bx.db");
    let mut station = Book::restore(Path::new(&backup.path), &restored_path, None).unwrap();
    assert_eq!(cases(&station, "BX").len(), 300);

    // Its first bundle says how far it holds its log; the town's answer brings the rest.
    deliver(&mut station, &mut town, &out).expect("the restored book reports itself");
    let back = deliver(&mut town, &mut station, &out).unwrap();
    assert_eq!(back.recovered as i64, own_log - backup.seq, "{back:?}");
    assert_eq!(cases(&station, "BX"), before);
    assert!(station.bundle_status().unwrap()[0].held_back.is_none());

    let next = station
        .add_reception(reception("陈建国", "恢复后的第一件"))
        .unwrap();
    let highest = before.iter().map(|(no, ..)| case_serial(no)).max().unwrap();
    assert_eq!(case_serial(&next.case_no), highest + 1);
    sync(&mut station, &mut town, &out);
    assert_eq!(
        cases(&town, "BX").len(),
        1_001,
        "nothing doubled at the town"
    );
    assert!(town.conflicts().unwrap().is_empty());
    assert_eq!(cases(&town, "BX"), cases(&station, "BX"));
}

#[rstest::rstest]
#[case::fewer_than_the_backup_missed(5)]
#[case::more_than_the_backup_missed(15)]
fn records_typed_after_a_restore_and_before_the_town_answers_are_kept(#[case] typed: usize) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 20, "备份前");
    sync(&mut station, &mut town, &out);
    let backup = station.backup_into(&dir.path().join("U盘"), None).unwrap();
    record(&mut station, 10, "备份后");
    sync(&mut station, &mut town, &out);
    let at_town = cases(&town, "BX");

    drop(station);
    let restored_path = dir.path().join("restored.db");
    let mut station = Book::restore(Path::new(&backup.path), &restored_path, None).unwrap();
    record(&mut station, typed, "恢复后");
    let typed_here = cases(&station, "BX");

    // The restored book sends no changes until the town has answered: the typed ones reuse
    // numbers the town holds, even when there are more of them than the backup missed (their
    // seqs then run past what the town acknowledged, and would otherwise have been taken as
    // the next ones).
    let up = station.export_bundle("QX", &out).unwrap();
    assert_eq!(up.changes, 0);
    town.import_bundle(&std::fs::read(up.path.unwrap()).unwrap())
        .unwrap();
    // The town's answer would bring the lost ten back and collides with them: refused whole.
    // Renumbering them is not built yet: everything stays as it was on both sides.
    let down = town.export_bundle("BX", &out).unwrap().path.unwrap();
    let err = station
        .import_bundle(&std::fs::read(down).unwrap())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LogBehindPeer);
    assert_eq!(
        cases(&station, "BX"),
        typed_here,
        "the ones typed since are kept"
    );
    assert!(station.bundle_status().unwrap()[0].held_back.is_some());
    // The next cycle through the hub: the upload, answered with the town's receipt, still
    // carries no change.
    let again = station.export_bundle("QX", &out).unwrap();
    assert_eq!(again.changes, 0);
    if let Some(path) = again.path {
        town.import_bundle(&std::fs::read(path).unwrap()).unwrap();
    }
    station
        .take_receipt(&town.receipt_for("BX").unwrap().unwrap())
        .unwrap();
    assert_eq!(station.export_bundle("QX", &out).unwrap().changes, 0);
    assert_eq!(
        cases(&town, "BX"),
        at_town,
        "nothing doubled or replaced at the town"
    );
}

/// A backup that missed nothing: the town's answer to the restored book's first upload (the
/// hub's receipt) acknowledges no more than the book holds, the hold lifts, and new records go
/// up as before.
#[test]
fn a_station_restored_from_a_current_backup_goes_on_after_its_first_sync() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 5, "");
    sync(&mut station, &mut town, &out);
    let backup = station.backup_into(&dir.path().join("U盘"), None).unwrap();
    drop(station);
    let mut station = Book::restore(
        Path::new(&backup.path),
        &dir.path().join("restored.db"),
        None,
    )
    .unwrap();
    assert!(station.bundle_status().unwrap()[0].held_back.is_some());
    // The first upload says how far the book holds its log; the hub answers with the town's
    // receipt, which acknowledges no more than that.
    let report = station.export_bundle("QX", &out).unwrap();
    assert_eq!(report.changes, 0);
    town.import_bundle(&std::fs::read(report.path.unwrap()).unwrap())
        .unwrap();
    station
        .take_receipt(&town.receipt_for("BX").unwrap().unwrap())
        .unwrap();
    assert!(station.bundle_status().unwrap()[0].held_back.is_none());
    record(&mut station, 1, "恢复后");
    sync(&mut station, &mut town, &out);
    assert_eq!(cases(&town, "BX").len(), 6);
    assert_eq!(cases(&town, "BX"), cases(&station, "BX"));
}

/// Only the town sends a station's log back, and only the station's own: a compromised
/// station cannot slip records into the town's own log by "returning" them, and the town
/// cannot hand a station another station's records as its own.
#[test]
fn returned_records_come_only_from_the_town_and_only_of_the_recipient() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 3, "");
    sync(&mut station, &mut town, &out);

    // The station forges a change of the town's own roster, far past its head, as "returned".
    let mut forged = town.changes_since(Some("QX"), 0, None).unwrap().remove(0);
    forged.seq = 10_000;
    let head = station.own_last_seq().unwrap();
    let payload = Payload {
        changes: vec![],
        receipts: vec![],
        returned: vec![forged],
    };
    let bundle = seal_payload(
        &station,
        &dir.path().join("bx.db"),
        &town,
        &payload,
        (head + 1, head),
    );
    let err = town.import_bundle(&bundle).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotOwner, "{err}");
    assert!(
        town.changes_since(Some("QX"), 9_999, None)
            .unwrap()
            .is_empty()
    );

    // The town hands the station records of another station as if they were its own.
    let mut foreign = station
        .changes_since(Some("BX"), 0, None)
        .unwrap()
        .remove(0);
    foreign.origin = "QY".into();
    let payload = Payload {
        changes: vec![],
        receipts: vec![],
        returned: vec![foreign],
    };
    let town_head = town.own_last_seq().unwrap();
    let bundle = seal_payload(
        &town,
        &dir.path().join("town.db"),
        &station,
        &payload,
        (town_head + 1, town_head),
    );
    let err = station.import_bundle(&bundle).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
    assert_eq!(cases(&station, "BX").len(), 3);
}
