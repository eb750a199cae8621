//! The people's mediation committee of a station, from the town's roster: new mediation
//! numbers carry its short name, old ones stay, and the short names cannot make two
//! stations' numbers alike.
#![allow(clippy::unwrap_used)]

use casebook::domain::{MediationInput, RosterFile};
use casebook::{Book, ErrorKind};
use liaison_testkit::town_and_station;

fn roster(json: &str) -> RosterFile {
    serde_json::from_str(json).unwrap()
}

fn mediation() -> MediationInput {
    serde_json::from_value(serde_json::json!({
        "source": "application", "dispute_type": "邻里", "summary": "邻里纠纷",
        "parties": [{"role": "applicant", "name": "张三"}, {"role": "respondent", "name": "李四"}],
        "mediators": [{"name": "王调解"}], "consent": true, "agreed_to_mediation": true
    }))
    .unwrap()
}

fn send(from: &mut Book, to: &mut Book) {
    let code = to.origin().code.clone();
    let sealed = from.seal_bundle(&code).unwrap().expect("something to send");
    from.record_export(&code, &sealed).unwrap();
    to.import_bundle(&sealed.bytes).unwrap();
}

const WITH_COMMITTEE: &str = r#"{"stations": [{"code": "BX", "name": "东岭村人大代表联络站",
    "level": "base", "grid": "B01",
    "committee": {"name": "东岭村人民调解委员会", "short_name": "东岭村"}}]}"#;

#[test]
fn new_numbers_carry_the_committees_short_name_and_old_ones_stay() {
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = town_and_station(dir.path());
    let before = station.add_mediation(mediation()).unwrap().number;
    assert!(before.ends_with("）BX人调字第1号"), "{before}");

    town.import_roster(&roster(WITH_COMMITTEE)).unwrap();
    send(&mut town, &mut station);
    assert_eq!(
        station
            .own_station()
            .unwrap()
            .unwrap()
            .committee
            .unwrap()
            .name,
        "东岭村人民调解委员会"
    );
    let after = station.add_mediation(mediation()).unwrap().number;
    assert!(
        after.ends_with("）东岭村人调字第2号"),
        "the count goes on: {after}"
    );
    assert!(station.mediation_with_events(&before).unwrap().is_some());

    send(&mut station, &mut town);
    assert!(town.mediation_with_events(&after).unwrap().is_some());
    assert!(town.mediation_with_events(&before).unwrap().is_some());
}

#[test]
fn a_short_name_another_station_has_or_is_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let (mut town, _station) = town_and_station(dir.path());
    town.import_roster(&roster(WITH_COMMITTEE)).unwrap();
    for (short_name, taken_by) in [("东岭村", "BX"), ("BX", "BX")] {
        let json = format!(
            r#"{{"stations": [{{"code": "NT", "name": "南塘村人大代表联络站", "level": "base",
                "grid": "B01", "committee": {{"name": "南塘村人民调解委员会",
                "short_name": "{short_name}"}}}}]}}"#
        );
        let err = town.import_roster(&roster(&json)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Invalid, "{err}");
        assert!(
            err.to_string().contains(&format!("已被站点{taken_by}使用")),
            "{err}"
        );
    }
    let err = town
        .import_roster(&roster(
            r#"{"stations": [{"code": "NT", "name": "南塘村人大代表联络站", "level": "base",
                "committee": {"name": "南塘村人民调解委员会", "short_name": "（南塘）"}}]}"#,
        ))
        .unwrap_err();
    assert!(err.to_string().contains("不含括号"), "{err}");
}
