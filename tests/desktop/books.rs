//! Case books for the app to open, made with the core crate before the app starts.

use std::path::PathBuf;

use casebook::Book;
use casebook::domain::{CaseEventInput, CaseEventKind, DutyInput, RosterFile};
use casebook::store::BookKind;
use casebook::store::read::CaseFilter;
use casebook::time::{china_now, china_today};
use casebook_demo::{self as demo, DemoOptions};
use chrono::{NaiveTime, TimeDelta};
use tempfile::TempDir;

/// A station's book (东岭村, code DL) with the demo town's roster and receptions, the town
/// (QX) enrolled as its peer so that it can export a bundle, and facts the tests need from it.
pub struct Station {
    /// Holds the book, its settings and anything a test writes beside them.
    pub dir: TempDir,
    /// The book.
    pub db: PathBuf,
    /// A serving deputy of this station, by name (unique on the roster).
    pub deputy: String,
    /// A serving invited mediator, by name (unique on the roster).
    pub mediator: String,
    /// The sequence the next mediation file of this year gets.
    pub next_mediation: u32,
    /// Council meetings on record.
    pub meetings: usize,
}

impl Station {
    /// `liaison-station --db BOOK`.
    pub fn args(&self) -> Vec<String> {
        vec!["--db".into(), self.db.display().to_string()]
    }

    /// The book as the app left it.
    pub fn book(&self) -> Book {
        Book::open(&self.db).expect("open the station's book")
    }

    /// The town's book, with this station enrolled: where its bundles go.
    pub fn town(&self) -> Book {
        let mut town = Book::open(&self.dir.path().join("town.db")).expect("open the town's book");
        let keys = self.book().public_keys();
        town.add_peer(&keys.origin, &keys.sign_public, &keys.seal_public)
            .expect("enroll the station");
        town
    }
}

/// Waits, when the station's day (UTC+8) has less than ten minutes left, until it has turned:
/// a test's book is made with today's dates (duty shifts, receptions) and the app's screens ask
/// for today, so both must see the same day, and a whole test takes less than ten minutes.
pub fn clear_of_station_midnight() {
    use chrono::Timelike;
    let left = 86_400 - i64::from(china_now().time().num_seconds_from_midnight());
    if left < 600 {
        std::thread::sleep(std::time::Duration::from_secs(left.unsigned_abs() + 30));
    }
}

/// Makes the book with `receptions` demo receptions.
pub fn station(receptions: usize) -> Station {
    clear_of_station_midnight();
    let dir = tempfile::Builder::new()
        .prefix("liaison-e2e-")
        .tempdir()
        .expect("temp dir");
    let db = dir.path().join("dl.db");
    let mut book =
        Book::create(&db, "DL", "东岭村人大代表联络站", BookKind::Station).expect("station book");
    demo::fill(
        &mut book,
        &DemoOptions {
            receptions,
            seed: 1,
        },
        |_, _| {},
    )
    .expect("demo data");
    let town = Book::create(
        &dir.path().join("town.db"),
        "QX",
        "清溪镇人大",
        BookKind::Town,
    )
    .expect("town book");
    let keys = town.public_keys();
    book.add_peer(&keys.origin, &keys.sign_public, &keys.seal_public)
        .expect("enroll the town");
    drop(town);

    let roster = book.deputies().expect("roster");
    let unique = |name: &str| roster.iter().filter(|d| d.deputy.name == name).count() == 1;
    let deputy = roster
        .iter()
        .map(|d| &d.deputy)
        .find(|d| d.active && d.station.as_deref() == Some("DL") && unique(&d.name))
        .expect("a deputy of the station")
        .name
        .clone();
    let mediator = roster
        .iter()
        .map(|d| &d.deputy)
        .find(|d| d.active && d.mediator_since.is_some() && unique(&d.name))
        .expect("an invited mediator")
        .name
        .clone();
    // An afternoon shift today, whatever the day of the week (the demo's are on weekdays).
    let today = casebook::time::china_today();
    book.import_roster(&RosterFile {
        grids: vec![],
        stations: vec![],
        deputies: vec![],
        duty: vec![DutyInput {
            station: "DL".into(),
            date: today,
            from: NaiveTime::from_hms_opt(14, 0, 0).expect("a time"),
            to: NaiveTime::from_hms_opt(17, 30, 0).expect("a time"),
            deputies: vec![deputy.clone()],
        }],
    })
    .expect("today's shift");
    let year = chrono::Datelike::year(&today);
    let next_mediation = book
        .mediations()
        .expect("mediations")
        .iter()
        .filter(|m| m.mediation.station == "DL" && m.mediation.year == year)
        .map(|m| m.mediation.seq)
        .max()
        .unwrap_or(0)
        + 1;
    let meetings = book.meetings().expect("meetings").len();
    Station {
        dir,
        db,
        deputy,
        mediator,
        next_mediation,
        meetings,
    }
}

/// Records in `station`'s book a reception of two days ago, referred yesterday to 镇交通办 with
/// `days_left` days to answer; returns its case number.
pub fn referred(station: &Station, matter: &str, days_left: i64) -> String {
    let mut book = station.book();
    let mut input = liaison_testkit::reception(&station.deputy, matter);
    input.received_at = china_now() - TimeDelta::days(2);
    let case_no = book.add_reception(input).expect("the case").case_no;
    book.add_case_event(
        &case_no,
        CaseEventInput {
            at: Some(china_now() - TimeDelta::days(1)),
            deputy: Some(station.deputy.clone()),
            note: None,
            kind: CaseEventKind::Referred {
                to: "镇交通办".into(),
                deadline: china_today() + TimeDelta::days(days_left),
            },
        },
    )
    .expect("referred");
    case_no
}

/// The cases whose text holds `words`, by the core's own search.
pub fn hits(db: &std::path::Path, words: &str) -> usize {
    let book = Book::open(db).expect("open the book");
    book.list_cases(&CaseFilter {
        status: None,
        category: None,
        query: Some(words.into()),
        limit: 50,
        offset: 0,
    })
    .expect("search")
    .len()
}

/// A town's book (QX, `dir/town.db`) with the command line's fixture roster (station BX), as
/// the town office has it, and the enrolment file it wrote for BX (`dir/usb/BX.enrol`).
pub fn town_with_enrolment(dir: &std::path::Path) -> (Book, PathBuf) {
    clear_of_station_midnight();
    let mut town =
        Book::create(&dir.join("town.db"), "QX", "清溪镇人大", BookKind::Town).expect("town book");
    let fixture = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../crates/cli/tests/fixtures/roster.json");
    let roster: RosterFile =
        serde_json::from_str(&std::fs::read_to_string(fixture).expect("the fixture roster"))
            .expect("the fixture roster parses");
    town.import_roster(&roster).expect("roster");
    let written = town
        .write_enrolment("BX", &dir.join("usb"))
        .expect("the enrolment file");
    (town, written.path)
}
