//! The tier above the town (issue 17): three towns relay their twenty stations' logs to a
//! county hub, the `liaison-hub` binary on a county book, over the same signed push and pull
//! a station uses. Every station's cases reach the county once; a town that changes a relayed
//! station bundle, a town that relays another town's station, and a relayed record that breaks
//! ownership at the county are refused.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::process::Child;
use std::sync::{Arc, Mutex};

use casebook::domain::RosterFile;
use casebook::store::BookKind;
use casebook::{Book, ErrorKind};
use liaison_sync::{Hub, SharedBook, SyncError, sync_once};
use liaison_testkit::{case_numbers, enroll, reception};

const COUNTY: &str = "XC";
/// Three towns of 7, 7 and 6 stations.
const TOWNS: [(&str, usize); 3] = [("QA", 7), ("QB", 7), ("QC", 6)];
const RECEPTIONS_PER_STATION: usize = 2;

fn stations_of(town: &str, count: usize) -> Vec<String> {
    (1..=count).map(|i| format!("{town}{i:02}")).collect()
}

fn deputy_of(station: &str) -> String {
    format!("代表{station}")
}

/// A town's roster: its own grids (codes headed by the town's code, unique in the county),
/// its stations and one deputy each.
fn roster_of(town: &str, stations: &[String]) -> RosterFile {
    let grid = |suffix: &str| format!("{town}{suffix}");
    serde_json::from_value(serde_json::json!({
        "grids": [
            {"code": grid("C"), "name": format!("{town}镇中心网格"), "level": "center"},
            {"code": grid("A"), "name": format!("{town}镇片区网格"), "level": "area", "parent": grid("C")},
            {"code": grid("B"), "name": format!("{town}镇基础网格"), "level": "base", "parent": grid("A")},
        ],
        "stations": stations.iter().map(|code| serde_json::json!({
            "code": code, "name": format!("{code}联络站"), "level": "base", "grid": grid("B"),
        })).collect::<Vec<_>>(),
        "deputies": stations.iter().map(|code| serde_json::json!({
            "name": deputy_of(code), "congress": "town", "grid": grid("B"), "station": code,
        })).collect::<Vec<_>>(),
    }))
    .unwrap()
}

/// Sends what `from` has not acknowledged to `to` as a file would go, and records it sent.
fn carry(from: &mut Book, to: &mut Book) {
    let code = to.origin().code.clone();
    if let Some(sealed) = from.seal_bundle(&code).unwrap() {
        to.import_bundle(&sealed.bytes).unwrap();
        from.record_export(&code, &sealed).unwrap();
    }
}

struct County {
    dir: tempfile::TempDir,
    hub: Child,
    url: String,
    towns: BTreeMap<String, SharedBook>,
    stations: BTreeMap<String, Book>,
}

impl County {
    /// The county's book and hub, three towns enrolled with it (relaying to it), each town's
    /// stations enrolled with their town holding its roster, and two receptions at each
    /// station that reached its town.
    fn start() -> County {
        let dir = tempfile::tempdir().unwrap();
        let mut county = Book::create(
            &dir.path().join("county.db"),
            COUNTY,
            "溪城县人大",
            BookKind::County,
        )
        .unwrap();
        let mut towns = BTreeMap::new();
        let mut stations = BTreeMap::new();
        for (town_code, count) in TOWNS {
            let path = dir.path().join(format!("{town_code}.db"));
            let mut town = Book::create(
                &path,
                town_code,
                &format!("{town_code}镇人大"),
                BookKind::Town,
            )
            .unwrap();
            let codes = stations_of(town_code, count);
            town.import_roster(&roster_of(town_code, &codes)).unwrap();
            for code in codes {
                let path = dir.path().join(format!("{code}.db"));
                let mut station =
                    Book::create(&path, &code, &format!("{code}联络站"), BookKind::Station)
                        .unwrap();
                enroll(&mut town, &mut station);
                carry(&mut town, &mut station);
                for n in 1..=RECEPTIONS_PER_STATION {
                    station
                        .add_reception(reception(&deputy_of(&code), &format!("{code}的第{n}件")))
                        .unwrap();
                }
                carry(&mut station, &mut town);
                stations.insert(code, station);
            }
            enroll(&mut county, &mut town);
            town.set_relay(COUNTY).unwrap();
            towns.insert(town_code.to_owned(), Arc::new(Mutex::new(town)));
        }
        drop(county);
        let (hub, address) = common::spawn_hub(&dir.path().join("county.db"), &[] as &[&str]);
        County {
            dir,
            hub,
            url: format!("http://{address}"),
            towns,
            stations,
        }
    }

