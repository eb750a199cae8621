//! Ownership on import, tried from the attacker's side: a station that edits its own book and
//! change log before it exports (or seals a bundle by hand with its own keys, which sit in its
//! book) must not write what is not its own, nor stop the town syncing with anyone else.
#![allow(clippy::unwrap_used)]

use std::path::PathBuf;

use casebook::bundle::format::{self, Payload, Receipt, Seal};
use casebook::bundle::keys::decode_key;
use casebook::bundle::quarantine::MAX_PER_SENDER;
use casebook::domain::{CaseEventInput, CaseEventKind, RosterFile};
use casebook::store::BookKind;
use casebook::time::china_now;
use casebook::{Book, ErrorKind};
use chrono::TimeDelta;
use ed25519_dalek::SigningKey;
use liaison_testkit::{enroll, reception, town_and_station};
use tempfile::TempDir;

/// The town QX with two stations, BX and NT, each holding the town's roster.
struct Field {
    dir: TempDir,
    town: Book,
    bx: Book,
    nt: Book,
}

impl Field {
    fn new() -> Field {
        let dir = tempfile::tempdir().unwrap();
        let (mut town, bx) = town_and_station(dir.path());
        let nt_roster: RosterFile = serde_json::from_str(
            r#"{"stations": [{"code": "NT", "name": "南塘村人大代表联络站", "level": "base", "grid": "B01"}],
                "deputies": [{"name": "黄小梅", "congress": "镇", "grid": "B01", "station": "NT"}]}"#,
        )
        .unwrap();
        town.import_roster(&nt_roster).unwrap();
        let mut nt = Book::create(
            &dir.path().join("nt.db"),
            "NT",
            "南塘村联络站",
            BookKind::Station,
        )
        .unwrap();
        enroll(&mut town, &mut nt);
        let mut field = Field { dir, town, bx, nt };
        field.town_to_bx().unwrap();
        field.town_to_nt().unwrap();
        field
    }

    fn path(&self, code: &str) -> PathBuf {
        let name = match code {
            "QX" => "town.db".to_owned(),
            code => format!("{}.db", code.to_lowercase()),
        };
        self.dir.path().join(name)
    }

    fn bx_to_town(&mut self) -> casebook::Result<casebook::bundle::Imported> {
        send(&mut self.bx, &mut self.town)
    }

    fn nt_to_town(&mut self) -> casebook::Result<casebook::bundle::Imported> {
        send(&mut self.nt, &mut self.town)
    }

    fn town_to_bx(&mut self) -> casebook::Result<casebook::bundle::Imported> {
        send(&mut self.town, &mut self.bx)
    }

    fn town_to_nt(&mut self) -> casebook::Result<casebook::bundle::Imported> {
        send(&mut self.town, &mut self.nt)
    }

    /// Runs SQL on a book's file behind the book's back, as someone at that PC could.
    fn tamper(&self, code: &str, sql: &str) {
        rusqlite::Connection::open(self.path(code))
            .unwrap()
            .execute_batch(sql)
            .unwrap();
    }

    /// A bundle from BX to the town sealed by hand with BX's own key, taken from its book.
    fn bx_seals(&self, range: (i64, i64), payload: &Payload) -> Vec<u8> {
        let town_keys = self.town.public_keys();
        let seal_key = decode_key("k", &town_keys.seal_public).unwrap();
        let seal = Seal {
            schema_version: casebook::store::LOG_VERSION,
            origin: "BX",
            recipient: "QX",
            recipient_seal: &x25519_dalek::PublicKey::from(seal_key),
            seq_range: range,
            prev_hash: None,
            created_at: "2026-11-28T09:00:00+08:00".into(),
            returned: 0,
            relayed: 0,
            version: format::FORMAT_VERSION,
        };
        let json = serde_json::to_vec(payload).unwrap();
        let counts = (payload.changes.len() as u64, payload.receipts.len() as u64);
        format::write_json(&seal, &json, counts, &self.key_of("BX")).unwrap()
    }

    fn key_of(&self, code: &str) -> SigningKey {
        let secret: Vec<u8> = rusqlite::Connection::open(self.path(code))
            .unwrap()
            .query_row("SELECT sign_secret FROM own_keys", [], |row| row.get(0))
            .unwrap();
        SigningKey::from_bytes(&secret.try_into().unwrap())
    }
}

