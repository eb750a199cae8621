//! Never lose a station: a station whose PC died gets its book back from the town, whole and
//! with the same numbers, and a station restored from an older backup gets back from the town
//! what the backup missed. Real books on disk, a thousand receptions, bundles as files.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use casebook::bundle::Enrolment;
use casebook::bundle::format::Payload;
use casebook::domain::{
    CaseEventInput, CaseEventKind, MediationInput, MediationSource, MediatorInput, OtherMediator,
    Party, PartyRole,
};
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

/// A mediation of `case_no` accepted now; its number.
fn mediate(station: &mut Book, case_no: &str) -> String {
    let party = |role, name: &str| Party {
        role,
        name: name.into(),
        sex: None,
        age: None,
        phone: None,
        id_number: None,
        address: None,
        ethnicity: None,
        occupation: None,
        agent: None,
    };
    station
        .add_mediation(MediationInput {
            case_no: Some(case_no.into()),
            source: MediationSource::Application,
            dispute_type: "邻里".into(),
            dispute_subtype: None,
            accepted_at: None,
            summary: "邻里纠纷".into(),
            parties: vec![
                party(PartyRole::Applicant, "张三"),
                party(PartyRole::Respondent, "李四"),
            ],
            mediators: vec![MediatorInput::Other(OtherMediator {
                name: "王调解".into(),
            })],
            consent: true,
            agreed_to_mediation: true,
        })
        .unwrap()
        .number
}

