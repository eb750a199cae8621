//! Deputies sign in with a PIN of their own; every change names who typed it, and the audit
//! trail says who signed in, who failed, and what was done: at the station and, after a sync,
//! at the town. From the side of whoever walks up to the station's PC.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use casebook::domain::{AuditAction, AuditChannel};
use casebook::store::audit::AuditFilter;
use casebook::store::sign_in::PIN_ATTEMPTS;
use casebook::time::china_now;
use casebook::{Book, ErrorKind};
use chrono::{NaiveDate, TimeDelta};
use liaison_testkit::{reception, town_and_station};
use uuid::Uuid;

const PIN: &str = "385920";

fn deputy(book: &Book, name: &str) -> Uuid {
    book.deputies()
        .unwrap()
        .into_iter()
        .find(|listing| listing.deputy.name == name)
        .unwrap()
        .deputy
        .id
}

fn trail(book: &Book) -> Vec<(AuditAction, Option<Uuid>)> {
    let mut entries: Vec<_> = book
        .audit_trail(&AuditFilter {
            limit: None,
            ..AuditFilter::default()
        })
        .unwrap()
        .into_iter()
        .map(|listing| (listing.entry.action, listing.entry.deputy))
        .collect();
    entries.reverse();
    entries
}

#[test]
fn the_first_sign_in_sets_the_pin_and_a_plain_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (_town, mut station) = town_and_station(dir.path());
    station.set_channel(AuditChannel::App);
    let chen = deputy(&station, "陈建国");
    let now = china_now();

    let err = station.sign_in(chen, "123456", now).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid);
    assert_eq!(err.field(), Some("pin"));
    assert_eq!(station.signed_in(), None);

    station.sign_in(chen, PIN, now).unwrap();
    assert_eq!(station.signed_in(), Some(chen));
    assert_eq!(
        trail(&station),
        vec![
            (AuditAction::PinSet, Some(chen)),
            (AuditAction::SignIn, Some(chen))
        ]
    );
    station.sign_out("退出").unwrap();
    assert_eq!(station.signed_in(), None);

    // The PIN is set: another one is wrong, not a new PIN.
    let err = station.sign_in(chen, "102938", now).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongPin, "{err}");
    assert!(err.to_string().contains("还可以再试4次"), "{err}");
    station.sign_in(chen, PIN, now).unwrap();
}

#[test]
fn five_wrong_pins_lock_the_deputy_out_for_a_growing_time() {
    let dir = tempfile::tempdir().unwrap();
    let (_town, mut station) = town_and_station(dir.path());
    station.set_channel(AuditChannel::App);
    let chen = deputy(&station, "陈建国");
    let li = deputy(&station, "李秀英");
    let start = china_now();
    station.sign_in(chen, PIN, start).unwrap();
    station.sign_out("切换代表").unwrap();

    let guess = |station: &mut Book, at| station.sign_in(chen, "000111", at).unwrap_err().kind();
    for _ in 1..PIN_ATTEMPTS {
        assert_eq!(guess(&mut station, start), ErrorKind::WrongPin);
    }
    assert_eq!(guess(&mut station, start), ErrorKind::SignInLocked);
    // Locked: even the right PIN is refused, and nothing is counted or opened.
    let err = station.sign_in(chen, PIN, start).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SignInLocked, "{err}");
    assert_eq!(station.signed_in(), None);
    let listed = station.sign_in_deputies(start.date_naive()).unwrap();
    let chen_listed = listed.iter().find(|d| d.id == chen).unwrap();
    assert_eq!(
        chen_listed.locked_until,
        Some(start + TimeDelta::minutes(1))
    );
    // Another deputy is not locked out by it.
    station.sign_in(li, "774411", start).unwrap();
    station.sign_out("切换代表").unwrap();

    // A minute later: five more wrong PINs lock for two minutes.
    let later = start + TimeDelta::seconds(61);
    for _ in 1..PIN_ATTEMPTS {
        assert_eq!(guess(&mut station, later), ErrorKind::WrongPin);
    }
    assert_eq!(guess(&mut station, later), ErrorKind::SignInLocked);
    let listed = station.sign_in_deputies(later.date_naive()).unwrap();
    assert_eq!(
        listed.iter().find(|d| d.id == chen).unwrap().locked_until,
        Some(later + TimeDelta::minutes(2))
    );
    let after = later + TimeDelta::minutes(2) + TimeDelta::seconds(1);
    station.sign_in(chen, PIN, after).unwrap();

    let failed = trail(&station)
        .into_iter()
        .filter(|(action, who)| *action == AuditAction::SignInFailed && *who == Some(chen))
        .count();
    assert_eq!(failed, 2 * PIN_ATTEMPTS as usize);
    let lockouts = trail(&station)
        .into_iter()
        .filter(|(action, _)| *action == AuditAction::LockedOut)
        .count();
    assert_eq!(lockouts, 2);
}

