//! What a complete mediation file holds (docs/domain.md, "A complete mediation file"): the
//! parties' agreement to mediation, 民族/职业 and an agent, the rights notice given, an
//! investigation, a session's participants and recorder, an oral agreement's content; each
//! bounded, and each travelling to the town.
#![allow(clippy::unwrap_used)]

use casebook::domain::{MediationEventInput, MediationEventKind, MediationInput, Party};
use casebook::{Book, ErrorKind};
use liaison_testkit::town_and_station;
use serde_json::{Value, json};

fn input(extra: Value) -> MediationInput {
    let mut value = json!({
        "source": "own_initiative", "dispute_type": "邻里", "summary": "邻里纠纷",
        "parties": [
            {"role": "applicant", "name": "张三", "ethnicity": "汉族", "occupation": "农民"},
            {"role": "respondent", "name": "李小四", "age": 15,
             "agent": {"kind": "法定代理人", "name": "李四", "relation": "父亲", "phone": "13800001111"}}
        ],
        "mediators": [{"name": "王调解"}], "consent": true, "agreed_to_mediation": true
    });
    value
        .as_object_mut()
        .unwrap()
        .extend(extra.as_object().unwrap().clone());
    serde_json::from_value(value).unwrap()
}

fn event(book: &mut Book, number: &str, value: Value) -> casebook::Result<()> {
    let input: MediationEventInput = serde_json::from_value(value).unwrap();
    book.add_mediation_event(number, input).map(|_| ())
}

fn send(from: &mut Book, to: &mut Book) {
    let code = to.origin().code.clone();
    let sealed = from.seal_bundle(&code).unwrap().expect("something to send");
    from.record_export(&code, &sealed).unwrap();
    to.import_bundle(&sealed.bytes).unwrap();
}

#[test]
fn a_file_needs_the_parties_agreement_to_mediation() {
    let dir = tempfile::tempdir().unwrap();
    let (_town, mut station) = town_and_station(dir.path());
    let err = station
        .add_mediation(input(json!({"agreed_to_mediation": false})))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConsentRequired);
    assert!(err.to_string().contains("第十七条"), "{err}");
    let number = station.add_mediation(input(json!({}))).unwrap().number;
    let file = station.mediation_with_events(&number).unwrap().unwrap();
    assert!(file.mediation.agreed_to_mediation);
    let minor = &file.mediation.parties[1];
    let agent = minor.agent.as_ref().unwrap();
    assert_eq!(
        (agent.name.as_str(), agent.relation.as_deref()),
        ("李四", Some("父亲"))
    );
    assert_eq!(file.mediation.parties[0].ethnicity.as_deref(), Some("汉族"));
}

#[test]
fn an_agent_is_checked_like_a_party() {
    let dir = tempfile::tempdir().unwrap();
    let (_town, mut station) = town_and_station(dir.path());
    let mut bad = input(json!({}));
    bad.parties[1].agent.as_mut().unwrap().phone = Some("12345".into());
    let err = station.add_mediation(bad).unwrap_err();
    assert_eq!(err.field(), Some("parties.1.agent.phone"), "{err}");
    let mut blank = input(json!({}));
    blank.parties[1].agent.as_mut().unwrap().name = "  ".into();
    assert_eq!(
        station.add_mediation(blank).unwrap_err().field(),
        Some("parties.1.agent.name")
    );
    let mut long = input(json!({}));
    long.parties[0].ethnicity = Some("汉".repeat(51));
    assert_eq!(
        station.add_mediation(long).unwrap_err().field(),
        Some("parties.0.ethnicity")
    );
}

