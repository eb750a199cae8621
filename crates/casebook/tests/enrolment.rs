//! Enrolment in one file each way: the town writes `BX.enrol`, the new PC makes its book from it
//! and answers with `BX.keys`, the town accepts that; then bundles flow both ways with no key
//! typed. And from the side of whoever hands over a file: tampered, cut short, for another town,
//! for a station the roster does not hold, or new keys for a station already enrolled.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;

use casebook::bundle::{Enrolment, fingerprint};
use casebook::domain::{AuditAction, AuditChannel};
use casebook::store::BookKind;
use casebook::store::audit::AuditFilter;
use casebook::{Book, ErrorKind};
use liaison_testkit::{reception, roster};

const PASSPHRASE: &str = "东岭村联络站2026";

/// A town book `QX` with the fixture roster (station BX), as the town office has it.
fn town_book(dir: &Path, code: &str) -> Book {
    let mut town = Book::create(
        &dir.join(format!("{code}.db")),
        code,
        "清溪镇人大",
        BookKind::Town,
    )
    .unwrap();
    town.set_channel(AuditChannel::Cli);
    town.import_roster(&roster()).unwrap();
    town
}

fn is_fingerprint(text: &str) -> bool {
    let groups: Vec<&str> = text.split(' ').collect();
    groups.len() == 6
        && groups
            .iter()
            .all(|group| group.len() == 4 && group.bytes().all(|b| b.is_ascii_digit()))
}

#[test]
fn a_station_made_from_the_town_s_file_syncs_with_no_key_typed() {
    let dir = tempfile::tempdir().unwrap();
    let stick = dir.path().join("U盘");
    let mut town = town_book(dir.path(), "QX");

    let written = town.write_enrolment("BX", &stick).unwrap();
    assert_eq!(written.path, stick.join("BX.enrol"));
    assert_eq!(written.station_name, "东岭村人大代表联络站");
    assert!(
        is_fingerprint(&written.fingerprint),
        "{}",
        written.fingerprint
    );
    assert_eq!(
        written.fingerprint,
        fingerprint(&town.public_keys()).unwrap()
    );
    assert!(written.records >= 8, "grids, stations, deputies, duty");

    // The new PC reads the file first and shows the station and the town's fingerprint.
    let enrolment = Enrolment::read_file(&written.path).unwrap();
    assert_eq!(enrolment.station, "BX");
    assert_eq!(enrolment.town.origin, "QX");
    assert_eq!(enrolment.town_name, "清溪镇人大");
    assert_eq!(enrolment.town_fingerprint, written.fingerprint);
    let book_path = dir.path().join("新电脑").join("bx.db");
    std::fs::create_dir_all(book_path.parent().unwrap()).unwrap();
    let (mut station, enrolled) =
        Book::enrol_new_station(&book_path, &enrolment, Some(PASSPHRASE), &stick).unwrap();
    assert!(station.is_encrypted());
    assert_eq!(station.origin().code, "BX");
    assert_eq!(station.origin().name, "东岭村人大代表联络站");
    assert_eq!(
        station.recovery_town(),
        Some("QX"),
        "the town can reopen it"
    );
    assert_eq!(enrolled.keys_path, stick.join("BX.keys"));
    assert_eq!(
        enrolled.station_fingerprint,
        fingerprint(&station.public_keys()).unwrap()
    );
    assert_ne!(enrolled.station_fingerprint, enrolled.town_fingerprint);
    let names = |book: &Book| -> Vec<String> {
        book.deputies()
            .unwrap()
            .into_iter()
            .map(|listing| listing.deputy.name)
            .collect()
    };
    assert_eq!(
        names(&station),
        names(&town),
        "the roster came with the file"
    );
    assert_eq!(station.peers().unwrap()[0].code, "QX");

    let accepted = town
        .accept_station_keys(&std::fs::read(&enrolled.keys_path).unwrap(), false)
        .unwrap();
    assert_eq!(accepted.station, "BX");
    assert_eq!(accepted.fingerprint, enrolled.station_fingerprint);
    assert!(!accepted.replaced && !accepted.unchanged);

    // A reception goes to the town, the town's answer comes back: nothing else to set up.
    station
        .add_reception(reception("陈建国", "东岭村渡槽漏水"))
        .unwrap();
    let up = station
        .seal_bundle("QX")
        .unwrap()
        .expect("a reception to send");
    station.record_export("QX", &up).unwrap();
    let imported = town.import_bundle(&up.bytes).unwrap();
    assert_eq!(imported.applied, 1);
    let down = town
        .seal_bundle("BX")
        .unwrap()
        .expect("a receipt and the roster");
    town.record_export("BX", &down).unwrap();
    let imported = station.import_bundle(&down.bytes).unwrap();
    assert_eq!(
        imported.applied, 0,
        "the roster was already in: {imported:?}"
    );
    assert_eq!(imported.receipts, 1);

    // Accepting the same file again changes nothing.
    let again = town
        .accept_station_keys(&std::fs::read(&enrolled.keys_path).unwrap(), false)
        .unwrap();
    assert!(again.unchanged && !again.replaced);
}