/// Every mediation of the book: number, former number, case.
fn mediations(book: &Book) -> Vec<(String, Option<String>, Option<String>)> {
    let mut all: Vec<_> = book
        .mediations()
        .unwrap()
        .into_iter()
        .map(|listing| {
            let m = listing.mediation;
            (m.number, m.former_number, m.case_no)
        })
        .collect();
    all.sort();
    all
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
    let lost_mediation = mediate(&mut station, "BX-2026-0030");
    sync(&mut station, &mut town, &out);
    let at_town = cases(&town, "BX");
    assert_eq!(at_town.len(), 30);

    drop(station);
    let restored_path = dir.path().join("restored.db");
    let mut station = Book::restore(Path::new(&backup.path), &restored_path, None).unwrap();
    record(&mut station, typed, "恢复后");
    let last_typed = format!("BX-2026-{:04}", 20 + typed);
    let typed_mediation = mediate(&mut station, &last_typed);
    assert_eq!(
        typed_mediation, lost_mediation,
        "the restored book reuses the lost number"
    );
    let typed_here: Vec<String> = cases(&station, "BX")[20..]
        .iter()
        .map(|(_, _, matter)| matter.clone())
        .collect();

    // While held back the book sends only its receipt, which says how far it holds its log;
    // the town answers with what it holds beyond that.
    let up = station.export_bundle("QX", &out).unwrap();
    assert_eq!(up.changes, 0);
    town.import_bundle(&std::fs::read(up.path.unwrap()).unwrap())
        .unwrap();
    let down = town.export_bundle("BX", &out).unwrap().path.unwrap();
    let imported = station
        .import_bundle(&std::fs::read(down).unwrap())
        .unwrap();
    let collided = typed.min(10);
    assert_eq!(
        imported.renumbered,
        collided + 1,
        "the receptions whose numbers the town held, and the mediation"
    );
    assert!(station.bundle_status().unwrap()[0].held_back.is_none());
    let listed = station.renumbered().unwrap();
    assert_eq!(
        listed.len(),
        collided + 1,
        "each is listed for its 更正通知"
    );
    assert!(listed.iter().all(|r| r.number != r.former));

    // The town's thirty are back as they were; what was typed here follows them.
    let here = cases(&station, "BX");
    assert_eq!(here[..30], at_town[..]);
    let mut followed: Vec<String> = here[30..].iter().map(|(_, _, m)| m.clone()).collect();
    followed.sort();
    let mut expected = typed_here.clone();
    expected.sort();
    assert_eq!(
        followed, expected,
        "every record typed after the restore is kept"
    );
    // Each typed reception kept its number unless the town's copy had used it; the
    // renumbered ones come after every number, and remember the old one.
    for n in 1..=typed {
        let old = format!("BX-2026-{:04}", 20 + n);
        let matter = format!("恢复后第{}件：村道路灯不亮", n - 1);
        let (case_no, _, _) = here.iter().find(|(_, _, m)| *m == matter).unwrap();
        let reception = station.case(case_no).unwrap().reception;
        if n <= 10 {
            assert!(
                case_serial(case_no) > (20 + typed).max(30) as u32,
                "{case_no}"
            );
            assert_eq!(reception.former_case_no.as_deref(), Some(old.as_str()));
        } else {
            assert_eq!(*case_no, old, "a number the town never held is kept");
            assert_eq!(reception.former_case_no, None);
        }
    }
    // The mediation typed here took the next number; it names its case by the case's number
    // now, and the case's 转入调解 names the mediation's.
    let mediated_case = here
        .iter()
        .find(|(_, _, m)| *m == format!("恢复后第{}件：村道路灯不亮", typed - 1))
        .unwrap()
        .0
        .clone();
    let all = mediations(&station);
    assert_eq!(all.len(), 2);
    let typed_file = all.iter().find(|m| m.1.is_some()).unwrap();
    assert_eq!(typed_file.1.as_deref(), Some(lost_mediation.as_str()));
    assert_eq!(typed_file.2.as_deref(), Some(mediated_case.as_str()));
    let timeline = station.case(&mediated_case).unwrap().timeline;
    assert!(timeline.iter().any(|entry| matches!(
        &entry.event.kind,
        CaseEventKind::ToMediation { mediation_no: Some(no) } if *no == typed_file.0
    )));

    // The book is what its log makes of an empty one: setting aside and applying again left
    // nothing behind, and the search finds the typed ones under their numbers now.
    let mut replica =
        Book::create_in_memory("ZZ", "核对用台账", casebook::store::BookKind::Town).unwrap();
    replica
        .apply_log(&station.changes_since(Some("QX"), 0, None).unwrap())
        .unwrap();
    replica
        .apply_log(&station.changes_since(None, 0, None).unwrap())
        .unwrap();
    assert_eq!(
        replica.canonical_dump().unwrap(),
        station.canonical_dump().unwrap()
    );
    let found = station
        .list_cases(&CaseFilter {
            query: Some("恢复后".into()),
            limit: 100,
            ..CaseFilter::default()
        })
        .unwrap();
    assert_eq!(found.len(), typed);

    // The next reception is numbered after all of them, and a sync brings the town the typed
    // ones without doubling or replacing anything.
    record(&mut station, 1, "恢复以后");
    let newest = cases(&station, "BX").last().unwrap().0.clone();
    assert_eq!(
        case_serial(&newest) as usize,
        (20 + typed).max(30) + collided + 1
    );
    sync(&mut station, &mut town, &out);
    assert!(town.conflicts().unwrap().is_empty());
    assert_eq!(cases(&town, "BX"), cases(&station, "BX"));
    assert_eq!(
        cases(&town, "BX")[..30],
        at_town[..],
        "nothing replaced at the town"
    );
    assert_eq!(mediations(&town), mediations(&station));
}

/// A backup made by an earlier version (schema 8: without what migrations 009 and later add,
/// the indexes of renumbered records, the receptions' kinds, the meetings' events, the stations'
/// committees, the peers' bundle formats) restores: the staged copy is upgraded before it takes
/// the book's name, no copy from before the upgrade is left beside it, and the town sends back
/// what the backup missed.
#[test]
fn a_backup_made_by_an_earlier_version_restores_and_catches_up() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 5, "备份前");
    sync(&mut station, &mut town, &out);
    let backup = station.backup_into(&dir.path().join("U盘"), None).unwrap();
    record(&mut station, 3, "备份后");
    sync(&mut station, &mut town, &out);
    drop(station);
    let old = rusqlite::Connection::open(&backup.path).unwrap();
    old.execute_batch(
        "DROP TABLE suggestion_events; DROP TABLE suggestions; DROP TABLE deputy_activities;
         DROP TABLE meeting_events; ALTER TABLE peers DROP COLUMN format_version;
         DROP INDEX receptions_renumbered; DROP INDEX mediations_renumbered;
         ALTER TABLE receptions DROP COLUMN kind; DROP INDEX stations_by_committee;
         ALTER TABLE stations DROP COLUMN committee_name;
         ALTER TABLE stations DROP COLUMN committee_short_name;
         UPDATE book_meta SET value = '0.0.9' WHERE key = 'software_version';
         DROP INDEX IF EXISTS case_events_by_kind; DROP TABLE relay_keys; DROP TABLE relayed_stations;
         DROP TABLE relay_acks; DROP TABLE relay_units; DROP INDEX mediations_by_accepted;
         PRAGMA user_version = 8;",
    )
    .unwrap();
    drop(old);

    let restored_dir = dir.path().join("新电脑");
    let path = restored_dir.join("bx.db");
    let mut station = Book::restore(Path::new(&backup.path), &path, None).unwrap();
    let left: Vec<String> = std::fs::read_dir(&restored_dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| !name.ends_with("-wal") && !name.ends_with("-shm"))
        .collect();
    assert_eq!(left, ["bx.db"], "no staged or pre-upgrade copy left");
    assert!(
        station.renumbered().unwrap().is_empty(),
        "the new index reads"
    );
    assert_eq!(cases(&station, "BX").len(), 5);
    sync(&mut station, &mut town, &out);
    assert_eq!(cases(&station, "BX"), cases(&town, "BX"));
    assert_eq!(cases(&station, "BX").len(), 8);
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
        relay: None,
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
        relay: None,
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