    async fn sync(&self, town: &str) -> Result<liaison_sync::SyncOutcome, SyncError> {
        let hub = Hub {
            url: self.url.clone(),
            code: COUNTY.into(),
        };
        sync_once(&self.towns[town], &hub, &reqwest::Client::new()).await
    }

    /// The county's book as it is on disk now (the hub holds it open; SQLite reads beside it).
    fn county_book(&self) -> Book {
        Book::open(&self.dir.path().join("county.db")).unwrap()
    }

    fn town(&self, code: &str) -> std::sync::MutexGuard<'_, Book> {
        self.towns[code].lock().unwrap()
    }
}

impl Drop for County {
    fn drop(&mut self) {
        let _ = self.hub.kill();
        let _ = self.hub.wait();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_towns_relay_twenty_stations_to_the_county_once_each() {
    let county = County::start();
    for (town, _) in TOWNS {
        let outcome = county
            .sync(town)
            .await
            .expect("the town syncs with the county");
        assert!(outcome.pulled.is_some(), "the county's receipts came down");
    }
    // Again: what the county acknowledged is not sent a second time.
    for (town, _) in TOWNS {
        let again = county.sync(town).await.unwrap();
        assert_eq!(again.pushed, 0, "{town}: {again:?}");
        let overview = county.town(town).relay_overview().unwrap();
        assert_eq!(overview.relay_to.as_deref(), Some(COUNTY));
        for station in &overview.stations {
            assert_eq!(station.waiting, 0, "{town}: {station:?}");
            assert!(
                station.held_to >= 2,
                "the county's receipt reached {town}: {station:?}"
            );
        }
    }

    let book = county.county_book();
    let mut expected: Vec<String> = county.stations.values().flat_map(case_numbers).collect();
    expected.sort();
    assert_eq!(expected.len(), 20 * RECEPTIONS_PER_STATION);
    assert_eq!(case_numbers(&book), expected, "every case once, none other");

    let relayed = book.relayed_origins().unwrap();
    assert_eq!(relayed.len(), 20);
    for origin in &relayed {
        assert!(origin.station.starts_with(&origin.town), "{origin:?}");
    }
    // Statistics per town and for the county read the relayed stations.
    assert_eq!(book.stats(None, None, None).unwrap().receptions, 40);
    for (town, count) in TOWNS {
        let stats = book.stats(Some(town), None, None).unwrap();
        assert_eq!(
            stats.receptions as usize,
            count * RECEPTIONS_PER_STATION,
            "{town}"
        );
        assert_eq!(stats.deputies.len(), count, "{town}'s deputies only");
    }
    let one = book.stats(Some("QB03"), None, None).unwrap();
    assert_eq!(one.receptions as usize, RECEPTIONS_PER_STATION);
    // A relayed station's code cannot be enrolled as a town of the county.
    let mut book = book;
    let keys = county.stations["QA01"].public_keys();
    let err = book
        .add_peer("QA01", &keys.sign_public, &keys.seal_public)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
}

/// One more reception at station `code`, carried to its town: a bundle the town now keeps for
/// the county.
fn one_more_visit(county: &mut County, code: &str, matter: &str) {
    let town_code = &code[..2];
    let station = county.stations.get_mut(code).unwrap();
    station
        .add_reception(reception(&deputy_of(code), matter))
        .unwrap();
    let mut town = county.towns[town_code].lock().unwrap();
    carry(station, &mut town);
}

fn refused_as(result: Result<liaison_sync::SyncOutcome, SyncError>, kind: ErrorKind) -> String {
    match result {
        Err(SyncError::Refused {
            kind: refused,
            message,
        }) if refused == kind => message,
        other => panic!("expected a {kind:?} refusal, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayed_entry_changed_by_its_town_is_refused() {
    let mut county = County::start();
    county.sync("QA").await.unwrap();
    let held = case_numbers(&county.county_book());
    one_more_visit(&mut county, "QA01", "原话：村道路灯不亮");

    // The town's PC is compromised: it rewrites what the station said in the bundle it keeps,
    // then relays it under its own, valid signature.
    let path = county.dir.path().join("QA.db");
    let db = rusqlite::Connection::open(&path).unwrap();
    let (hash, payload): (String, Vec<u8>) = db
        .query_row(
            "SELECT file_hash, payload FROM relay_units WHERE origin = 'QA01'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    let json = String::from_utf8(zstd::decode_all(payload.as_slice()).unwrap()).unwrap();
    assert!(json.contains("原话：村道路灯不亮"));
    let forged = zstd::bulk::compress(json.replace("原话", "篡改").as_bytes(), 3).unwrap();
    db.execute(
        "UPDATE relay_units SET payload = ?1 WHERE file_hash = ?2",
        rusqlite::params![forged, hash],
    )
    .unwrap();
    let message = refused_as(county.sync("QA").await, ErrorKind::BadBundle);
    assert!(message.contains("QA01"), "{message}");
    assert!(message.contains("校验值不符"), "{message}");

    // Nor can it change the station's signed header to match: the signature breaks.
    let mut file: Vec<u8> = db
        .query_row(
            "SELECT file FROM relay_units WHERE file_hash = ?1",
            [&hash],
            |row| row.get(0),
        )
        .unwrap();
    let header_start = casebook::bundle::format::PREFIX_LEN;
    let header_len = casebook::bundle::format::header_len(&file).unwrap();
    let header = String::from_utf8(file[header_start..header_start + header_len].to_vec()).unwrap();
    let old_hash = casebook::bundle::format::payload_hash(&payload);
    let new_hash = casebook::bundle::format::payload_hash(&forged);
    let rewritten = header.replace(&old_hash, &new_hash);
    assert_ne!(rewritten, header);
    file.splice(
        header_start..header_start + header_len,
        rewritten.into_bytes(),
    );
    db.execute(
        "UPDATE relay_units SET file = ?1 WHERE file_hash = ?2",
        rusqlite::params![file, hash],
    )
    .unwrap();
    let message = refused_as(county.sync("QA").await, ErrorKind::BadBundle);
    assert!(message.contains("签名验证失败"), "{message}");
    assert_eq!(
        case_numbers(&county.county_book()),
        held,
        "nothing of the refused bundles reached the county"
    );
    // Other towns are not held up by one town's refusal.
    county.sync("QB").await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_station_relayed_through_another_town_is_refused() {
    let county = County::start();
    county.sync("QA").await.unwrap();
    // Town QB enrols a station under QA01's code (its own PC, its own keys): its relay of
    // that station is refused, and nothing of its bundle is applied.
    {
        let mut town = county.town("QB");
        let impostor = Book::create(
            &county.dir.path().join("impostor.db"),
            "QA01",
            "冒名联络站",
            BookKind::Station,
        )
        .unwrap();
        let keys = impostor.public_keys();
        town.add_peer(&keys.origin, &keys.sign_public, &keys.seal_public)
            .unwrap();
    }
    let message = refused_as(county.sync("QB").await, ErrorKind::NotOwner);
    assert!(message.contains("QA01由QA转报"), "{message}");
    let book = county.county_book();
    assert!(
        book.relayed_origins()
            .unwrap()
            .iter()
            .all(|origin| origin.town != "QB"),
        "none of QB's stations was taken from the refused bundle"
    );
    assert_eq!(
        book.stats(Some("QA"), None, None).unwrap().receptions as usize,
        7 * RECEPTIONS_PER_STATION,
        "QA's stations are as they were"
    );
}

/// A town book's own path: it is not a county, so a bundle that relays is refused there.
#[test]
fn only_a_county_takes_relayed_bundles() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name);
    let mut town = Book::create(&path("qa.db"), "QA", "QA镇人大", BookKind::Town).unwrap();
    let mut other = Book::create(&path("qb.db"), "QB", "QB镇人大", BookKind::Town).unwrap();
    town.import_roster(&roster_of("QA", &stations_of("QA", 1)))
        .unwrap();
    enroll(&mut town, &mut other);
    town.set_relay("QB").unwrap();
    let sealed = town.seal_bundle("QB").unwrap().unwrap();
    let err = other.import_bundle(&sealed.bytes).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
    assert!(err.to_string().contains("不是县级台账"), "{err}");
    assert!(other.relayed_origins().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_referral_and_a_station_that_synced_before_the_relay_reach_the_county() {
    let mut county = County::start();
    // QC01 synced with its town before the town kept stations' bundles for a county (a town
    // upgraded to this version): none of its first bundles is kept.
    let kept = rusqlite::Connection::open(county.dir.path().join("QC.db"))
        .unwrap()
        .execute("DELETE FROM relay_units WHERE origin = 'QC01'", [])
        .unwrap();
    assert_eq!(kept, 1);
    {
        // The town's receipt reaches the station: its next bundle starts after what it held.
        let mut town = county.towns["QC"].lock().unwrap();
        carry(&mut town, county.stations.get_mut("QC01").unwrap());
    }
    one_more_visit(&mut county, "QC01", "升级后的第一件");
    // The town refers one of QA01's cases to an office.
    let referred = case_numbers(&county.stations["QA01"])[0].clone();
    let referral = casebook::domain::CaseEventKind::Referred {
        to: "镇农业农村办".into(),
        deadline: casebook::time::china_now().date_naive() + chrono::TimeDelta::days(7),
    };
    county
        .town("QA")
        .add_case_event(
            &referred,
            casebook::domain::CaseEventInput {
                at: None,
                deputy: None,
                note: None,
                kind: referral,
            },
        )
        .unwrap();
    for (town, _) in TOWNS {
        county.sync(town).await.unwrap();
        // Nothing waits at the town once the county's receipts are in.
        county.sync(town).await.unwrap();
    }

    let book = county.county_book();
    let case = book.case(&referred).unwrap();
    assert!(
        case.timeline
            .iter()
            .any(|entry| format!("{entry:?}").contains("镇农业农村办")),
        "the town's referral reached the county: {:?}",
        case.timeline
    );
    let qc01 = book
        .relayed_origins()
        .unwrap()
        .into_iter()
        .find(|origin| origin.station == "QC01")
        .unwrap();
    let head = county.stations["QC01"].own_last_seq().unwrap();
    assert!(qc01.held_from > 1, "{qc01:?}");
    assert_eq!(qc01.held_to, head, "{qc01:?}");
    let at_county = case_numbers(&book);
    let station_cases = case_numbers(&county.stations["QC01"]);
    assert_eq!(station_cases.len(), RECEPTIONS_PER_STATION + 1);
    assert!(at_county.contains(station_cases.last().unwrap()));
    for earlier in &station_cases[..RECEPTIONS_PER_STATION] {
        assert!(!at_county.contains(earlier), "{earlier} was never kept");
    }
    let waiting = county.town("QC").relay_overview().unwrap();
    assert!(
        waiting.stations.iter().all(|station| station.waiting == 0),
        "{waiting:?}"
    );
}

/// Two stations of two towns whose receptions share a record id (a forger's id source, or a
/// broken PC's): each town takes its own, but at the county the second is another station's
/// record, and its town's relay is refused as `not_owner`, as a town refuses a station's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_relayed_record_that_breaks_ownership_at_the_county_is_refused() {
    let mut county = County::start();
    let shared = uuid::Uuid::from_u128(0x0193_0000_0000_7000_8000_0000_0000_0042);
    for code in ["QA02", "QB02"] {
        let station = county.stations.get_mut(code).unwrap();
        station.set_id_source(Some(Box::new(move |_| shared)));
        one_more_visit(&mut county, code, "同一个记录编号");
    }
    county.sync("QA").await.unwrap();
    let held = case_numbers(&county.county_book());
    let message = refused_as(county.sync("QB").await, ErrorKind::NotOwner);
    assert!(message.contains("QB02"), "{message}");
    assert!(message.contains("已属于QA02"), "{message}");
    assert_eq!(
        case_numbers(&county.county_book()),
        held,
        "nothing of QB's bundle"
    );
    // QC is not held up.
    county.sync("QC").await.unwrap();
}
