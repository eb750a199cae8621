//! Helpers shared by the tests and benchmarks of every crate: books that know each other, the
//! fixture roster, a valid reception to record, hostile peers and a station on the previous
//! release. Test code only; it panics on failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

pub mod hostile;
pub mod postgres;
pub mod previous_release;

use std::path::{Path, PathBuf};

use casebook::Book;
use casebook::domain::{Channel, ReceptionInput, RosterFile, Visitor};
use casebook::store::BookKind;
use casebook::time::china_now;
use chrono::TimeDelta;

/// Enrolls two books with each other by their public keys.
pub fn enroll(a: &mut Book, b: &mut Book) {
    let (ka, kb) = (a.public_keys(), b.public_keys());
    a.add_peer(&kb.origin, &kb.sign_public, &kb.seal_public)
        .expect("enroll");
    b.add_peer(&ka.origin, &ka.sign_public, &ka.seal_public)
        .expect("enroll");
}

/// The ways a text may sit in a file: UTF-8 (SQLite's text) and UTF-16 in either order.
fn encodings(text: &str) -> Vec<Vec<u8>> {
    let utf16 = |little: bool| -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|unit| {
                if little {
                    unit.to_le_bytes()
                } else {
                    unit.to_be_bytes()
                }
            })
            .collect()
    };
    vec![text.as_bytes().to_vec(), utf16(true), utf16(false)]
}

/// The files of `dir` that hold any of `secrets` in any of those encodings, as
/// `"PATH holds SECRET"`: what a thief of the folder would read.
pub fn leaks<S: AsRef<str>>(dir: &Path, secrets: &[S]) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).expect("the folder") {
        let path = entry.expect("an entry").path();
        let bytes = std::fs::read(&path).expect("the file");
        for secret in secrets {
            let secret = secret.as_ref();
            let held = encodings(secret)
                .iter()
                .any(|needle| memchr::memmem::find(&bytes, needle).is_some());
            if held {
                found.push(format!("{} holds {secret}", path.display()));
            }
        }
    }
    found
}

/// The fixture roster file (grids C/A1/B01, station BX, deputies 陈建国 (mediator), 李秀英, 黄海).
pub fn roster_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../cli/tests/fixtures/roster.json")
}

/// The fixture roster, parsed.
pub fn roster() -> RosterFile {
    serde_json::from_str(&std::fs::read_to_string(roster_path()).expect("fixture roster"))
        .expect("fixture roster parses")
}

/// A valid reception two hours ago by `deputy`, a visitor with a phone, consent given: today,
/// on the station clock pinned at noon (`casebook::time::test_clock`).
pub fn reception(deputy: &str, matter: &str) -> ReceptionInput {
    casebook::time::test_clock::pin_to_noon();
    ReceptionInput {
        received_at: china_now() - TimeDelta::hours(2),
        channel: Channel::StationVisit,
        deputies: vec![deputy.to_owned()],
        visitors: vec![Visitor {
            name: Some("梁秀英".into()),
            sex: None,
            age: Some(61),
            phone: Some("13800138000".into()),
            id_number: None,
            address: Some("东岭村第三村民小组".into()),
            representative: false,
        }],
        head_count: None,
        kind: None,
        category: "村务管理".into(),
        subcategory: None,
        matter: matter.into(),
        request: "请求处理".into(),
        proposed_handling: None,
        place: None,
        grid: None,
        reply_due: None,
        confidential: false,
        consent: true,
    }
}

/// Every case number `book` holds, sorted.
pub fn case_numbers(book: &Book) -> Vec<String> {
    let mut numbers: Vec<String> = book
        .list_cases(&casebook::store::read::CaseFilter {
            limit: 100_000,
            ..casebook::store::read::CaseFilter::default()
        })
        .expect("the case list")
        .into_iter()
        .map(|case| case.case_no)
        .collect();
    numbers.sort();
    numbers
}

/// A town book `QX` (`town.db`) and a station book `BX` (`bx.db`) in `dir`, both empty and not
/// enrolled with each other yet.
pub fn empty_town_and_station(dir: &Path) -> (Book, Book) {
    let town =
        Book::create(&dir.join("town.db"), "QX", "清溪镇人大", BookKind::Town).expect("town book");
    let station = Book::create(&dir.join("bx.db"), "BX", "东岭村联络站", BookKind::Station)
        .expect("station book");
    (town, station)
}

/// A town book `QX` (`town.db`) with the fixture roster and a station book `BX` (`bx.db`) in
/// `dir`, enrolled with each other, the station holding the town's roster: how the field starts.
pub fn town_and_station(dir: &Path) -> (Book, Book) {
    let (mut town, mut station) = empty_town_and_station(dir);
    town.import_roster(&roster()).expect("roster");
    enroll(&mut town, &mut station);
    let sealed = town
        .seal_bundle("BX")
        .expect("seal")
        .expect("the roster is new");
    town.record_export("BX", &sealed).expect("record");
    station
        .import_bundle(&sealed.bytes)
        .expect("the roster arrives");
    (town, station)
}

/// A station book in `dir` restored from a backup, with one reception typed after the restore
/// whose number the town's copy of the lost log had used: the town sent the log back, and the
/// typed one took the next number. Returns the restored book (`restored.db`), the typed
/// reception's number now, and its number before.
pub fn restored_with_a_renumbered_case(dir: &Path) -> (Book, String, String) {
    let (mut town, mut station) = town_and_station(dir);
    let out = dir.join("bundles");
    let send = |from: &mut Book, to: &mut Book| {
        let code = to.origin().code.clone();
        if let Some(path) = from.export_bundle(&code, &out).expect("export").path {
            to.import_bundle(&std::fs::read(path).expect("bundle"))
                .expect("import");
        }
    };
    station
        .add_reception(reception("陈建国", "备份前：村道路灯不亮"))
        .expect("reception");
    let backup = station
        .backup_into(&dir.join("backups"), None)
        .expect("backup");
    station
        .add_reception(reception("陈建国", "备份后：水渠堵塞"))
        .expect("reception");
    send(&mut station, &mut town);
    drop(station);
    let mut restored =
        Book::restore(Path::new(&backup.path), &dir.join("restored.db"), None).expect("restore");
    let mut typed = reception("陈建国", "恢复后：垃圾清运不及时");
    typed.visitors[0].name = Some("周丽华".into());
    let former = restored.add_reception(typed).expect("reception").case_no;
    send(&mut restored, &mut town);
    send(&mut town, &mut restored);
    let renumbered = restored.renumbered().expect("renumbered");
    assert_eq!(renumbered.len(), 1, "the typed reception took a new number");
    assert_eq!(renumbered[0].former, former);
    (restored, renumbered[0].number.clone(), former)
}