/// The town's peers, as they stand.
fn peers(book: &Book) -> Vec<(String, String)> {
    book.peers()
        .unwrap()
        .into_iter()
        .map(|peer| (peer.code, peer.sign_public))
        .collect()
}

#[test]
fn a_bad_enrolment_file_makes_no_book() {
    let dir = tempfile::tempdir().unwrap();
    let mut town = town_book(dir.path(), "QX");
    let written = town.write_enrolment("BX", dir.path()).unwrap();
    let bytes = std::fs::read(&written.path).unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();

    let tampered = text.replacen("东岭村人大代表联络站", "西岭村人大代表联络站", 1);
    assert_ne!(tampered, text);
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("tampered", tampered.into_bytes()),
        ("truncated", bytes[..bytes.len() / 2].to_vec()),
        ("empty", Vec::new()),
        ("a keys file", b"{\"format\":\"liaison-station-keys\",\"version\":1,\"body\":\"{}\",\"signature\":\"\"}".to_vec()),
        ("too large", vec![b' '; 17 << 20]),
    ];
    for (what, bytes) in cases {
        let err = Enrolment::read(&bytes).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadEnrolment, "{what}: {err}");
    }

    // Signed right by the town's key, but carrying a record the town does not own (a
    // reception of station BX written as the town's): the book is begun, refused, and removed.
    let mut scratch = Book::create_in_memory("BX", "东岭村联络站", BookKind::Station).unwrap();
    scratch.import_roster(&roster()).unwrap();
    scratch
        .add_reception(reception("陈建国", "冒充镇人大的接待"))
        .unwrap();
    let mut forged: serde_json::Value = scratch
        .changes_since(None, 0, None)
        .unwrap()
        .into_iter()
        .find(|entry| entry.change.entity() == "reception")
        .map(|entry| serde_json::to_value(entry).unwrap())
        .unwrap();
    let file: serde_json::Value = serde_json::from_slice(&bytes).unwrap();
    let mut body: serde_json::Value = serde_json::from_str(file["body"].as_str().unwrap()).unwrap();
    let to_seq = body["to_seq"].as_i64().unwrap() + 1;
    forged["origin"] = "QX".into();
    forged["seq"] = to_seq.into();
    body["to_seq"] = to_seq.into();
    body["changes"].as_array_mut().unwrap().push(forged);
    let body = body.to_string();
    let key = liaison_testkit::hostile::signing_key(&dir.path().join("QX.db"));
    let signature = ed25519_dalek::Signer::sign(
        &key,
        &[b"liaison-enrolment\0".as_slice(), body.as_bytes()].concat(),
    );
    let crafted = serde_json::json!({
        "format": "liaison-enrolment",
        "version": 1,
        "body": body,
        "signature": base64::Engine::encode(
            &base64::engine::general_purpose::STANDARD,
            signature.to_bytes(),
        ),
    });
    let enrolment = Enrolment::read(crafted.to_string().as_bytes()).expect("signed right");
    let book_path = dir.path().join("bx.db");
    let err = Book::create_from_enrolment(&book_path, &enrolment, Some(PASSPHRASE)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotOwner, "{err}");
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with("bx.db"))
        .collect();
    assert!(left.is_empty(), "nothing is left of the book: {left:?}");
}

