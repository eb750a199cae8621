//! The 今日值班 screen's reads: the counts agree with the case list's own filters (each count
//! opens that list), the next duty is the first later day with a shift, and the roster's
//! deputies come with their grid's and station's names.
#![allow(clippy::unwrap_used)]

use casebook::Book;
use casebook::domain::{CaseStatus, DutyInput, RosterFile};
use casebook::store::BookKind;
use casebook::store::read::{CaseFilter, StatusFilter};
use casebook::time::china_today;
use casebook_demo as demo;
use chrono::{NaiveTime, TimeDelta};

fn demo_book() -> Book {
    let mut book = Book::create_in_memory("DL", "东岭村人大代表联络站", BookKind::Station).unwrap();
    let options = demo::DemoOptions {
        receptions: 600,
        seed: 5,
    };
    demo::fill(&mut book, &options, |_, _| {}).unwrap();
    book
}

fn listed(book: &Book, status: StatusFilter) -> u32 {
    let cases = book
        .list_cases(&CaseFilter {
            status: Some(status),
            limit: 100_000,
            ..CaseFilter::default()
        })
        .unwrap();
    u32::try_from(cases.len()).unwrap()
}

#[test]
fn the_counts_are_the_lengths_of_the_filtered_lists() {
    let book = demo_book();
    let counts = book.case_counts(china_today()).unwrap();
    assert_eq!(counts.awaiting, listed(&book, StatusFilter::Awaiting));
    assert_eq!(counts.overdue, listed(&book, StatusFilter::Overdue));
    assert_eq!(
        counts.to_feed_back,
        listed(&book, StatusFilter::Is(CaseStatus::Replied))
    );
    assert_eq!(
        counts.to_follow_up,
        listed(&book, StatusFilter::Is(CaseStatus::FedBack))
    );
    assert!(
        counts.awaiting + counts.overdue > 0,
        "the demo book owes answers"
    );
}

#[test]
fn an_empty_book_owes_nothing_and_has_no_next_duty() {
    let book = Book::create_in_memory("XX", "示例站", BookKind::Station).unwrap();
    let today = china_today();
    assert_eq!(book.case_counts(today).unwrap(), Default::default());
    assert!(book.next_duty(today).unwrap().is_empty());
}

#[test]
fn the_next_duty_is_the_first_later_day_with_a_shift() {
    let mut book = demo_book();
    let today = china_today();
    let planned = book
        .duty_shifts(today + TimeDelta::days(1), today + TimeDelta::days(400))
        .unwrap();
    let next = book.next_duty(today).unwrap();
    match planned.first() {
        Some(first) => {
            assert!(!next.is_empty());
            assert!(next.iter().all(|shift| shift.date == first.date));
            let that_day = planned.iter().filter(|s| s.date == first.date).count();
            assert_eq!(next.len(), that_day, "every shift of that day");
        }
        None => assert!(next.is_empty()),
    }

    // Two shifts beyond the demo's plan (within the 3 years a roster may plan): from the day
    // before, the earlier one is next; from the later one's day, nothing is.
    let deputy = book
        .deputies()
        .unwrap()
        .into_iter()
        .find(|d| d.deputy.active && d.deputy.station.as_deref() == Some("DL"))
        .unwrap()
        .deputy
        .id
        .to_string();
    let far = today + TimeDelta::days(800);
    let shift = |date| DutyInput {
        station: "DL".into(),
        date,
        from: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        to: NaiveTime::from_hms_opt(11, 30, 0).unwrap(),
        deputies: vec![deputy.clone()],
    };
    book.import_roster(&RosterFile {
        grids: vec![],
        stations: vec![],
        deputies: vec![],
        duty: vec![shift(far + TimeDelta::days(7)), shift(far)],
    })
    .unwrap();
    let next = book.next_duty(far - TimeDelta::days(1)).unwrap();
    assert_eq!(next.len(), 1);
    assert_eq!(next[0].date, far);
    assert_eq!(next[0].starts, "09:00");
    assert_eq!(
        book.next_duty(far).unwrap()[0].date,
        far + TimeDelta::days(7)
    );
    assert!(book.next_duty(far + TimeDelta::days(7)).unwrap().is_empty());
}

#[test]
fn the_roster_names_each_deputy_s_grid_and_station() {
    let book = demo_book();
    let deputies = book.deputies().unwrap();
    let with_station: Vec<_> = deputies
        .iter()
        .filter(|d| d.deputy.station.as_deref() == Some("DL"))
        .collect();
    assert!(!with_station.is_empty());
    for listing in with_station {
        assert!(
            listing
                .station_name
                .as_deref()
                .is_some_and(|name| name.contains("联络站")),
            "{}: {:?}",
            listing.deputy.name,
            listing.station_name
        );
    }
    assert!(
        deputies
            .iter()
            .filter(|d| d.deputy.grid.is_some())
            .all(|d| d.grid_name.as_deref().is_some_and(|name| !name.is_empty())),
        "every grid on the roster has its name"
    );
}