#[test]
fn investigations_sessions_and_an_oral_agreement_are_recorded_and_travel() {
    let dir = tempfile::tempdir().unwrap();
    let (mut town, mut station) = town_and_station(dir.path());
    let number = station.add_mediation(input(json!({}))).unwrap().number;
    event(&mut station, &number, json!({"kind": "rights_notified"})).unwrap();
    event(
        &mut station,
        &number,
        json!({"kind": "investigation", "place": "现场", "subject": "邻居王五",
               "content": "王五证实围墙按旧界建", "participants": [" 镇司法所 ", ""], "recorder": "赵记"}),
    )
    .unwrap();
    let too_many: Vec<String> = (0..201).map(|i| format!("人{i}")).collect();
    let err = event(
        &mut station,
        &number,
        json!({"kind": "session", "place": "调解室", "statements": "陈述",
               "participants": too_many}),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("participants"), "{err}");
    event(
        &mut station,
        &number,
        json!({"kind": "session", "place": "调解室", "statements": "陈述",
               "participants": ["张三", "李四（法定代理人）"], "recorder": "赵记"}),
    )
    .unwrap();
    let err = event(
        &mut station,
        &number,
        json!({"kind": "result", "result": "succeeded_oral"}),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("oral_terms"), "{err}");
    assert!(err.to_string().contains("第二十八条"), "{err}");
    let err = event(
        &mut station,
        &number,
        json!({"kind": "result", "result": "terminated", "oral_terms": "口头"}),
    )
    .unwrap_err();
    assert_eq!(err.field(), Some("oral_terms"), "{err}");
    event(
        &mut station,
        &number,
        json!({"kind": "result", "result": "succeeded_oral", "oral_terms": "李四当场赔礼道歉"}),
    )
    .unwrap();
    for late in [
        json!({"kind": "rights_notified"}),
        json!({"kind": "investigation", "place": "现场", "subject": "王五", "content": "补充"}),
    ] {
        let err = event(&mut station, &number, late).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidTransition, "{err}");
    }

    send(&mut station, &mut town);
    let file = town.mediation_with_events(&number).unwrap().unwrap();
    let kinds: Vec<&str> = file.events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        ["rights_notified", "investigation", "session", "result"]
    );
    match &file.events[1].kind {
        MediationEventKind::Investigation { participants, .. } => {
            assert_eq!(participants, &["镇司法所"]);
        }
        other => panic!("{other:?}"),
    }
    match &file.events[3].kind {
        MediationEventKind::Result { oral_terms, .. } => {
            assert_eq!(oral_terms.as_deref(), Some("李四当场赔礼道歉"));
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(
        file.mediation.parties[1].agent.as_ref().unwrap().name,
        "李四"
    );
}

/// A party and a file written before these fields read as they were, and write back without
/// them (their JSON, hence their hash in the log, is unchanged).
#[test]
fn records_written_before_read_and_write_as_they_were() {
    let party = r#"{"role":"applicant","name":"张三","sex":null,"age":null,"phone":null,"id_number":null,"address":null}"#;
    let read: Party = serde_json::from_str(party).unwrap();
    assert_eq!(
        (read.ethnicity, read.occupation, read.agent),
        (None, None, None)
    );
    let read: Party = serde_json::from_str(party).unwrap();
    assert_eq!(serde_json::to_string(&read).unwrap(), party);
    let session =
        r#"{"kind":"session","place":"调解室","statements":"陈述","facts":null,"outcome":null}"#;
    let read: MediationEventKind = serde_json::from_str(session).unwrap();
    assert_eq!(serde_json::to_string(&read).unwrap(), session);
    let result = r#"{"kind":"result","result":"failed","routes":"诉讼"}"#;
    let read: MediationEventKind = serde_json::from_str(result).unwrap();
    assert_eq!(serde_json::to_string(&read).unwrap(), result);
}

/// A station that edits its own log before sending (a compromised station): the town refuses
/// an agent's name or a participant list beyond the limits, as it would at entry.
#[test]
fn an_agent_or_participants_beyond_the_limits_in_a_bundle_are_refused() {
    for (op, path, value, field) in [
        (
            "mediation_create",
            "$.parties[1].agent.name",
            "printf('%.*c', 60, 'x')",
            "法定代理人姓名",
        ),
        (
            "mediation_event_append",
            "$.participants",
            "json((WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 201)
              SELECT json_group_array('人' || i) FROM n))",
            "参加人",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let (mut town, mut station) = town_and_station(dir.path());
        let number = station.add_mediation(input(json!({}))).unwrap().number;
        event(
            &mut station,
            &number,
            json!({"kind": "session", "place": "调解室", "statements": "陈述", "participants": ["张三"]}),
        )
        .unwrap();
        let conn = rusqlite::Connection::open(dir.path().join("bx.db")).unwrap();
        let changed = conn
            .execute(
                &format!(
                    "UPDATE change_log SET data = json_set(data, '{path}', {value})
                     WHERE op = '{op}'"
                ),
                [],
            )
            .unwrap();
        assert_eq!(changed, 1, "{op}");
        drop(conn);
        let sealed = station.seal_bundle("QX").unwrap().unwrap();
        let err = town.import_bundle(&sealed.bytes).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
        assert!(err.to_string().contains(field), "{field}: {err}");
        assert!(town.mediation_with_events(&number).unwrap().is_none());
    }
}
