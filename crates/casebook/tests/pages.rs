//! Long lists read a page at a time (the app's screens, issue 18): every record once, newest
//! first, however the pages fall; and one record found wherever it falls.
#![allow(clippy::unwrap_used)]

use casebook::domain::{MediationInput, MeetingInput};
use liaison_testkit::town_and_station;

fn meeting(day: u32) -> MeetingInput {
    serde_json::from_value(serde_json::json!({
        "kind": "representatives", "village": "东岭村",
        "held_at": format!("2026-01-{day:02}T19:30:00+08:00"),
        "place": "村委会会议室", "host": "主持人", "recorder": "记录人",
        "expected": 30, "present": 20,
        "items": [{"title": "水渠维修", "votes": {"for": 15}}]
    }))
    .unwrap()
}

fn mediation() -> MediationInput {
    serde_json::from_value(serde_json::json!({
        "source": "application", "dispute_type": "邻里", "summary": "邻里纠纷",
        "parties": [{"role": "applicant", "name": "张三"}, {"role": "respondent", "name": "李四"}],
        "mediators": [{"name": "王调解"}], "consent": true, "agreed_to_mediation": true
    }))
    .unwrap()
}

#[test]
fn pages_of_meetings_and_mediations_cover_each_record_once_newest_first() {
    let dir = tempfile::tempdir().unwrap();
    let (_town, mut station) = town_and_station(dir.path());
    // Recorded out of order: the list goes by when they were held.
    for day in [3, 9, 1, 7, 5] {
        station.add_meeting(meeting(day)).unwrap();
    }
    for _ in 0..5 {
        station.add_mediation(mediation()).unwrap();
    }

    let days = |meetings: Vec<casebook::store::read::MeetingListing>| -> Vec<String> {
        meetings
            .iter()
            .map(|m| m.meeting.held_at.format("%d").to_string())
            .collect()
    };
    let mut paged = Vec::new();
    for offset in [0, 2, 4, 6] {
        paged.extend(days(station.meetings_page(offset, Some(2)).unwrap()));
    }
    assert_eq!(paged, ["09", "07", "05", "03", "01"]);
    assert_eq!(days(station.meetings().unwrap()), paged);
    assert!(station.meetings_page(5, Some(2)).unwrap().is_empty());

    let numbers = |offset, limit| -> Vec<String> {
        station
            .mediations_page(offset, limit)
            .unwrap()
            .into_iter()
            .map(|m| m.mediation.number)
            .collect()
    };
    let all = numbers(0, None);
    assert_eq!(all.len(), 5);
    assert!(
        all[0].ends_with("第5号") && all[4].ends_with("第1号"),
        "{all:?}"
    );
    assert_eq!(
        [numbers(0, Some(3)), numbers(3, Some(3))].concat(),
        all,
        "two pages hold each file once"
    );

    let third = station.mediation(&all[2]).unwrap().unwrap();
    assert_eq!(third.mediation.number, all[2]);
    let by_id = station
        .mediation(&third.mediation.id.to_string())
        .unwrap()
        .unwrap();
    assert_eq!(by_id.mediation.number, all[2]);
    assert!(
        station
            .mediation("（2026）BX人调字第99号")
            .unwrap()
            .is_none()
    );
}