#[test]
fn the_town_writes_files_only_for_stations_of_its_roster_and_only_as_the_town() {
    let dir = tempfile::tempdir().unwrap();
    let mut town = town_book(dir.path(), "QX");
    let err = town.write_enrolment("ZZ", dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
    assert!(!dir.path().join("ZZ.enrol").exists());

    let mut station = Book::create(
        &dir.path().join("bx.db"),
        "BX",
        "东岭村联络站",
        BookKind::Station,
    )
    .unwrap();
    let err = station.write_enrolment("BX", dir.path()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
    let keys = b"{}";
    let err = station.accept_station_keys(keys, false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
}

/// A station book made from `town`'s file for `code`, and its keys file's bytes.
fn new_station(dir: &Path, town: &mut Book, code: &str, pc: &str) -> (Book, Vec<u8>) {
    let out = dir.join(pc);
    let written = town.write_enrolment(code, &out).unwrap();
    let enrolment = Enrolment::read_file(&written.path).unwrap();
    let (book, enrolled) =
        Book::enrol_new_station(&out.join("book.db"), &enrolment, None, &out).unwrap();
    (book, std::fs::read(enrolled.keys_path).unwrap())
}

#[test]
fn the_town_accepts_only_a_whole_answer_to_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut town = town_book(dir.path(), "QX");
    let (_, keys) = new_station(dir.path(), &mut town, "BX", "pc1");
    let before = peers(&town);

    // Tampered (another key put in), cut short, or not a keys file at all.
    let text = String::from_utf8(keys.clone()).unwrap();
    let other = Book::create_in_memory("BX", "假冒", BookKind::Station).unwrap();
    let body: serde_json::Value = serde_json::from_str(
        serde_json::from_str::<serde_json::Value>(&text).unwrap()["body"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let own_sign = body["keys"]["sign_public"].as_str().unwrap().to_owned();
    let swapped = text.replace(&own_sign, &other.public_keys().sign_public);
    assert_ne!(swapped, text);
    for (what, bytes) in [
        ("swapped key", swapped.into_bytes()),
        ("truncated", keys[..keys.len() - 40].to_vec()),
        ("garbage", b"not json".to_vec()),
    ] {
        let err = town.accept_station_keys(&bytes, false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadEnrolment, "{what}: {err}");
    }

    // The answer to another town's file: that town is also called QX here, and its roster
    // has a station XY that this town's does not; and one called QY with the same station.
    let other_dir = dir.path().join("other");
    std::fs::create_dir_all(&other_dir).unwrap();
    let mut impostor = town_with_station(&other_dir, "QX", "XY");
    let (_, answer) = new_station(&other_dir, &mut impostor, "XY", "pc");
    let err = town.accept_station_keys(&answer, false).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::NotFound,
        "XY is not in the roster: {err}"
    );
    let mut elsewhere = town_with_station(&other_dir, "QY", "BX");
    let (_, answer) = new_station(&other_dir, &mut elsewhere, "BX", "pc2");
    let err = town.accept_station_keys(&answer, false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadEnrolment, "for town QY: {err}");
    assert!(err.to_string().contains("QY"), "{err}");
    // Same town code, same station, another town's key: the token is not this town's.
    let twin_dir = dir.path().join("twin");
    std::fs::create_dir_all(&twin_dir).unwrap();
    let mut twin = town_book(&twin_dir, "QX");
    let (_, answer) = new_station(&twin_dir, &mut twin, "BX", "pc3");
    let err = town.accept_station_keys(&answer, false).unwrap_err();
    assert_eq!(
        err.kind(),
        ErrorKind::BadEnrolment,
        "another QX's file: {err}"
    );
    assert_eq!(peers(&town), before, "nothing enrolled");
}

/// A town book `code` whose roster also holds station `station`.
fn town_with_station(dir: &Path, code: &str, station: &str) -> Book {
    let mut book = town_book(dir, code);
    let mut extra = roster();
    extra.grids.clear();
    extra.deputies.clear();
    extra.duty.clear();
    for input in &mut extra.stations {
        input.code = station.to_owned();
        input.name = format!("{station}村人大代表联络站");
    }
    book.import_roster(&extra).unwrap();
    book
}

#[test]
fn a_new_pc_for_an_enrolled_station_needs_replace_keys_and_is_on_the_trail() {
    let dir = tempfile::tempdir().unwrap();
    let mut town = town_book(dir.path(), "QX");
    let (_, first) = new_station(dir.path(), &mut town, "BX", "pc1");
    town.accept_station_keys(&first, false).unwrap();
    let before = peers(&town);

    let (mut replacement, second) = new_station(dir.path(), &mut town, "BX", "pc2");
    let err = town.accept_station_keys(&second, false).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::AlreadyExists, "{err}");
    assert!(err.to_string().contains("--replace-keys"), "{err}");
    assert_eq!(peers(&town), before, "the old keys stay");

    // What the town office is shown before it decides: the new keys would replace the old.
    let checked = town.check_station_keys(&second).unwrap();
    assert!(checked.replaced && !checked.unchanged);
    assert_eq!(checked.station_name, "东岭村人大代表联络站");
    assert_eq!(peers(&town), before, "checking writes nothing");

    let accepted = town.accept_station_keys(&second, true).unwrap();
    assert!(accepted.replaced);
    assert_eq!(
        peers(&town),
        vec![("BX".to_owned(), replacement.public_keys().sign_public)]
    );
    let replaced = town
        .audit_trail(&AuditFilter {
            action: Some(AuditAction::PeerKeysReplace),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(replaced.len(), 1);
    assert_eq!(replaced[0].entry.subject.as_deref(), Some("BX"));

    // The new PC's bundles are taken; the old PC's key is no longer the station's.
    replacement
        .add_reception(reception("陈建国", "新电脑上的第一件"))
        .unwrap();
    let up = replacement.seal_bundle("QX").unwrap().unwrap();
    assert_eq!(town.import_bundle(&up.bytes).unwrap().applied, 1);
}