/// Seals what `from` has for `to` and imports it there; the answer of the import.
fn send(from: &mut Book, to: &mut Book) -> casebook::Result<casebook::bundle::Imported> {
    let code = to.origin().code.clone();
    let sealed = from.seal_bundle(&code).unwrap().expect("something to send");
    from.record_export(&code, &sealed).unwrap();
    to.import_bundle(&sealed.bytes)
}

fn event(kind: CaseEventKind) -> CaseEventInput {
    CaseEventInput {
        at: None,
        deputy: None,
        note: None,
        kind,
    }
}

fn refused_as_not_owner(result: casebook::Result<casebook::bundle::Imported>, says: &str) {
    let err = result.unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotOwner, "{err}");
    let message = err.to_string();
    assert!(message.contains("BX"), "names the sender: {message}");
    assert!(message.contains(says), "{message}");
}

/// The town keeps the refused bundle aside, with why, and shows it on BX's status.
fn quarantined_for_bx(town: &Book) -> Vec<casebook::bundle::Quarantined> {
    let status = town.bundle_status().unwrap();
    let bx = status.iter().find(|s| s.peer == "BX").unwrap();
    assert!(
        bx.quarantined
            .iter()
            .all(|q| q.refusal_kind == Some(casebook::ErrorKind::NotOwner)),
        "{:?}",
        bx.quarantined
    );
    bx.quarantined.clone()
}

#[test]
fn a_station_numbering_its_case_with_another_stations_code_cannot_block_that_station() {
    let mut f = Field::new();
    let own = f.bx.add_reception(reception("陈建国", "村道路灯")).unwrap();
    // NT's first case will be NT-<year>-0001: BX takes the number first.
    let year = &own.case_no[3..7];
    let squatted = format!("NT-{year}-0001");
    f.tamper(
        "BX",
        &format!(
            "UPDATE change_log SET data = replace(data, '{own}', '{squatted}') WHERE entity = 'reception';",
            own = own.case_no
        ),
    );
    let before = f.town.canonical_dump().unwrap();
    refused_as_not_owner(f.bx_to_town(), &squatted);
    assert_eq!(f.town.canonical_dump().unwrap(), before, "nothing applied");
    let held = quarantined_for_bx(&f.town);
    assert_eq!(held.len(), 1);
    assert!(held[0].reason.as_deref().unwrap().contains(&squatted));

    let theirs = f.nt.add_reception(reception("黄小梅", "水渠堵塞")).unwrap();
    assert_eq!(theirs.case_no, squatted);
    let imported = f.nt_to_town().unwrap();
    assert_eq!(imported.applied, 1, "the owner's bundle still imports");
    assert_eq!(f.town.case(&squatted).unwrap().reception.station, "NT");
}

/// Mediation numbers are headed by the committee's short name once the roster names one: a
/// station cannot take another committee's numbers either.
#[test]
fn a_station_numbering_its_mediation_with_another_committees_name_is_refused() {
    let mut f = Field::new();
    let committees: RosterFile = serde_json::from_str(
        r#"{"stations": [
            {"code": "BX", "name": "东岭村人大代表联络站", "level": "base", "grid": "B01",
             "committee": {"name": "东岭村人民调解委员会", "short_name": "东岭村"}},
            {"code": "NT", "name": "南塘村人大代表联络站", "level": "base", "grid": "B01",
             "committee": {"name": "南塘村人民调解委员会", "short_name": "南塘村"}}]}"#,
    )
    .unwrap();
    f.town.import_roster(&committees).unwrap();
    f.town_to_bx().unwrap();
    let own = f.bx.add_mediation(mediation_input()).unwrap().number;
    assert!(own.contains("）东岭村人调字第1号"), "{own}");
    let squatted = own.replace("东岭村", "南塘村");
    f.tamper(
        "BX",
        &format!("UPDATE change_log SET data = replace(data, '{own}', '{squatted}');"),
    );
    refused_as_not_owner(f.bx_to_town(), &squatted);
}

