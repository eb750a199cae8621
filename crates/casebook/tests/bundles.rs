//! Sync bundles between real books on disk: round trips, receipts, gaps, quarantine,
//! tampering, revocation, conflicts, and convergence whatever the delivery order.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use casebook::bundle::format::{self, Payload, Seal};
use casebook::change::{Change, LogEntry};
use casebook::domain::*;
use casebook::store::{BookKind, LOG_VERSION};
use casebook::time::china_now;
use casebook::{Book, ErrorKind};
use chrono::TimeDelta;
use ed25519_dalek::SigningKey;
use liaison_testkit::{enroll, reception};
use proptest::prelude::*;
use tempfile::TempDir;

const ROSTER: &str = r#"{
  "grids": [
    {"code": "C", "name": "清溪镇中心网格", "level": "center"},
    {"code": "A1", "name": "东片片区网格", "level": "area", "parent": "C"},
    {"code": "B01", "name": "东岭村第一网格", "level": "base", "parent": "A1", "committees": ["东岭村"]},
    {"code": "B02", "name": "南塘村网格", "level": "base", "parent": "A1", "committees": ["南塘村"]}
  ],
  "stations": [
    {"code": "BX", "name": "东岭村人大代表联络站", "level": "base", "grid": "B01", "phone": "0750-5512345"},
    {"code": "NT", "name": "南塘村人大代表联络站", "level": "base", "grid": "B02"}
  ],
  "deputies": [
    {"name": "陈建国", "congress": "镇", "grid": "B01", "station": "BX", "mediator_since": "2023-03-01"},
    {"name": "李秀英", "congress": "县", "grid": "B01", "station": "BX"},
    {"name": "黄海", "congress": "市", "grid": "B02", "station": "NT"}
  ]
}"#;

/// Creates a book whose signing key is `secret`, so a test can seal bundles by hand.
fn book_with_key(path: &Path, code: &str, kind: BookKind, secret: [u8; 32]) -> Book {
    drop(Book::create(path, code, &format!("{code}联络站"), kind).unwrap());
    rusqlite::Connection::open(path)
        .unwrap()
        .execute("UPDATE own_keys SET sign_secret = ?1", [secret.as_slice()])
        .unwrap();
    Book::open(path).unwrap()
}

/// A town (`QX`) and its stations, each a book file in one temporary folder, enrolled with each
/// other, the roster made by the town and delivered to every station.
struct Town {
    dir: TempDir,
    town: Book,
    stations: Vec<Book>,
}

impl Town {
    fn new(codes: &[&str]) -> Town {
        let dir = tempfile::tempdir().unwrap();
        let mut town = Book::create(
            &dir.path().join("town.db"),
            "QX",
            "清溪镇人大",
            BookKind::Town,
        )
        .unwrap();
        town.import_roster(&serde_json::from_str(ROSTER).unwrap())
            .unwrap();
        let mut stations = Vec::new();
        for (i, code) in codes.iter().enumerate() {
            let path = dir.path().join(format!("{code}.db"));
            let mut station = book_with_key(&path, code, BookKind::Station, station_secret(i));
            enroll(&mut town, &mut station);
            stations.push(station);
        }
        let mut t = Town {
            dir,
            town,
            stations,
        };
        for i in 0..codes.len() {
            let roster = read(&t.town_to(i));
            t.stations[i].import_bundle(&roster).unwrap();
        }
        t
    }

    fn out(&self) -> PathBuf {
        self.dir.path().join("out")
    }

    fn town_to(&mut self, station: usize) -> Option<PathBuf> {
        let code = self.stations[station].origin().code.clone();
        let out = self.out();
        self.town.export_bundle(&code, &out).unwrap().path
    }

    fn station_to_town(&mut self, station: usize) -> Option<PathBuf> {
        let out = self.out();
        self.stations[station]
            .export_bundle("QX", &out)
            .unwrap()
            .path
    }

    /// A consistent copy of the town's book as it is now.
    fn town_copy(&mut self, name: &str) -> Book {
        let path = self.dir.path().join(name);
        self.town.backup_to(&path).unwrap();
        Book::open(&path).unwrap()
    }

    /// A bundle from station `i` to the town with chosen contents, signed and sealed properly.
    fn seal_by_hand(
        &self,
        i: usize,
        range: (i64, i64),
        changes: Vec<LogEntry>,
        schema: i64,
    ) -> Vec<u8> {
        let count = changes.len() as u64;
        let payload = serde_json::to_vec(&Payload {
            changes,
            receipts: vec![],
            returned: vec![],
            relay: None,
        })
        .unwrap();
        self.seal_json_by_hand(i, range, &payload, (count, 0), schema)
    }