#[test]
fn duty_deputies_come_first() {
    let dir = tempfile::tempdir().unwrap();
    let (_town, station) = town_and_station(dir.path());
    // The fixture roster's one shift: 2026-11-30, 陈建国 and 李秀英.
    let duty_day = NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
    let names = |day| -> Vec<(String, bool)> {
        station
            .sign_in_deputies(day)
            .unwrap()
            .into_iter()
            .map(|d| (d.name, d.on_duty))
            .collect()
    };
    assert_eq!(
        names(duty_day),
        vec![
            ("李秀英".to_owned(), true),
            ("陈建国".to_owned(), true),
            ("黄海".to_owned(), false)
        ]
    );
    assert!(
        names(duty_day.succ_opt().unwrap())
            .iter()
            .all(|(_, on)| !on)
    );
}

#[test]
fn the_town_sees_who_typed_each_change_and_the_stations_trail_without_personal_data() {
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = town_and_station(dir.path());
    station.set_channel(AuditChannel::App);
    let huang = deputy(&station, "黄海");
    station.sign_in(huang, PIN, china_now()).unwrap();
    // 黄海 types a reception that 陈建国 received.
    let case_no = station
        .add_reception(reception("陈建国", "东岭村的渡槽年久失修"))
        .unwrap()
        .case_no;
    station
        .audit(AuditAction::DocumentPrint, Some(&case_no), Some("接待回执"))
        .unwrap();
    let chen = deputy(&station, "陈建国");
    let entry = station
        .changes_since(None, 0, None)
        .unwrap()
        .into_iter()
        .find(|entry| entry.change.op() == "reception_create")
        .unwrap();
    assert_eq!(
        entry.deputy,
        Some(chen),
        "the deputy named on the reception"
    );
    assert_eq!(entry.recorder, Some(huang), "the deputy signed in");

    let sealed = station.seal_bundle("QX").unwrap().unwrap();
    town.set_channel(AuditChannel::Hub);
    town.import_bundle(&sealed.bytes).unwrap();
    let at_town = town
        .changes_since(Some("BX"), 0, None)
        .unwrap()
        .into_iter()
        .find(|entry| entry.change.op() == "reception_create")
        .unwrap();
    assert_eq!(at_town.recorder, Some(huang));

    let stations_trail = town
        .audit_trail(&AuditFilter {
            station: Some("BX".into()),
            limit: None,
            ..AuditFilter::default()
        })
        .unwrap();
    let actions: Vec<AuditAction> = stations_trail.iter().map(|l| l.entry.action).collect();
    assert_eq!(
        actions,
        vec![
            AuditAction::DocumentPrint,
            AuditAction::SignIn,
            AuditAction::PinSet
        ]
    );
    assert_eq!(stations_trail[0].deputy_name.as_deref(), Some("黄海"));
    assert_eq!(stations_trail[0].entry.channel, AuditChannel::App);
    let own_trail = town
        .audit_trail(&AuditFilter {
            station: Some("QX".into()),
            limit: None,
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(own_trail.len(), 1, "the town's import of the bundle");
    assert_eq!(own_trail[0].entry.action, AuditAction::BundleImport);
    assert_eq!(own_trail[0].entry.channel, AuditChannel::Hub);
    assert_eq!(own_trail[0].entry.subject.as_deref(), Some("BX"));

    // The trail names records, never visitors.
    let bodies = serde_json::to_string(
        &station
            .audit_trail(&AuditFilter {
                limit: None,
                ..AuditFilter::default()
            })
            .unwrap(),
    )
    .unwrap();
    for personal in ["梁秀英", "13800138000", "东岭村第三村民小组"] {
        assert!(!bodies.contains(personal), "{personal} in {bodies}");
    }
    // PINs stay at the station: nobody has one at the town.
    assert!(
        town.sign_in_deputies(china_now().date_naive())
            .unwrap()
            .iter()
            .all(|d| !d.has_pin)
    );
}

#[test]
fn an_audit_entry_a_station_writes_in_another_stations_name_is_refused() {
    use casebook::change::Change;
    use casebook::domain::AuditEntry;
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = town_and_station(dir.path());
    // A compromised station writes an entry claiming to be another station's.
    station
        .write(|writer| {
            let id = writer.new_id(china_now());
            writer.record(
                Change::AuditAppend(AuditEntry {
                    id,
                    station: "NT".into(),
                    at: china_now(),
                    deputy: None,
                    channel: AuditChannel::App,
                    action: AuditAction::SignIn,
                    subject: None,
                    detail: None,
                }),
                None,
            )
        })
        .unwrap();
    let sealed = station.seal_bundle("QX").unwrap().unwrap();
    let err = town.import_bundle(&sealed.bytes).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotOwner, "{err}");
    assert!(
        town.audit_trail(&AuditFilter {
            limit: None,
            ..AuditFilter::default()
        })
        .unwrap()
        .is_empty()
    );
}