fn mediation_input() -> casebook::domain::MediationInput {
    serde_json::from_value(serde_json::json!({
        "source": "application", "dispute_type": "邻里", "summary": "邻里纠纷",
        "parties": [{"role": "applicant", "name": "张三"}, {"role": "respondent", "name": "李四"}],
        "mediators": [{"name": "王调解"}], "consent": true, "agreed_to_mediation": true
    }))
    .unwrap()
}

#[test]
fn a_station_cannot_rename_or_retire_the_towns_roster() {
    let mut f = Field::new();
    let hostile: RosterFile = serde_json::from_str(
        r#"{"stations": [{"code": "NT", "name": "已撤销", "level": "base", "grid": "B01"}],
            "deputies": [{"name": "黄小梅", "congress": "镇", "grid": "B01", "station": "NT", "active": false}]}"#,
    )
    .unwrap();
    f.bx.import_roster(&hostile).unwrap();
    f.bx.add_reception(reception("陈建国", "村道路灯")).unwrap();
    // A station does not send roster edits; relabelled, they would go out.
    f.tamper(
        "BX",
        "UPDATE change_log SET entity = 'reception' WHERE op IN ('station_upsert', 'deputy_upsert');",
    );
    let before = f.town.canonical_dump().unwrap();
    refused_as_not_owner(f.bx_to_town(), "只能由镇人大下发");
    assert_eq!(f.town.canonical_dump().unwrap(), before);
    assert!(
        f.town
            .canonical_dump()
            .unwrap()
            .contains("南塘村人大代表联络站")
    );
    assert_eq!(quarantined_for_bx(&f.town).len(), 1);
    f.nt.add_reception(reception("黄小梅", "水渠堵塞")).unwrap();
    assert_eq!(f.nt_to_town().unwrap().applied, 1);
}

#[test]
fn a_station_cannot_write_on_another_stations_case() {
    let mut f = Field::new();
    let theirs = f.nt.add_reception(reception("黄小梅", "水渠堵塞")).unwrap();
    f.nt_to_town().unwrap();
    let own = f.bx.add_reception(reception("陈建国", "村道路灯")).unwrap();
    f.bx.add_case_event(&own.case_no, event(CaseEventKind::Accepted))
        .unwrap();
    f.tamper(
        "BX",
        &format!(
            "UPDATE change_log SET data = replace(data, '{own}', '{theirs}') WHERE entity = 'case_event';",
            own = own.id,
            theirs = theirs.id
        ),
    );
    refused_as_not_owner(f.bx_to_town(), "这是NT的案件");
    assert_eq!(
        f.town.case(&theirs.case_no).unwrap().status,
        casebook::domain::CaseStatus::Pending,
        "NT's case is not accepted by BX"
    );
}

#[test]
fn the_town_adds_only_its_referral_chase_and_reply_to_a_stations_case() {
    let mut f = Field::new();
    let case = f.bx.add_reception(reception("陈建国", "村道路灯")).unwrap();
    f.bx_to_town().unwrap();
    // At the town's own desk: refused before it is written, or BX would refuse every bundle.
    let err = f
        .town
        .add_case_event(&case.case_no, event(CaseEventKind::Closed))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotOwner, "{err}");
    let referral = CaseEventKind::Referred {
        to: "镇农业农村办".into(),
        deadline: china_now().date_naive() + TimeDelta::days(7),
    };
    f.town
        .add_case_event(&case.case_no, event(referral))
        .unwrap();
    assert_eq!(
        f.town_to_bx().unwrap().applied,
        1,
        "a referral is the town's"
    );
    // A town book edited behind its back to close the station's case.
    f.town
        .add_case_event(
            &case.case_no,
            event(CaseEventKind::Chased {
                unit: None,
                by: None,
                deadline: None,
            }),
        )
        .unwrap();
    f.tamper(
        "QX",
        "UPDATE change_log SET data = replace(data, '\"chased\"', '\"closed\"')
         WHERE seq = (SELECT MAX(seq) FROM change_log WHERE origin = 'QX');",
    );
    let err = f.town_to_bx().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotOwner, "{err}");
    assert!(
        err.to_string()
            .contains("镇人大只能登记交办、督办和收到答复")
    );
    assert_ne!(
        f.bx.case(&case.case_no).unwrap().status,
        casebook::domain::CaseStatus::Closed
    );
}