    /// A bundle from station `i` to the town whose payload JSON is given as it is.
    fn seal_json_by_hand(
        &self,
        i: usize,
        range: (i64, i64),
        payload: &[u8],
        counts: (u64, u64),
        schema: i64,
    ) -> Vec<u8> {
        let town_keys = self.town.public_keys();
        let seal_key = casebook::bundle::keys::decode_key("k", &town_keys.seal_public).unwrap();
        let seal = Seal {
            schema_version: schema,
            origin: &self.stations[i].origin().code,
            recipient: "QX",
            recipient_seal: &x25519_dalek::PublicKey::from(seal_key),
            seq_range: range,
            prev_hash: None,
            created_at: "2026-11-28T09:00:00+08:00".into(),
            returned: 0,
            relayed: 0,
            version: format::FORMAT_VERSION,
        };
        let signer = SigningKey::from_bytes(&station_secret(i));
        format::write_json(&seal, payload, counts, &signer).unwrap()
    }
}

fn station_secret(i: usize) -> [u8; 32] {
    [u8::try_from(i).unwrap() + 1; 32]
}

fn event(kind: CaseEventKind) -> CaseEventInput {
    CaseEventInput {
        at: None,
        deputy: None,
        note: None,
        kind,
    }
}

fn read(path: &Option<PathBuf>) -> Vec<u8> {
    std::fs::read(path.as_ref().expect("a bundle was written")).unwrap()
}

#[test]
fn station_to_town_and_back_with_receipts_and_a_referral() {
    let mut t = Town::new(&["BX"]);
    let station = &mut t.stations[0];
    let case = station
        .add_reception(reception("陈建国", "出嫁后土地分红被取消"))
        .unwrap()
        .case_no;
    station
        .add_reception(reception("李秀英", "山林界址不清"))
        .unwrap();
    station
        .add_case_event(&case, event(CaseEventKind::Accepted))
        .unwrap();

    let up = t.station_to_town(0);
    assert!(
        !String::from_utf8_lossy(&read(&up)).contains("梁秀英"),
        "visitor data is sealed"
    );
    let imported = t.town.import_bundle(&read(&up)).unwrap();
    assert_eq!(imported.applied, 3);
    let town_stats = serde_json::to_value(t.town.stats(Some("BX"), None, None).unwrap()).unwrap();
    let station_stats =
        serde_json::to_value(t.stations[0].stats(Some("BX"), None, None).unwrap()).unwrap();
    assert_eq!(
        town_stats, station_stats,
        "the town sees the station as the station does"
    );

    // The town refers the case; its bundle carries the referral and the receipt.
    let deadline = china_now().date_naive() + TimeDelta::days(10);
    let referral = CaseEventKind::Referred {
        to: "镇自然资源所".into(),
        deadline,
    };
    t.town.add_case_event(&case, event(referral)).unwrap();
    let down = t.town_to(0);
    let station = &mut t.stations[0];
    let back = station.import_bundle(&read(&down)).unwrap();
    assert_eq!((back.applied, back.receipts), (1, 1));
    assert_eq!(station.case(&case).unwrap().status, CaseStatus::Referred);
    let status = station.bundle_status().unwrap();
    let own_changes = station.changes_since(None, 0, None).unwrap().len() as i64;
    assert_eq!(
        (status[0].acknowledged_seq, status[0].unacknowledged),
        (own_changes, 0)
    );

    assert!(
        t.station_to_town(0).is_some(),
        "the receipt for the referral goes back"
    );
    assert!(t.station_to_town(0).is_none(), "then nothing is new");
}

#[test]
fn a_lost_stick_loses_nothing_and_a_replayed_bundle_changes_nothing() {
    let mut t = Town::new(&["BX"]);
    t.stations[0]
        .add_reception(reception("陈建国", "第一周"))
        .unwrap();
    let lost = t.station_to_town(0);
    t.stations[0]
        .add_reception(reception("陈建国", "第二周"))
        .unwrap();
    let second = t.station_to_town(0);
    assert_eq!(
        format::parse(&read(&second)).unwrap().header.from_seq,
        1,
        "cumulative until acknowledged"
    );
    assert_eq!(t.town.import_bundle(&read(&second)).unwrap().applied, 2);
    let before = t.town.canonical_dump().unwrap();
    let again = t.town.import_bundle(&read(&second)).unwrap();
    assert_eq!((again.applied, again.duplicates), (0, 2));
    let old = t.town.import_bundle(&read(&lost)).unwrap();
    assert_eq!((old.applied, old.duplicates), (0, 1));
    assert_eq!(t.town.canonical_dump().unwrap(), before);
}

