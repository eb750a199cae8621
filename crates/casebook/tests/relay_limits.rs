//! A town that asks its county for too much in a relay, from the town's side: its bundles are
//! signed and sealed properly, and each limit refuses the whole bundle before anything is kept.
#![allow(clippy::unwrap_used)]

use std::path::{Path, PathBuf};

use base64::Engine;
use casebook::bundle::format::{Payload, RELAY_VERSION, Relay, RelayedStation};
use casebook::bundle::{MAX_KEYS_PER_STATION, MAX_RELAYED_STATIONS};
use casebook::store::BookKind;
use casebook::{Book, ErrorKind};
use liaison_testkit::enroll;
use liaison_testkit::hostile::seal_payload_as;

/// A county book and a town enrolled with it; the town's path, for its signing key.
fn county_and_town(dir: &Path) -> (Book, Book, PathBuf) {
    let mut county = Book::create(
        &dir.join("xc.db"),
        "XC",
        "溪城县人大常委会",
        BookKind::County,
    )
    .unwrap();
    let path = dir.join("qa.db");
    let mut town = Book::create(&path, "QA", "QA镇人大", BookKind::Town).unwrap();
    enroll(&mut county, &mut town);
    (county, town, path)
}

/// A station's verifying key, made from `seed` (base64).
fn key(seed: u8) -> String {
    let signing = ed25519_dalek::SigningKey::from_bytes(&[seed; 32]);
    base64::engine::general_purpose::STANDARD.encode(signing.verifying_key().as_bytes())
}

/// What the town sends: a relay vouching `stations`, no units, no changes of its own.
fn relay(county: &Book, town: &Book, path: &Path, stations: Vec<RelayedStation>) -> Vec<u8> {
    let payload = Payload {
        relay: Some(Relay {
            stations,
            units: Vec::new(),
        }),
        ..Payload::default()
    };
    seal_payload_as(RELAY_VERSION, town, path, county, &payload, (1, 0))
}

fn station(code: &str, seed: u8) -> RelayedStation {
    RelayedStation {
        code: code.into(),
        sign_public: key(seed),
    }
}

#[test]
fn a_relay_naming_a_station_twice_or_too_many_stations_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut county, town, path) = county_and_town(dir.path());
    let twice = relay(
        &county,
        &town,
        &path,
        vec![station("QA01", 1), station("QA01", 2)],
    );
    let err = county.import_bundle(&twice).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
    assert!(err.to_string().contains("重复报送了站点QA01"), "{err}");

    let many = (0..=MAX_RELAYED_STATIONS)
        .map(|i| station(&format!("S{i:05}"), 1))
        .collect();
    let err = county
        .import_bundle(&relay(&county, &town, &path, many))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
    assert!(err.to_string().contains("超过"), "{err}");
    assert!(county.relayed_origins().unwrap().is_empty(), "nothing kept");
}

/// A town that vouches a new key for its station again and again (each a "new PC"): the county
/// keeps 16, then refuses the town's bundle, so no check of that station tries keys without end.
#[test]
fn a_town_that_rekeys_its_station_without_end_is_refused_past_the_cap() {
    let dir = tempfile::tempdir().unwrap();
    let (mut county, town, path) = county_and_town(dir.path());
    for seed in 1..=u8::try_from(MAX_KEYS_PER_STATION).unwrap() {
        let bundle = relay(&county, &town, &path, vec![station("QA01", seed)]);
        county.import_bundle(&bundle).unwrap();
    }
    let over = relay(&county, &town, &path, vec![station("QA01", 200)]);
    let err = county.import_bundle(&over).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotOwner, "{err}");
    assert!(err.to_string().contains("不再接受"), "{err}");
    // A key it vouched before is still taken.
    let again = relay(&county, &town, &path, vec![station("QA01", 3)]);
    county.import_bundle(&again).unwrap();
}