#[test]
fn a_change_stamped_years_ahead_does_not_win_later_edits() {
    let mut f = Field::new();
    let shift = |to: &str| -> RosterFile {
        serde_json::from_str(&format!(
            r#"{{"duty": [{{"station": "BX", "date": "2026-11-30", "from": "09:00", "to": "{to}", "deputies": ["陈建国"]}}]}}"#
        ))
        .unwrap()
    };
    // BX edits its own duty shift and stamps the edit ten years ahead.
    f.bx.import_roster(&shift("11:00")).unwrap();
    let ten_years_ahead = (china_now() + TimeDelta::days(3650)).timestamp_millis() << 16;
    f.tamper(
        "BX",
        &format!(
            "UPDATE change_log SET hlc = {ten_years_ahead}, entity = 'reception'
             WHERE op = 'duty_shift_upsert' AND origin = 'BX';"
        ),
    );
    f.bx.add_reception(reception("陈建国", "村道路灯")).unwrap();
    f.bx_to_town().unwrap();
    let ends = |book: &Book| -> String {
        let day = chrono::NaiveDate::from_ymd_opt(2026, 11, 30).unwrap();
        book.duty_shifts(day, day).unwrap()[0].ends.clone()
    };
    assert_eq!(ends(&f.town), "12:00", "the far-ahead edit does not win");
    f.town.import_roster(&shift("11:30")).unwrap();
    assert_eq!(ends(&f.town), "11:30", "the town's later edit wins");
}

#[test]
fn seq_numbers_no_log_reaches_are_refused_without_overflow() {
    let mut f = Field::new();
    let empty = Payload {
        changes: vec![],
        receipts: vec![],
        returned: vec![],
        relay: None,
    };
    for range in [
        (1, i64::MAX),
        (i64::MAX, i64::MAX),
        (i64::MAX, i64::MAX - 1),
    ] {
        let bundle = f.bx_seals(range, &empty);
        let err = f.town.import_bundle(&bundle).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::BadBundle, "{range:?}: {err}");
    }
    let receipt = Receipt {
        issuer: "BX".into(),
        origin: "QX".into(),
        acked_to: i64::MAX,
        missing: vec![(i64::MAX, i64::MAX)],
        issued_at: "2026-11-28T09:00:00+08:00".into(),
        last_entry: None,
        signature: String::new(),
    }
    .sign(&f.key_of("BX"));
    let bundle = f.bx_seals(
        (1, 0),
        &Payload {
            changes: vec![],
            receipts: vec![receipt],
            returned: vec![],
            relay: None,
        },
    );
    let err = f.town.import_bundle(&bundle).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
    f.bx.add_reception(reception("陈建国", "村道路灯")).unwrap();
    assert_eq!(
        f.bx_to_town().unwrap().applied,
        1,
        "BX's real bundle imports"
    );
}

#[test]
fn one_stations_receipt_beyond_the_towns_log_holds_back_only_that_station() {
    let mut f = Field::new();
    let town_head = f.town.bundle_status().unwrap()[0].last_exported_seq;
    let receipt = Receipt {
        issuer: "BX".into(),
        origin: "QX".into(),
        acked_to: town_head + 1000,
        missing: vec![],
        issued_at: "2026-11-28T09:00:00+08:00".into(),
        last_entry: None,
        signature: String::new(),
    }
    .sign(&f.key_of("BX"));
    let bundle = f.bx_seals(
        (1, 0),
        &Payload {
            changes: vec![],
            receipts: vec![receipt],
            returned: vec![],
            relay: None,
        },
    );
    f.town.import_bundle(&bundle).unwrap();
    f.town
        .import_roster(
            &serde_json::from_str(
                r#"{"deputies": [{"name": "黄小梅", "congress": "县", "grid": "B01", "station": "NT"}]}"#,
            )
            .unwrap(),
        )
        .unwrap();
    assert_eq!(
        f.town_to_nt().unwrap().applied,
        1,
        "NT still gets the town's news"
    );
    let out = f.dir.path().join("out");
    let err = f.town.export_bundle("BX", &out).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::LogBehindPeer);
    let status = f.town.bundle_status().unwrap();
    let held: Vec<&str> = status
        .iter()
        .filter(|s| s.held_back.is_some())
        .map(|s| s.peer.as_str())
        .collect();
    assert_eq!(held, ["BX"]);
}