#[test]
fn a_bundle_after_a_gap_waits_until_the_gap_is_filled() {
    let mut t = Town::new(&["BX"]);
    let before_any = t.town_copy("before.db");
    t.stations[0]
        .add_reception(reception("陈建国", "一"))
        .unwrap();
    let first = t.station_to_town(0);
    t.town.import_bundle(&read(&first)).unwrap();
    let receipt = t.town_to(0);
    t.stations[0].import_bundle(&read(&receipt)).unwrap();
    t.stations[0]
        .add_reception(reception("陈建国", "二"))
        .unwrap();
    let second = t.station_to_town(0);
    assert!(format::parse(&read(&second)).unwrap().header.from_seq > 1);

    t.town.import_bundle(&read(&second)).unwrap();
    // A copy of the town that never saw the first bundle gets the second one first.
    let mut late = before_any;
    let waiting = late.import_bundle(&read(&second)).unwrap();
    assert_eq!(waiting.applied, 0);
    assert!(waiting.pending > 0);
    assert_eq!(late.bundle_status().unwrap()[0].gaps, vec![(1, 1)]);
    let all = casebook::store::read::CaseFilter {
        limit: 10,
        ..Default::default()
    };
    assert!(
        late.list_cases(&all).unwrap().is_empty(),
        "nothing applied before the gap is filled"
    );
    let filled = late.import_bundle(&read(&first)).unwrap();
    assert_eq!(filled.applied, 1 + waiting.pending);
    assert!(late.bundle_status().unwrap()[0].gaps.is_empty());
    assert_eq!(
        late.canonical_dump().unwrap(),
        t.town.canonical_dump().unwrap()
    );
}

#[test]
fn every_flipped_byte_and_every_truncation_is_refused_with_nothing_applied() {
    let mut t = Town::new(&["BX"]);
    t.stations[0]
        .add_reception(reception("陈建国", "篡改测试"))
        .unwrap();
    let bytes = read(&t.station_to_town(0));
    let before = t.town.canonical_dump().unwrap();
    for i in 0..bytes.len() {
        let mut flipped = bytes.clone();
        flipped[i] ^= 0x01;
        let err = t
            .town
            .import_bundle(&flipped)
            .expect_err("a flipped byte is refused");
        assert!(
            matches!(
                err.kind(),
                ErrorKind::BadBundle | ErrorKind::UnknownOrigin | ErrorKind::WrongRecipient
            ),
            "byte {i}: {err}"
        );
    }
    for len in 0..bytes.len() {
        let err = t
            .town
            .import_bundle(&bytes[..len])
            .expect_err("a truncation is refused");
        assert_eq!(
            err.kind(),
            ErrorKind::BadBundle,
            "truncated to {len}: {err}"
        );
    }
    assert_eq!(t.town.canonical_dump().unwrap(), before);
    assert_eq!(
        t.town.import_bundle(&bytes).unwrap().applied,
        1,
        "the intact file still imports"
    );
}

#[test]
fn wrong_recipient_unknown_and_revoked_origins_are_refused() {
    let mut t = Town::new(&["BX", "NT"]);
    t.stations[0]
        .add_reception(reception("陈建国", "错投"))
        .unwrap();
    let to_town = read(&t.station_to_town(0));
    let err = t.stations[1].import_bundle(&to_town).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownOrigin, "NT never enrolled BX");
    let (bx, nt) = t.stations.split_at_mut(1);
    enroll(&mut bx[0], &mut nt[0]);
    let err = t.stations[1].import_bundle(&to_town).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WrongRecipient);

    let keys = t.stations[0].public_keys();
    t.town.revoke_peer("BX").unwrap();
    let err = t.town.import_bundle(&to_town).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownOrigin);
    assert!(err.to_string().contains("吊销"), "{err}");
    assert!(
        t.town
            .add_peer(&keys.origin, &keys.sign_public, &keys.seal_public)
            .is_err()
    );
}

#[test]
fn a_newer_schema_is_quarantined_and_does_not_block_other_origins() {
    let mut t = Town::new(&["BX", "NT"]);
    t.stations[0]
        .add_reception(reception("陈建国", "新版本"))
        .unwrap();
    let log = t.stations[0].changes_since(None, 0, None).unwrap();
    let newer = t.seal_by_hand(0, (1, log.len() as i64), log, LOG_VERSION + 1);
    let imported = t.town.import_bundle(&newer).unwrap();
    assert_eq!((imported.applied, imported.quarantined), (0, 1));
    let list = t.town.quarantined().unwrap();
    assert_eq!(
        (list[0].origin.as_str(), list[0].schema_version),
        ("BX", LOG_VERSION + 1)
    );
    t.stations[1]
        .add_reception(reception("黄海", "南塘村的事"))
        .unwrap();
    let nt = read(&t.station_to_town(1));
    assert_eq!(t.town.import_bundle(&nt).unwrap().applied, 1);
}

