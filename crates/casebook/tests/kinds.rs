//! Not every reception is a dispute: a suggestion, a request for help, a question or a
//! complaint takes a class of deputies' suggestions as its category, travels to the town with
//! its kind, and is counted apart from the Ministry's dispute table.
#![allow(clippy::unwrap_used)]

use casebook::ErrorKind;
use casebook::domain::{ReceptionKind, SUGGESTION_CATEGORIES};
use liaison_testkit::{reception, town_and_station};

#[test]
fn a_suggestion_is_counted_apart_from_the_disputes_and_reaches_the_town() {
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = town_and_station(dir.path());
    station
        .add_reception(reception("陈建国", "宅基地界址纠纷"))
        .unwrap();
    let mut suggestion = reception("陈建国", "建议在村口增设公交站点");
    suggestion.kind = Some(ReceptionKind::Suggestion);
    suggestion.category = "资源环境、城乡建设和农林水利".into();
    let added = station.add_reception(suggestion).unwrap();

    let mut wrong = reception("陈建国", "咨询低保政策");
    wrong.kind = Some(ReceptionKind::Consultation);
    let err = station.add_reception(wrong).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnknownCategory);
    assert!(
        err.to_string().contains(SUGGESTION_CATEGORIES[4]),
        "names the classes: {err}"
    );

    let stats = station.stats(None, None, None).unwrap();
    let counts = |list: &[casebook::store::stats::Count]| -> Vec<(String, i64)> {
        list.iter().map(|c| (c.label.clone(), c.count)).collect()
    };
    assert_eq!(
        counts(&stats.by_kind),
        [("矛盾纠纷".to_owned(), 1), ("意见建议".to_owned(), 1)]
    );
    assert_eq!(counts(&stats.by_category), [("村务管理".to_owned(), 1)]);
    assert_eq!(
        counts(&stats.by_suggestion_category),
        [("资源环境、城乡建设和农林水利".to_owned(), 1)]
    );

    // The dispute-type filter passes over it, with and without a text to find.
    for query in [None, Some("村")] {
        let listed = station
            .list_cases(&casebook::store::read::CaseFilter {
                category: Some("村务管理".into()),
                query: query.map(str::to_owned),
                limit: 10,
                ..Default::default()
            })
            .unwrap();
        assert_eq!(listed.len(), 1, "{query:?}");
    }

    let out = dir.path().join("out");
    let bundle = station.export_bundle("QX", &out).unwrap().path.unwrap();
    town.import_bundle(&std::fs::read(bundle).unwrap()).unwrap();
    let at_town = town.case(&added.case_no).unwrap().reception;
    assert_eq!(at_town.kind, ReceptionKind::Suggestion);
    assert_eq!(
        counts(&town.stats(Some("BX"), None, None).unwrap().by_kind),
        counts(&stats.by_kind)
    );
    assert!(
        town.canonical_dump().unwrap().contains("\tsuggestion\t"),
        "the town's table holds the kind"
    );
}

/// The visitor's satisfaction with the deputy, asked at the follow-up visit, is counted for
/// each deputy who received the case, apart from the satisfaction with how it was handled.
#[test]
fn satisfaction_with_the_deputy_is_counted_per_deputy() {
    use casebook::domain::{CaseEventInput, CaseEventKind, Satisfaction};

    let dir = tempfile::tempdir().unwrap();
    let (_town, mut station) = town_and_station(dir.path());
    let mut both = reception("陈建国", "路灯不亮");
    both.deputies.push("李秀英".into());
    let case_no = station.add_reception(both).unwrap().case_no;
    for kind in [
        CaseEventKind::AnsweredOnSpot {
            answer: "已报修".into(),
        },
        CaseEventKind::FollowUp {
            satisfaction: Satisfaction::BasicallySatisfied,
            deputy_satisfaction: Some(Satisfaction::Satisfied),
        },
    ] {
        station
            .add_case_event(
                &case_no,
                CaseEventInput {
                    at: None,
                    deputy: None,
                    note: None,
                    kind,
                },
            )
            .unwrap();
    }
    let stats = station.stats(None, None, None).unwrap();
    let of = |name: &str| {
        let d = stats.deputies.iter().find(|d| d.name == name).unwrap();
        (d.satisfied, d.basically_satisfied, d.dissatisfied)
    };
    assert_eq!(of("陈建国"), (1, 0, 0));
    assert_eq!(of("李秀英"), (1, 0, 0));
    assert_eq!(of("黄海"), (0, 0, 0));
    assert_eq!(stats.satisfaction.basically_satisfied, 1, "the case's own");
}