/// Drafts a suggestion at `station` from its case `case_no`; its number.
fn suggest(station: &mut Book, case_no: &str, title: &str) -> String {
    let input: casebook::domain::SuggestionInput = serde_json::from_value(serde_json::json!({
        "title": title, "category": "社会及公共事务", "reasons": "路灯不亮",
        "proposals": "维修路灯", "cases": [case_no], "lead": "陈建国",
    }))
    .unwrap();
    station.add_suggestion(input).unwrap().number
}

/// A suggestion typed into a restored book, whose number the town's copy of the lost log had
/// given to another, takes the next number and keeps the old one; its source case, renumbered
/// too, is renamed in it. The town's suggestion comes back as it was.
#[test]
fn a_suggestion_typed_after_a_restore_takes_the_next_number_with_its_case() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (mut town, mut station) = town_and_station(dir.path());
    record(&mut station, 2, "备份前");
    sync(&mut station, &mut town, &out);
    let backup = station.backup_into(&dir.path().join("U盘"), None).unwrap();
    record(&mut station, 1, "备份后");
    let lost_case = cases(&station, "BX")[2].0.clone();
    let lost = suggest(&mut station, &lost_case, "备份后的建议");
    sync(&mut station, &mut town, &out);
    drop(station);

    let mut station = Book::restore(
        Path::new(&backup.path),
        &dir.path().join("restored.db"),
        None,
    )
    .unwrap();
    record(&mut station, 1, "恢复后");
    let typed_case = cases(&station, "BX")[2].0.clone();
    assert_eq!(
        typed_case, lost_case,
        "the restored book reuses the lost case number"
    );
    let typed = suggest(&mut station, &typed_case, "恢复后的建议");
    assert_eq!(typed, lost, "and the lost suggestion number");

    let up = station.export_bundle("QX", &out).unwrap();
    town.import_bundle(&std::fs::read(up.path.unwrap()).unwrap())
        .unwrap();
    let down = town.export_bundle("BX", &out).unwrap().path.unwrap();
    let imported = station
        .import_bundle(&std::fs::read(down).unwrap())
        .unwrap();
    assert_eq!(imported.renumbered, 2, "the reception and the suggestion");

    let listed = station.suggestions().unwrap();
    let by_title = |title: &str| {
        listed
            .iter()
            .find(|s| s.suggestion.title == title)
            .unwrap()
            .suggestion
            .clone()
    };
    let theirs = by_title("备份后的建议");
    assert_eq!(
        (theirs.number.as_str(), theirs.former_number),
        (lost.as_str(), None)
    );
    assert_eq!(theirs.cases, [lost_case]);
    let ours = by_title("恢复后的建议");
    assert_eq!(ours.former_number.as_deref(), Some(lost.as_str()));
    assert_eq!(ours.seq, 2);
    assert_ne!(ours.number, lost);
    let renumbered_case = station
        .renumbered()
        .unwrap()
        .into_iter()
        .find(|r| r.former == typed_case)
        .unwrap()
        .number;
    assert_eq!(
        ours.cases,
        [renumbered_case],
        "its source follows the case's new number"
    );
}