#[test]
fn a_newer_schema_resent_with_more_replaces_what_quarantine_held() {
    let mut t = Town::new(&["BX"]);
    for matter in ["第一周", "第二周"] {
        t.stations[0]
            .add_reception(reception("陈建国", matter))
            .unwrap();
    }
    let log = t.stations[0].changes_since(None, 0, None).unwrap();
    let last = log.len() as i64;
    let first_week = t.seal_by_hand(
        0,
        (1, last - 1),
        log[..log.len() - 1].to_vec(),
        LOG_VERSION + 1,
    );
    let both_weeks = t.seal_by_hand(0, (1, last), log.clone(), LOG_VERSION + 1);
    let only_the_last = t.seal_by_hand(
        0,
        (last, last),
        log[log.len() - 1..].to_vec(),
        LOG_VERSION + 1,
    );
    assert_eq!(t.town.import_bundle(&first_week).unwrap().quarantined, 1);
    assert_eq!(t.town.import_bundle(&only_the_last).unwrap().quarantined, 1);
    assert_eq!(
        t.town.quarantined().unwrap().len(),
        2,
        "neither covers the other"
    );
    // The resend carries both: the two held before go.
    assert_eq!(t.town.import_bundle(&both_weeks).unwrap().quarantined, 1);
    let held = t.town.quarantined().unwrap();
    assert_eq!(held.len(), 1);
    assert_eq!(held[0].origin, "BX");
    // The same file again is held once.
    t.town.import_bundle(&both_weeks).unwrap();
    assert_eq!(t.town.quarantined().unwrap().len(), 1);
}

#[test]
fn the_same_seq_with_other_content_is_refused_whole() {
    let mut t = Town::new(&["BX"]);
    t.stations[0]
        .add_reception(reception("陈建国", "原文"))
        .unwrap();
    let first = read(&t.station_to_town(0));
    t.town.import_bundle(&first).unwrap();
    let before = t.town.canonical_dump().unwrap();
    let mut log = t.stations[0].changes_since(None, 0, None).unwrap();
    if let Change::ReceptionCreate(reception) = &mut log[0].change {
        reception.matter = "改过的原文".into();
    }
    let forged = t.seal_by_hand(0, (1, 1), log, LOG_VERSION);
    let err = t.town.import_bundle(&forged).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LogBehindPeer);
    assert_eq!(t.town.canonical_dump().unwrap(), before);
}

#[test]
fn a_deputy_edited_at_a_station_and_by_the_town_ends_as_the_towns_with_the_other_shown() {
    let mut t = Town::new(&["BX"]);
    let edit = |phone: &str| -> RosterFile {
        serde_json::from_str(&format!(
            r#"{{"deputies": [{{"name": "李秀英", "congress": "县", "grid": "B01", "station": "BX", "phone": "{phone}"}}]}}"#
        ))
        .unwrap()
    };
    t.stations[0].import_roster(&edit("13911112222")).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(5));
    t.town.import_roster(&edit("13933334444")).unwrap();
    let up = t.station_to_town(0);
    let down = t.town_to(0);
    t.town.import_bundle(&read(&up)).unwrap();
    t.stations[0].import_bundle(&read(&down)).unwrap();
    assert!(
        t.town.conflicts().unwrap().is_empty(),
        "the roster is the town's: station edits stay home"
    );
    for book in [&t.town, &t.stations[0]] {
        let deputy = book
            .deputies()
            .unwrap()
            .into_iter()
            .find(|d| d.deputy.name == "李秀英")
            .unwrap();
        assert_eq!(
            deputy.deputy.phone.as_deref(),
            Some("13933334444"),
            "the later edit wins"
        );
    }
    {
        let conflicts = t.stations[0].conflicts().unwrap();
        assert_eq!(conflicts.len(), 1, "{conflicts:?}");
        assert_eq!(
            (
                conflicts[0].winner_origin.as_str(),
                conflicts[0].loser_origin.as_str()
            ),
            ("QX", "BX")
        );
        assert_eq!(conflicts[0].fields, vec!["phone".to_owned()]);
    }
}