#[test]
fn refused_bundles_are_kept_within_a_cap_per_sender() {
    let mut f = Field::new();
    f.bx.add_reception(reception("陈建国", "村道路灯")).unwrap();
    let mut log = f.bx.changes_since(None, 0, None).unwrap();
    let casebook::change::Change::ReceptionCreate(forged) = &mut log[0].change else {
        panic!("BX's first change is its reception");
    };
    forged.station = "NT".into();
    // Ranges that do not cover each other, so no newer one replaces an older one.
    let sent = MAX_PER_SENDER as i64 + 5;
    for to_seq in (0..sent).map(|k| 40 - k) {
        let bundle = f.bx_seals(
            (1, to_seq),
            &Payload {
                changes: log.clone(),
                receipts: vec![],
                returned: vec![],
                relay: None,
            },
        );
        refused_as_not_owner(f.town.import_bundle(&bundle), "只有该站点本身");
    }
    let held = quarantined_for_bx(&f.town);
    assert_eq!(held.len(), MAX_PER_SENDER, "the oldest are dropped");
    f.nt.add_reception(reception("黄小梅", "水渠堵塞")).unwrap();
    assert_eq!(f.nt_to_town().unwrap().applied, 1);
    assert!(
        f.town
            .quarantined()
            .unwrap()
            .iter()
            .all(|q| q.origin == "BX")
    );
}

#[test]
fn bundles_waiting_for_a_gap_are_capped_per_sender() {
    let mut f = Field::new();
    let empty = Payload {
        changes: vec![],
        receipts: vec![],
        returned: vec![],
        relay: None,
    };
    let mut refused = None;
    for k in 0..200 {
        let bundle = f.bx_seals((100 + k, 100 + k), &empty);
        if let Err(err) = f.town.import_bundle(&bundle) {
            refused = Some((k, err));
            break;
        }
    }
    let (k, err) = refused.expect("a cap on waiting bundles");
    assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
    assert_eq!(k, casebook::bundle::MAX_PENDING_PER_SENDER as i64);
    f.bx.add_reception(reception("陈建国", "村道路灯")).unwrap();
    assert!(f.bx_to_town().is_ok(), "BX's real bundle still imports");
}

/// A meeting recorded an hour ago, by serde as the CLI reads it.
fn meeting(village: &str) -> casebook::domain::MeetingInput {
    serde_json::from_value(serde_json::json!({
        "kind": "representatives", "village": village,
        "held_at": (china_now() - TimeDelta::hours(1)).to_rfc3339(),
        "place": "村委会会议室", "host": "主持人", "recorder": "记录人",
        "expected": 30, "present": 20,
        "items": [{"title": "水渠维修", "votes": {"for": 15}}]
    }))
    .unwrap()
}

fn objection(content: &str) -> casebook::domain::MeetingEventInput {
    serde_json::from_value(serde_json::json!({"kind": "objection", "content": content})).unwrap()
}

/// What follows a meeting travels with it to the town, and only the meeting's station may add
/// it: an objection written on another station's meeting is refused as not its own.
#[test]
fn what_follows_a_meeting_travels_and_only_its_station_adds_it() {
    let mut f = Field::new();
    let theirs = f.nt.add_meeting(meeting("南塘村")).unwrap();
    f.nt.add_meeting_event(&theirs.id.to_string(), objection("鱼塘承包方案未公示"))
        .unwrap();
    assert_eq!(f.nt_to_town().unwrap().applied, 2);
    let at_town = f.town.meetings().unwrap();
    assert_eq!(
        at_town[0].meeting.kind,
        casebook::domain::MeetingKind::Representatives
    );
    assert_eq!(
        (at_town[0].events.len(), at_town[0].open_objections),
        (1, 1)
    );

    let own = f.bx.add_meeting(meeting("东岭村")).unwrap();
    f.bx.add_meeting_event(&own.id.to_string(), objection("路灯维修资金"))
        .unwrap();
    f.tamper(
        "BX",
        &format!(
            "UPDATE change_log SET data = replace(data, '{own}', '{theirs}') WHERE entity = 'meeting_event';",
            own = own.id,
            theirs = theirs.id
        ),
    );
    refused_as_not_owner(f.bx_to_town(), "这是NT的会议");
    let at_town = f.town.meetings().unwrap();
    assert_eq!(
        at_town[0].events.len(),
        1,
        "NT's meeting has only NT's objection"
    );
}