#[test]
fn a_closed_case_stays_closed_when_late_town_events_arrive() {
    let mut t = Town::new(&["BX"]);
    let case = t.stations[0]
        .add_reception(reception("陈建国", "已办结"))
        .unwrap()
        .case_no;
    let up = read(&t.station_to_town(0));
    t.town.import_bundle(&up).unwrap();
    let station = &mut t.stations[0];
    station
        .add_case_event(&case, event(CaseEventKind::Accepted))
        .unwrap();
    station
        .add_case_event(&case, event(CaseEventKind::Closed))
        .unwrap();
    // The town has not heard of the close yet and records a reply after it.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let reply = CaseEventKind::ReplyReceived {
        from: Some("镇自然资源所".into()),
        content: "已处理".into(),
    };
    let referral = CaseEventKind::Referred {
        to: "镇自然资源所".into(),
        deadline: china_now().date_naive() + TimeDelta::days(7),
    };
    t.town.add_case_event(&case, event(referral)).unwrap();
    t.town.add_case_event(&case, event(reply)).unwrap();
    let down = t.town_to(0);
    assert_eq!(
        t.stations[0].import_bundle(&read(&down)).unwrap().applied,
        2
    );
    assert_eq!(
        t.stations[0].case(&case).unwrap().status,
        CaseStatus::Closed
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// Station bundles delivered in any order, duplicated and late, give the town the same book.
    #[test]
    fn delivery_order_does_not_matter(
        plan in prop::collection::vec((0..2usize, 0..3usize, any::<bool>()), 3..12),
        order in prop::collection::vec(any::<prop::sample::Index>(), 0..30),
    ) {
        let mut t = Town::new(&["BX", "NT"]);
        let mut replica = t.town_copy("replica.db");
        let mut bundles = Vec::new();
        let mut cases: Vec<Vec<String>> = vec![Vec::new(), Vec::new()];
        for (who, what, acknowledge) in plan {
            let deputy = if who == 0 { "陈建国" } else { "黄海" };
            if what < 2 || cases[who].is_empty() {
                let case = t.stations[who].add_reception(reception(deputy, "村道路灯损坏")).unwrap().case_no;
                cases[who].push(case);
            } else {
                let case = cases[who][what % cases[who].len()].clone();
                let _ = t.stations[who].add_case_event(&case, event(CaseEventKind::Accepted));
            }
            if let Some(path) = t.station_to_town(who) {
                let bytes = std::fs::read(&path).unwrap();
                t.town.import_bundle(&bytes).unwrap();
                bundles.push(bytes);
                if acknowledge {
                    let receipt = read(&t.town_to(who));
                    t.stations[who].import_bundle(&receipt).unwrap();
                }
            }
        }
        let mut shuffled: Vec<&Vec<u8>> = order.iter().map(|i| i.get(&bundles)).collect();
        shuffled.extend(bundles.iter().rev());
        for bytes in shuffled {
            replica.import_bundle(bytes).unwrap();
        }
        prop_assert!(replica.bundle_status().unwrap().iter().all(|s| s.gaps.is_empty()));
        prop_assert_eq!(replica.canonical_dump().unwrap(), t.town.canonical_dump().unwrap());
    }
}

impl Town {
    /// A consistent copy of station `i`'s book as it is now.
    fn station_copy(&mut self, i: usize, name: &str) -> Book {
        let path = self.dir.path().join(name);
        self.stations[i].backup_to(&path).unwrap();
        Book::open(&path).unwrap()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// Town bundles (roster edits, referrals, receipts) delivered to a station in any order,
    /// duplicated and late, give the station the same book.
    #[test]
    fn town_bundles_in_any_order_give_the_station_the_same_book(
        plan in prop::collection::vec((0..3usize, 0..3usize, any::<bool>()), 2..10),
        order in prop::collection::vec(any::<prop::sample::Index>(), 0..20),
    ) {
        let mut t = Town::new(&["BX"]);
        let mut cases = Vec::new();
        for matter in ["路灯", "水渠", "低保"] {
            cases.push(t.stations[0].add_reception(reception("陈建国", matter)).unwrap().case_no);
        }
        let up = read(&t.station_to_town(0));
        t.town.import_bundle(&up).unwrap();
        let mut replica = t.station_copy(0, "station-replica.db");
        let mut bundles = Vec::new();
        for (step, (what, which, acknowledge)) in plan.into_iter().enumerate() {
            match what {
                0 => {
                    let deadline = china_now().date_naive() + TimeDelta::days(7);
                    let referral = CaseEventKind::Referred { to: format!("第{step}办"), deadline };
                    t.town.add_case_event(&cases[which], event(referral)).unwrap();
                }
                1 => {
                    let roster: RosterFile = serde_json::from_str(&format!(
                        r#"{{"deputies": [{{"name": "李秀英", "congress": "县", "grid": "B01", "station": "BX", "phone": "1391111{:04}"}}]}}"#,
                        step
                    ))
                    .unwrap();
                    t.town.import_roster(&roster).unwrap();
                }
                _ => {}
            }
            if let Some(path) = t.town_to(0) {
                let bytes = std::fs::read(&path).unwrap();
                t.stations[0].import_bundle(&bytes).unwrap();
                bundles.push(bytes);
                if acknowledge && let Some(receipt) = t.station_to_town(0) {
                    let receipt = std::fs::read(receipt).unwrap();
                    t.town.import_bundle(&receipt).unwrap();
                }
            }
        }
        prop_assume!(!bundles.is_empty());
        let mut shuffled: Vec<&Vec<u8>> = order.iter().map(|i| i.get(&bundles)).collect();
        shuffled.extend(bundles.iter().rev());
        for bytes in shuffled {
            replica.import_bundle(bytes).unwrap();
        }
        prop_assert!(replica.bundle_status().unwrap().iter().all(|s| s.gaps.is_empty()));
        prop_assert_eq!(replica.canonical_dump().unwrap(), t.stations[0].canonical_dump().unwrap());
    }
}

#[test]
fn a_station_cannot_create_another_stations_records() {
    let mut t = Town::new(&["BX", "NT"]);
    t.stations[0]
        .add_reception(reception("陈建国", "冒名"))
        .unwrap();
    let mut log = t.stations[0].changes_since(None, 0, None).unwrap();
    for entry in &mut log {
        entry.origin = "NT".into();
    }
    let forged = t.seal_by_hand(1, (1, log.len() as i64), log, LOG_VERSION);
    let before = t.town.canonical_dump().unwrap();
    let err = t.town.import_bundle(&forged).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotOwner);
    assert!(err.to_string().contains("只有该站点本身"), "{err}");
    assert_eq!(t.town.canonical_dump().unwrap(), before);
}

#[test]
fn a_station_that_imported_the_roster_itself_takes_the_towns_roster() {
    let dir = tempfile::tempdir().unwrap();
    let mut town = Book::create(
        &dir.path().join("town.db"),
        "QX",
        "清溪镇人大",
        BookKind::Town,
    )
    .unwrap();
    let mut station = Book::create(
        &dir.path().join("bx.db"),
        "BX",
        "东岭村联络站",
        BookKind::Station,
    )
    .unwrap();
    let roster: RosterFile = serde_json::from_str(ROSTER).unwrap();
    station.import_roster(&roster).unwrap();
    town.import_roster(&roster).unwrap();
    enroll(&mut town, &mut station);
    let bundle = town.export_bundle("BX", &dir.path().join("out")).unwrap();
    station.import_bundle(&read(&bundle.path)).unwrap();
    let stats = station.stats(Some("BX"), None, None).unwrap();
    assert_eq!(stats.receptions, 0);
    let grids: Vec<String> = station
        .canonical_dump()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("grid\t"))
        .map(str::to_owned)
        .collect();
    assert_eq!(grids.len(), 4, "one record per grid code: {grids:?}");
}

#[test]
fn a_pull_request_is_accepted_once_and_only_when_signed_by_the_station() {
    let mut t = Town::new(&["BX"]);
    let request = t.stations[0].pull_request().unwrap();
    t.town.verify_pull(&request).unwrap();
    let replayed = t.town.verify_pull(&request).unwrap_err();
    assert_eq!(replayed.kind(), ErrorKind::BadSignature);
    assert!(replayed.to_string().contains("重放"), "{replayed}");
    let mut forged = t.stations[0].pull_request().unwrap();
    forged.station = "NT".into();
    assert_eq!(
        t.town.verify_pull(&forged).unwrap_err().kind(),
        ErrorKind::UnknownOrigin
    );
    let mut tampered = t.stations[0].pull_request().unwrap();
    tampered.time = "2030-01-01T00:00:00+08:00".into();
    assert_eq!(
        t.town.verify_pull(&tampered).unwrap_err().kind(),
        ErrorKind::BadSignature
    );
}