fn activity(deputy: &str, topic: &str) -> casebook::domain::DeputyActivityInput {
    serde_json::from_value(serde_json::json!({
        "kind": "report_to_voters", "deputy": deputy,
        "date": china_now().date_naive().to_string(), "place": "村文化室", "topic": topic,
        "voters_present": 40, "appraisal": {"satisfied": 30, "basically_satisfied": 8, "dissatisfied": 2}
    }))
    .unwrap()
}

/// A deputy's 述职 travels from the station to the town, where it is the station's and shows
/// in the deputy's file.
#[test]
fn a_report_to_voters_travels_to_the_town_as_the_stations() {
    let mut f = Field::new();
    let added =
        f.bx.add_deputy_activity(activity("陈建国", "年度履职情况"))
            .unwrap();
    assert_eq!(f.bx_to_town().unwrap().applied, 1);
    let year = chrono::Datelike::year(&china_now());
    let file = f.town.deputy_file("陈建国", year).unwrap();
    assert_eq!(file.reports.len(), 1);
    assert_eq!(
        (file.reports[0].id, file.reports[0].station.as_str()),
        (added.id, "BX")
    );
    let listed = f.town.deputy_activities(None, None, None).unwrap();
    assert_eq!(listed[0].deputy_name, "陈建国");
}

/// A station cannot record a report as another station's, nor take the id of one another
/// station recorded.
#[test]
fn a_station_cannot_write_another_stations_deputy_activities() {
    let mut f = Field::new();
    f.bx.add_deputy_activity(activity("陈建国", "年度履职情况"))
        .unwrap();
    f.tamper(
        "BX",
        "UPDATE change_log SET data = replace(data, '\"station\":\"BX\"', '\"station\":\"NT\"')
         WHERE entity = 'deputy_activity';",
    );
    let before = f.town.canonical_dump().unwrap();
    refused_as_not_owner(f.bx_to_town(), "登记的是NT的记录");
    assert_eq!(f.town.canonical_dump().unwrap(), before, "nothing applied");
    assert_eq!(quarantined_for_bx(&f.town).len(), 1);
}

#[test]
fn a_station_cannot_take_the_id_of_another_stations_deputy_activity() {
    let mut f = Field::new();
    let theirs =
        f.nt.add_deputy_activity(activity("黄小梅", "述职"))
            .unwrap();
    f.nt_to_town().unwrap();
    let own =
        f.bx.add_deputy_activity(activity("陈建国", "述职"))
            .unwrap();
    f.tamper(
        "BX",
        &format!(
            "UPDATE change_log SET data = replace(data, '{own}', '{theirs}'),
                                   record_id = '{theirs}'
             WHERE entity = 'deputy_activity';",
            own = own.id,
            theirs = theirs.id
        ),
    );
    refused_as_not_owner(f.bx_to_town(), "该记录编号已属于NT");
    let listed = f.town.deputy_activities(None, None, None).unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].activity.station, "NT");
}

/// A report whose sender edited it past the limits (more graded voters than were present) is
/// refused whole at the town, like any record out of bounds.
#[test]
fn a_report_edited_past_its_limits_is_refused_at_the_town() {
    let mut f = Field::new();
    f.bx.add_deputy_activity(activity("陈建国", "年度履职情况"))
        .unwrap();
    f.tamper(
        "BX",
        "UPDATE change_log SET data = replace(data, '\"voters_present\":40', '\"voters_present\":4')
         WHERE entity = 'deputy_activity';",
    );
    let before = f.town.canonical_dump().unwrap();
    let err = f.bx_to_town().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::BadBundle, "{err}");
    assert!(err.to_string().contains("多于参加选民人数"), "{err}");
    assert_eq!(f.town.canonical_dump().unwrap(), before);
}