#[test]
fn a_receipt_outside_a_bundle_is_taken_after_its_signature_is_checked() {
    let mut t = Town::new(&["BX"]);
    t.stations[0]
        .add_reception(reception("陈建国", "上传"))
        .unwrap();
    let sealed = t.stations[0].seal_bundle("QX").unwrap().unwrap();
    t.stations[0].record_export("QX", &sealed).unwrap();
    t.town.import_bundle(&sealed.bytes).unwrap();
    let receipt = t.town.receipt_for("BX").unwrap().unwrap();
    let mut forged = receipt.clone();
    forged.acked_to += 5;
    assert_eq!(
        t.stations[0].take_receipt(&forged).unwrap_err().kind(),
        ErrorKind::BadBundle
    );
    t.stations[0].take_receipt(&receipt).unwrap();
    let status = t.stations[0].bundle_status().unwrap();
    assert_eq!(
        (status[0].acknowledged_seq, status[0].unacknowledged),
        (sealed.to_seq, 0)
    );
}

#[test]
fn bundles_imported_together_are_each_all_or_nothing() {
    let mut t = Town::new(&["BX", "NT"]);
    let reference = t.town_copy("reference.db");
    t.stations[0]
        .add_reception(reception("陈建国", "一起导入"))
        .unwrap();
    t.stations[1]
        .add_reception(reception("黄海", "南塘"))
        .unwrap();
    let bx = read(&t.station_to_town(0));
    let nt = read(&t.station_to_town(1));
    let mut tampered = bx.clone();
    let middle = tampered.len() / 2;
    tampered[middle] ^= 1;
    // Same seq as BX's reception, other content: refused while applying, after others applied.
    let mut log = t.stations[0].changes_since(None, 0, None).unwrap();
    if let Change::ReceptionCreate(reception) = &mut log[0].change {
        reception.matter = "伪造".into();
    }
    let forged = t.seal_by_hand(0, (1, 1), log, LOG_VERSION);

    let results = t.town.import_bundles(&[&bx, &tampered, &forged, &nt, &bx]);
    assert_eq!(results[0].as_ref().unwrap().applied, 1);
    assert_eq!(
        results[1].as_ref().unwrap_err().kind(),
        ErrorKind::BadBundle
    );
    assert_eq!(
        results[2].as_ref().unwrap_err().kind(),
        ErrorKind::LogBehindPeer
    );
    assert_eq!(results[3].as_ref().unwrap().applied, 1);
    assert_eq!(results[4].as_ref().unwrap().duplicates, 1);

    let mut one_by_one = reference;
    one_by_one.import_bundle(&bx).unwrap();
    one_by_one.import_bundle(&nt).unwrap();
    assert_eq!(
        t.town.canonical_dump().unwrap(),
        one_by_one.canonical_dump().unwrap()
    );
}

#[test]
fn a_newer_schema_that_this_version_cannot_decode_is_still_quarantined() {
    let mut t = Town::new(&["BX"]);
    let future = br#"{"changes":[{"origin":"BX","seq":1,"hlc":1,"deputy":null,"schema_version":99,
        "base_hlc":null,"type":"visit_photo_attach","record":{"id":"x","photo":"..."}}],"receipts":[],
        "attachments":[]}"#;
    let newer = t.seal_json_by_hand(0, (1, 1), future, (1, 0), LOG_VERSION + 1);
    assert_eq!(t.town.import_bundle(&newer).unwrap().quarantined, 1);
    let same_schema = t.seal_json_by_hand(0, (1, 1), future, (1, 0), LOG_VERSION);
    assert_eq!(
        t.town.import_bundle(&same_schema).unwrap_err().kind(),
        ErrorKind::BadBundle
    );
    let nonsense_range = t.seal_by_hand(0, (0, 0), vec![], LOG_VERSION);
    assert_eq!(
        t.town.import_bundle(&nonsense_range).unwrap_err().kind(),
        ErrorKind::BadBundle
    );
}

#[test]
fn a_town_restored_from_backup_gets_again_what_it_lost() {
    let mut t = Town::new(&["BX"]);
    t.stations[0]
        .add_reception(reception("陈建国", "第一件"))
        .unwrap();
    let first = read(&t.station_to_town(0));
    t.town.import_bundle(&first).unwrap();
    let backup = t.town_copy("backup.db");
    t.stations[0]
        .add_reception(reception("陈建国", "第二件"))
        .unwrap();
    let second = read(&t.station_to_town(0));
    t.town.import_bundle(&second).unwrap();
    let receipt = read(&t.town_to(0));
    t.stations[0].import_bundle(&receipt).unwrap();
    assert_eq!(t.stations[0].bundle_status().unwrap()[0].unacknowledged, 0);

    // The town's disk dies; it is restored from the backup, which lacks the second reception.
    let mut restored = backup;
    std::thread::sleep(std::time::Duration::from_millis(1100));
    let out = t.dir.path().join("restored-out");
    let lower = restored.export_bundle("BX", &out).unwrap().path;
    t.stations[0].import_bundle(&read(&lower)).unwrap();
    assert!(
        t.stations[0].bundle_status().unwrap()[0].unacknowledged > 0,
        "the newest receipt counts"
    );
    let again = read(&t.station_to_town(0));
    let imported = restored.import_bundle(&again).unwrap();
    assert!(imported.applied > 0);
    assert_eq!(
        restored.stats(Some("BX"), None, None).unwrap().receptions,
        2
    );
}

#[test]
fn a_station_restored_from_an_older_backup_waits_for_the_town_and_loses_nothing() {
    let mut t = Town::new(&["BX"]);
    t.stations[0]
        .add_reception(reception("陈建国", "备份前的一件"))
        .unwrap();
    let backup_path = t.dir.path().join("bx-backup.db");
    t.stations[0].backup_to(&backup_path).unwrap();
    t.stations[0]
        .add_reception(reception("陈建国", "备份后的一件"))
        .unwrap();
    let up = read(&t.station_to_town(0));
    t.town.import_bundle(&up).unwrap();

    // The station's disk dies; it is restored from the backup, which lacks the second one.
    t.stations[0] = Book::open(&backup_path).unwrap();
    let head = t.stations[0].own_last_seq().unwrap();
    let agreed = t.stations[0].bundle_status().unwrap()[0].acknowledged_seq;
    assert!(agreed <= head);
    let receipt = read(&t.town_to(0));
    t.stations[0].import_bundle(&receipt).unwrap();
    let status = &t.stations[0].bundle_status().unwrap()[0];
    assert!(
        status.held_back.as_deref().unwrap().contains("备份"),
        "{status:?}"
    );
    let added = t.stations[0]
        .add_reception(reception("陈建国", "恢复后新登记的一件"))
        .unwrap();
    // Held back, it sends no changes: only its receipt and how far its log surely agrees with
    // the town's, what the town had acknowledged (the reception typed since is not counted,
    // nor what the backup holds beyond that: the town sends it back, as duplicates).
    let out = t.out();
    let exported = t.stations[0].export_bundle("QX", &out).unwrap();
    assert_eq!(
        (exported.changes, exported.from_seq, exported.to_seq),
        (0, agreed + 1, agreed)
    );
    t.town
        .import_bundle(&std::fs::read(exported.path.unwrap()).unwrap())
        .unwrap();
    // The town sends the lost one back; it takes the seq and the case number of the one typed
    // since the restore, which follows it under the next ones, its old number remembered.
    let back = read(&t.town_to(0));
    let imported = t.stations[0].import_bundle(&back).unwrap();
    assert_eq!((imported.recovered, imported.renumbered), (1, 1));
    let lost = t.stations[0].case(&added.case_no).unwrap().reception;
    assert_eq!(lost.matter, "备份后的一件");
    let typed = t.stations[0]
        .list_cases(&casebook::store::read::CaseFilter {
            query: Some("恢复后".into()),
            limit: 10,
            ..Default::default()
        })
        .unwrap();
    let typed = t.stations[0].case(&typed[0].case_no).unwrap().reception;
    assert_eq!(typed.matter, "恢复后新登记的一件");
    assert_eq!(typed.former_case_no, Some(added.case_no));
    assert!(
        t.stations[0].bundle_status().unwrap()[0]
            .held_back
            .is_none()
    );
    let up = read(&t.station_to_town(0));
    t.town.import_bundle(&up).unwrap();
    assert_eq!(t.town.stats(Some("BX"), None, None).unwrap().receptions, 3);
}

#[test]
fn a_receipt_lost_on_a_stick_is_sent_again() {
    let mut t = Town::new(&["BX"]);
    t.stations[0]
        .add_reception(reception("陈建国", "回执丢失"))
        .unwrap();
    let up = read(&t.station_to_town(0));
    t.town.import_bundle(&up).unwrap();
    let lost_receipt = t.town_to(0);
    assert!(lost_receipt.is_some());
    assert!(t.town_to(0).is_none(), "nothing new for BX");
    // The stick with the receipt never arrives; the station sends its backlog again.
    let again = read(&t.station_to_town(0));
    assert_eq!(t.town.import_bundle(&again).unwrap().duplicates, 1);
    let resent = t.town_to(0);
    t.stations[0].import_bundle(&read(&resent)).unwrap();
    assert_eq!(t.stations[0].bundle_status().unwrap()[0].unacknowledged, 0);
}