/// A suggestion drafted at `station` from a new reception there, led by `lead`.
fn drafted_suggestion(station: &mut Book, lead: &str, title: &str) -> String {
    let case_no = station
        .add_reception(reception(lead, "渡槽漏水，灌溉受影响"))
        .unwrap()
        .case_no;
    let input: casebook::domain::SuggestionInput = serde_json::from_value(serde_json::json!({
        "title": title, "category": "资源环境、城乡建设和农林水利",
        "reasons": "渡槽年久失修", "proposals": "列入年度水利计划",
        "cases": [case_no], "lead": lead,
    }))
    .unwrap();
    station.add_suggestion(input).unwrap().number
}

fn submitted() -> casebook::domain::SuggestionEventInput {
    serde_json::from_value(serde_json::json!({"kind": "submitted", "to": "镇人大主席团"})).unwrap()
}

/// A suggestion drafted at a station reaches the town with its life, and counts for its lead
/// deputy there; another station cannot write on it: an event BX aims at NT's suggestion is
/// refused as not its own.
#[test]
fn a_suggestion_travels_to_the_town_and_only_its_station_writes_its_life() {
    let mut f = Field::new();
    let theirs = drafted_suggestion(&mut f.nt, "黄小梅", "关于维修南塘村渡槽的建议");
    f.nt.add_suggestion_event(&theirs, submitted()).unwrap();
    f.nt_to_town().unwrap();
    let at_town = f.town.suggestions().unwrap();
    assert_eq!(at_town.len(), 1);
    assert_eq!(at_town[0].suggestion.number, theirs);
    assert_eq!(at_town[0].lead_name, "黄小梅");
    assert_eq!(
        at_town[0].state.status,
        casebook::domain::SuggestionStatus::Submitted
    );
    let lead = at_town[0].suggestion.lead;
    let year = at_town[0].suggestion.year;
    let of_lead = f.town.suggestions_of_deputy(lead, year).unwrap();
    assert_eq!(of_lead.len(), 1);
    assert_eq!(of_lead[0].suggestion.number, theirs);
    let err = f
        .town
        .add_suggestion_event(&theirs, submitted())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::NotOwner, "{err}");

    let own = drafted_suggestion(&mut f.bx, "陈建国", "关于维修东岭村路灯的建议");
    f.bx.add_suggestion_event(&own, submitted()).unwrap();
    let (own_id, theirs_id) = (
        f.bx.suggestion(&own).unwrap().suggestion.id,
        at_town[0].suggestion.id,
    );
    f.tamper(
        "BX",
        &format!(
            "UPDATE change_log SET data = replace(data, '{own_id}', '{theirs_id}') WHERE entity = 'suggestion_event';"
        ),
    );
    refused_as_not_owner(f.bx_to_town(), "这是NT的代表建议");
    let at_town = f.town.suggestions().unwrap();
    assert_eq!(at_town.len(), 1, "nothing of BX's bundle went in");
    assert_eq!(
        at_town[0].events.len(),
        1,
        "NT's suggestion has only NT's event"
    );
}

/// A station cannot take another station's suggestion numbers: BX's suggestion renumbered by
/// hand as NT's is refused, and NT's own, sent later, goes in.
#[test]
fn a_station_cannot_number_a_suggestion_as_another_stations() {
    let mut f = Field::new();
    let own = drafted_suggestion(&mut f.bx, "陈建国", "关于维修东岭村路灯的建议");
    let forged = own.replacen("BX", "NT", 1);
    f.tamper(
        "BX",
        &format!(
            "UPDATE change_log SET data = replace(data, '{own}', '{forged}') WHERE entity = 'suggestion';"
        ),
    );
    refused_as_not_owner(f.bx_to_town(), "不是本站BX的编号");
    assert!(f.town.suggestions().unwrap().is_empty());
    let theirs = drafted_suggestion(&mut f.nt, "黄小梅", "关于维修南塘村渡槽的建议");
    assert_eq!(
        theirs, forged,
        "NT's first number is the one BX tried to take"
    );
    f.nt_to_town().unwrap();
    assert_eq!(f.town.suggestions().unwrap()[0].suggestion.station, "NT");
}
