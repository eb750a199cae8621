//! The window's commands through Tauri's mock runtime: the same IPC path the UI takes (argument
//! names, JSON shapes, `{kind, message}` errors), over real books on disk and a real hub.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use casebook::Book;
use liaison_station::station::{Paths, Station};
use serde_json::{Value, json};
use tauri::test::{INVOKE_KEY, MockRuntime, mock_builder, mock_context, noop_assets};
use tauri::webview::{InvokeRequest, WebviewWindow, WebviewWindowBuilder};

struct Window {
    _app: tauri::App<MockRuntime>,
    webview: WebviewWindow<MockRuntime>,
}

impl Window {
    fn over(paths: Paths) -> Window {
        // Noon, whatever the hour: a reception an hour ago is today's.
        casebook::time::test_clock::pin_to_noon();
        let station = Station::open(paths, Instant::now()).unwrap();
        let app = liaison_station::station_app(mock_builder(), station)
            .build(mock_context(noop_assets()))
            .unwrap();
        let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
            .build()
            .unwrap();
        Window { _app: app, webview }
    }

    /// Invokes `cmd` as the UI does; `Err` holds the `{kind, message}` the UI would get.
    fn invoke(&self, cmd: &str, args: Value) -> Result<Value, Value> {
        tauri::test::get_ipc_response(
            &self.webview,
            InvokeRequest {
                cmd: cmd.into(),
                callback: tauri::ipc::CallbackFn(0),
                error: tauri::ipc::CallbackFn(1),
                url: "tauri://localhost".parse().unwrap(),
                body: tauri::ipc::InvokeBody::Json(args),
                headers: Default::default(),
                invoke_key: INVOKE_KEY.to_owned(),
            },
        )
        .map(|body| body.deserialize::<Value>().unwrap())
    }

    fn ok(&self, cmd: &str, args: Value) -> Value {
        self.invoke(cmd, args)
            .unwrap_or_else(|err| panic!("{cmd} failed: {err}"))
    }

    /// Signs `name` in with [`PIN`] (set by the first sign-in).
    fn sign_in(&self, name: &str) {
        let deputies = self.ok("sign_in_deputies", json!({}));
        let id = deputies
            .as_array()
            .unwrap()
            .iter()
            .find(|deputy| deputy["name"] == name)
            .unwrap_or_else(|| panic!("{name} is not offered: {deputies}"))["id"]
            .clone();
        let status = self.ok("sign_in", json!({"deputy": id, "pin": PIN}));
        assert_eq!(status["signed_in"]["name"], name);
    }

    fn refused(&self, cmd: &str, args: Value) -> String {
        let err = self.invoke(cmd, args).expect_err(cmd);
        assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
        err["kind"].as_str().unwrap().to_owned()
    }
}

/// The station's passphrase in these tests.
const PASSPHRASE: &str = "东岭村2026年修渡槽";

/// The deputies' sign-in PIN in these tests.
const PIN: &str = "385920";

fn reception(matter: &str) -> Value {
    json!({
        "received_at": (casebook::time::china_now() - chrono::TimeDelta::hours(1)).to_rfc3339(),
        "channel": "station_visit",
        "deputies": ["陈建国"],
        "visitors": [{"name": "梁秀英", "sex": "female", "phone": "13812345678",
                      "id_number": "11010519491231002X"}],
        "category": "村务管理",
        "matter": matter,
        "request": "请求处理",
        "confidential": false,
        "consent": true
    })
}

fn case_count(window: &Window) -> usize {
    let page = window.ok(
        "list_cases",
        json!({"filter": {"status": null, "category": null, "query": null, "limit": 50, "offset": 0}}),
    );
    page["cases"].as_array().unwrap().len()
}

#[test]
fn first_run_creates_the_book_once() {
    let dir = tempfile::tempdir().unwrap();
    let window = Window::over(Paths::in_dir(dir.path()));
    assert_eq!(window.ok("book_status", json!({}))["open"], false);
    assert_eq!(window.refused("today", json!({})), "no_book");
    let status = window.ok(
        "create_book",
        json!({"code": "BX", "name": "东岭村人大代表联络站", "passphrase": PASSPHRASE}),
    );
    assert_eq!(status["open"], true);
    assert_eq!(
        status["encrypted"], true,
        "a station's new book is encrypted"
    );
    assert_eq!(status["code"], "BX");
    assert!(dir.path().join("casebook.db").exists());
    assert_eq!(
        window.refused(
            "create_book",
            json!({"code": "BX", "name": "又一本", "passphrase": PASSPHRASE})
        ),
        "already_exists"
    );
    let roster = liaison_testkit::roster_path();
    let imported = window.ok("import_roster", json!({"path": roster}));
    assert!(imported["deputies"].as_u64().unwrap() > 0);
    assert_eq!(
        window.refused(
            "import_roster",
            json!({"path": dir.path().join("missing.json")})
        ),
        "bad_input"
    );

    // With deputies on the roster, nothing but the sign-in screen until one signs in.
    let status = window.ok("book_status", json!({}));
    assert_eq!(
        (
            status["sign_in_required"].clone(),
            status["signed_in"].clone()
        ),
        (json!(true), Value::Null)
    );
    assert_eq!(
        window.refused("own_fingerprint", json!({})),
        "sign_in_required"
    );
    assert_eq!(window.refused("today", json!({})), "sign_in_required");
    let deputies = window.ok("sign_in_deputies", json!({}));
    let li = deputies
        .as_array()
        .unwrap()
        .iter()
        .find(|deputy| deputy["name"] == "李秀英")
        .unwrap()["id"]
        .clone();
    assert_eq!(
        window.refused("sign_in", json!({"deputy": li, "pin": "123456"})),
        "invalid",
        "too plain a first PIN"
    );
    window.ok("sign_in", json!({"deputy": li, "pin": PIN}));
    window.ok("today", json!({}));
    let status = window.ok("sign_out", json!({"reason": "idle"}));
    assert_eq!(status["sign_in_required"], true);
    assert_eq!(window.refused("today", json!({})), "sign_in_required");
    assert_eq!(
        window.refused("sign_in", json!({"deputy": li, "pin": "102938"})),
        "wrong_pin"
    );
    window.sign_in("李秀英");

    // The town enrolled (keys are not typed in the window: the town office's technician runs
    // `casebook peer add`, or the book is made from the town's enrolment file); the window
    // shows this book's fingerprint, and exports a bundle for the town.
    let town = Book::create(
        &dir.path().join("town.db"),
        "QX",
        "清溪镇人大",
        casebook::store::BookKind::Town,
    )
    .unwrap();
    let town_keys = town.public_keys();
    let mut technician =
        Book::open_with_passphrase(&dir.path().join("casebook.db"), Some(PASSPHRASE)).unwrap();
    technician.set_channel(casebook::domain::AuditChannel::Cli);
    technician
        .add_peer("QX", &town_keys.sign_public, &town_keys.seal_public)
        .unwrap();
    assert_eq!(
        window.ok("own_fingerprint", json!({})),
        json!(casebook::bundle::fingerprint(&technician.public_keys()).unwrap())
    );
    drop(technician);
    window.ok("add_reception", json!({"input": reception("桥面破损")}));
    let usb = tempfile::tempdir().unwrap();
    let exported = window.ok("export_bundle", json!({"to": "QX", "dir": usb.path()}));
    assert_eq!(
        exported["changes"], 8,
        "the reception and the trail: PIN set, sign-in, sign-out, a wrong PIN, sign-in again, \
         the town enrolled, this export (the roster is the town's)"
    );
}

#[test]
fn a_reception_is_found_shown_followed_and_printed() {
    let dir = tempfile::tempdir().unwrap();
    let window = Window::over(Paths::in_dir(dir.path()));
    window.ok(
        "create_book",
        json!({"code": "BX", "name": "东岭村人大代表联络站", "passphrase": PASSPHRASE}),
    );
    window.ok(
        "import_roster",
        json!({"path": liaison_testkit::roster_path()}),
    );
    window.sign_in("陈建国");

    let added = window.ok(
        "add_reception",
        json!({"input": reception("水渠堵塞影响灌溉")}),
    );
    let case_no = added["case_no"].as_str().unwrap().to_owned();
    let page = window.ok(
        "list_cases",
        json!({"filter": {"status": null, "category": null, "query": "水渠", "limit": 20, "offset": 0}}),
    );
    assert_eq!(page["cases"][0]["case_no"], case_no.as_str());
    assert_eq!(page["has_more"], false);

    let today = window.ok("today", json!({}));
    assert_eq!(today["receptions"][0]["case_no"], case_no.as_str());
    assert_eq!(today["awaiting"][0]["case_no"], case_no.as_str());

    window.ok(
        "add_case_event",
        json!({"caseNo": case_no, "input": {"kind": "referred", "to": "镇农业办",
            "deadline": casebook::time::china_today() + chrono::TimeDelta::days(10), "note": "请核查"}}),
    );
    let detail = window.ok("case_detail", json!({"caseNo": case_no}));
    assert_eq!(detail["status"], "referred");
    assert_eq!(detail["timeline"].as_array().unwrap().len(), 1);

    let slip = window.ok("slip_html", json!({"caseNo": case_no}));
    let slip = slip.as_str().unwrap();
    assert!(slip.contains(&case_no) && slip.contains("1101**********002X"));
    assert!(slip.contains("0750-5512345"), "the roster's station phone");
    window.ok(
        "save_settings",
        json!({"settings": {"station_phone": "0750-5599999", "hub_url": "", "large_font": true}}),
    );
    let slip = window.ok("slip_html", json!({"caseNo": case_no}));
    assert!(
        slip.as_str().unwrap().contains("0750-5599999"),
        "this PC's phone wins"
    );
    assert_eq!(window.ok("settings", json!({}))["large_font"], true);
}

#[test]
fn refused_input_names_its_kind_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let window = Window::over(Paths::in_dir(dir.path()));
    window.ok(
        "create_book",
        json!({"code": "BX", "name": "东岭村人大代表联络站", "passphrase": PASSPHRASE}),
    );
    window.ok(
        "import_roster",
        json!({"path": liaison_testkit::roster_path()}),
    );
    window.sign_in("陈建国");

    let mut bad_id = reception("路灯不亮");
    bad_id["visitors"][0]["id_number"] = json!("110105194912310021");
    assert_eq!(
        window.refused("add_reception", json!({"input": bad_id})),
        "invalid_id_number"
    );
    let mut bad_phone = reception("路灯不亮");
    bad_phone["visitors"][0]["phone"] = json!("12345");
    assert_eq!(
        window.refused("add_reception", json!({"input": bad_phone})),
        "invalid_phone"
    );
    let mut no_consent = reception("路灯不亮");
    no_consent["consent"] = json!(false);
    assert_eq!(
        window.refused("add_reception", json!({"input": no_consent})),
        "consent_required"
    );
    assert_eq!(case_count(&window), 0);

    assert_eq!(
        window.refused("case_detail", json!({"caseNo": "BX-2026-9999"})),
        "not_found"
    );
    assert_eq!(
        window.refused(
            "save_settings",
            json!({"settings": {"station_phone": "", "hub_url": "192.0.2.1:8700", "large_font": false}})
        ),
        "invalid"
    );
    assert_eq!(window.refused("sync_now", json!({})), "invalid");
    let garbage = dir.path().join("garbage.lsb");
    std::fs::write(&garbage, b"not a bundle").unwrap();
    assert_eq!(
        window.refused("import_bundle", json!({"path": garbage})),
        "bad_bundle"
    );
}

/// A 村民代表会议 as the form sends it (every optional field present, null where empty), then an
/// objection to it: the same argument names and JSON shapes as the UI's `addMeeting` and
/// `addMeetingEvent`.
#[test]
fn a_villagers_meeting_and_an_objection_through_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let window = Window::over(Paths::in_dir(dir.path()));
    window.ok(
        "create_book",
        json!({"code": "BX", "name": "东岭村人大代表联络站", "passphrase": PASSPHRASE}),
    );
    window.ok(
        "import_roster",
        json!({"path": liaison_testkit::roster_path()}),
    );
    window.sign_in("陈建国");
    let held_at = (casebook::time::china_now() - chrono::TimeDelta::hours(2)).to_rfc3339();
    let input = json!({
        "kind": "representatives", "village": "东岭村", "held_at": held_at, "place": "村委会会议室",
        "host": "陈志明", "recorder": "梁少玲", "deputies": [], "expected": 31, "present": 21,
        "households_expected": null, "households_present": null, "quorum": null,
        "items": [{
            "title": "集体收益分配方案", "case_no": null, "topic": "income_distribution",
            "discussion": null, "votes": {"for": 12, "against": 6, "abstain": 3},
            "method": "secret_ballot", "approval": "two_thirds_of_all", "resolution": null,
            "rights_review": {"infringes": true, "note": "未列出嫁女", "correction": "补列出嫁女",
                              "revote": {"for": 21, "against": 0, "abstain": 0}}
        }],
        "published_from": null, "published_to": null, "published_place": null
    });
    let added = window.ok("add_meeting", json!({"input": input}));
    assert_eq!(
        (
            added["kind"].clone(),
            added["passed"].clone(),
            added["needed"].clone()
        ),
        (json!("representatives"), json!([true]), json!([21]))
    );
    let objection = window.ok(
        "add_meeting_event",
        json!({"id": added["id"], "input": {"at": null, "deputy": null, "note": null,
               "kind": "objection", "item": 1, "raised_by": null, "content": "子女是否同等分配未写明"}}),
    );
    assert_eq!(objection["open_objections"], 1);
    let listed = window.ok("meeting", json!({"id": added["id"]}));
    assert_eq!(listed["events"][0]["kind"], "objection");
    assert_eq!(listed["attendance"]["basis"], "members");

    let mut own_rule = input.clone();
    own_rule["quorum"] = json!({"numerator": 1, "denominator": 2});
    assert_eq!(
        window.refused("add_meeting", json!({"input": own_rule})),
        "quorum"
    );
    assert_eq!(
        window.refused(
            "add_meeting_event",
            json!({"id": "nope", "input": {"kind": "objection", "content": "x"}})
        ),
        "not_found"
    );
}

/// A 代表建议 as the form sends it (every optional field present, null where empty), its
/// submission and its printed form: the argument names and JSON shapes of the UI's
/// `addSuggestion`, `addSuggestionEvent` and `documentHtml('suggestion', …)`.
#[test]
fn a_suggestion_and_its_submission_through_the_window() {
    let dir = tempfile::tempdir().unwrap();
    let window = Window::over(Paths::in_dir(dir.path()));
    window.ok(
        "create_book",
        json!({"code": "BX", "name": "东岭村人大代表联络站", "passphrase": PASSPHRASE}),
    );
    window.ok(
        "import_roster",
        json!({"path": liaison_testkit::roster_path()}),
    );
    window.sign_in("陈建国");
    let case_no =
        window.ok("add_reception", json!({"input": reception("渡槽漏水")}))["case_no"].clone();
    let input = json!({
        "title": "关于维修渡槽的建议", "category": "资源环境、城乡建设和农林水利",
        "reasons": "渡槽漏水", "proposals": "列入水利计划", "cases": [case_no],
        "lead": "陈建国", "cosigners": [], "unit": null, "drafted_at": null, "drafted_by": null
    });
    let added = window.ok("add_suggestion", json!({"input": input}));
    assert_eq!(added["congress"], "town");
    let number = added["number"].clone();
    let submitted = window.ok(
        "add_suggestion_event",
        json!({"number": number, "input": {"at": null, "deputy": null, "note": null,
               "kind": "submitted", "to": "镇人大主席团"}}),
    );
    assert_eq!(submitted["state"]["status"], "submitted");
    let page = window.ok("suggestions", json!({"page": {"offset": 0, "limit": 20}}));
    assert_eq!(page["has_more"], false);
    let listed = &page["items"][0];
    assert_eq!(listed["lead_name"], "陈建国");
    let opened = window.ok("suggestion", json!({"number": number}));
    assert_eq!(opened["number"], number);
    assert_eq!(opened["state"]["status"], "submitted");
    let html = window.ok("document_html", json!({"kind": "suggestion", "id": number}));
    let html = html.as_str().unwrap();
    assert!(html.contains("代表建议、批评和意见") && !html.contains("梁秀英"));
    assert_eq!(
        window.refused(
            "add_suggestion_event",
            json!({"number": number, "input": {"kind": "submitted"}})
        ),
        "invalid_transition"
    );
}

#[test]
fn the_demo_station_shows_every_screen() {
    casebook::time::test_clock::pin_to_noon();
    let station = Station::demo(300, Instant::now()).unwrap();
    let app = liaison_station::station_app(mock_builder(), station)
        .build(mock_context(noop_assets()))
        .unwrap();
    let webview = WebviewWindowBuilder::new(&app, "main", Default::default())
        .build()
        .unwrap();
    let window = Window { _app: app, webview };
    let first = window.ok("sign_in_deputies", json!({}))[0]["name"].clone();
    window.sign_in(first.as_str().unwrap());
    let status = window.ok("book_status", json!({}));
    assert_eq!(
        (status["demo"].clone(), status["code"].clone()),
        (json!(true), json!("DL"))
    );
    let first = window.ok(
        "list_cases",
        json!({"filter": {"status": null, "category": null, "query": null, "limit": 20, "offset": 0}}),
    );
    let second = window.ok(
        "list_cases",
        json!({"filter": {"status": null, "category": null, "query": null, "limit": 20, "offset": 20}}),
    );
    assert_eq!(first["has_more"], true);
    assert_ne!(first["cases"][0]["case_no"], second["cases"][0]["case_no"]);
    assert!(
        !window
            .ok("deputies", json!({}))
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Meetings and mediation files come a page at a time, at most 200; one opens on its own.
    for (list, one, key) in [
        ("meetings", "meeting", "id"),
        ("mediations", "mediation", "number"),
    ] {
        let page = |offset: usize, limit: usize| {
            window.ok(list, json!({"page": {"offset": offset, "limit": limit}}))
        };
        let first = page(0, 2);
        let items = first["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "{list}");
        assert_eq!(first["has_more"], true, "{list}");
        assert_eq!(page(0, 0)["items"].as_array().unwrap().len(), 1, "{list}");
        let all = page(0, 100_000);
        let count = all["items"].as_array().unwrap().len();
        assert!(count <= 200, "{list}: {count}");
        assert_eq!(page(1, 1)["items"][0][key], items[1][key], "{list}");
        let opened = window.ok(one, json!({key: items[1][key]}));
        assert_eq!(opened[key], items[1][key], "{list}");
        assert_eq!(window.ok(one, json!({key: "没有这条"})), json!(null));
    }
    assert_eq!(
        window.ok("labels", json!({}))["dispute_types"]
            .as_array()
            .unwrap()
            .len(),
        19
    );
    let stats = window.ok("stats", json!({"from": null, "to": null}));
    assert_eq!(stats["receptions"], 300);
    let week = window.ok(
        "duty_shifts",
        json!({"from": "2020-01-01", "to": "2099-12-31"}),
    );
    assert!(
        week.as_array()
            .unwrap()
            .iter()
            .all(|s| s["station"] == "DL")
    );

    let first_page = json!({"page": {"offset": 0, "limit": 1}});
    let meeting = &window.ok("meetings", first_page.clone())["items"][0];
    let minutes = window.ok(
        "document_html",
        json!({"kind": "minutes", "id": meeting["id"]}),
    );
    assert!(minutes.as_str().unwrap().contains("会议记录"));
    let mediation = &window.ok("mediations", first_page)["items"][0];
    let cover = window.ok(
        "document_html",
        json!({"kind": "mediation-cover", "id": mediation["number"]}),
    );
    assert!(
        cover
            .as_str()
            .unwrap()
            .contains(mediation["number"].as_str().unwrap())
    );
    // The document's name is typed: an unknown one is refused before the command runs.
    assert!(
        window
            .invoke("document_html", json!({"kind": "receipt", "id": "x"}))
            .is_err()
    );
    let weekly = window.ok(
        "report_html",
        json!({"kind": "weekly", "from": null, "to": null}),
    );
    assert!(weekly.as_str().unwrap().contains("工作周报"));
    let reports = tempfile::tempdir().unwrap();
    let saved = window.ok(
        "save_report",
        json!({"kind": "monthly", "from": null, "to": null, "dir": reports.path(), "format": "xlsx"}),
    );
    let saved = std::path::PathBuf::from(saved.as_str().unwrap());
    assert!(saved.starts_with(reports.path()));
    assert!(saved.to_string_lossy().ends_with(".xlsx"));
    assert!(
        std::fs::read(&saved).unwrap().starts_with(b"PK"),
        "an xlsx is a zip"
    );
    let refused = window.refused(
        "save_report",
        json!({"kind": "monthly", "from": null, "to": null, "dir": reports.path(), "format": "pdf"}),
    );
    assert_eq!(refused, "invalid");

    let usb = tempfile::tempdir().unwrap();
    let exported = window.ok("export_bundle", json!({"to": "QX", "dir": usb.path()}));
    assert!(exported["changes"].as_u64().unwrap() > 300);
    assert_eq!(std::fs::read_dir(usb.path()).unwrap().count(), 1);
    assert_eq!(
        window.refused(
            "export_bundle",
            json!({"to": "QX", "dir": usb.path().join("unplugged")})
        ),
        "invalid"
    );
}

fn wait_for(mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while !done() {
        assert!(Instant::now() < deadline, "timed out");
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn the_worker_syncs_with_a_real_hub_once_its_address_is_set() {
    let dir = tempfile::tempdir().unwrap();
    let (town, station) = liaison_testkit::town_and_station(dir.path());
    drop(station);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (stop_hub, hub_stopped) = tokio::sync::oneshot::channel::<()>();
    runtime.spawn(liaison_hub::serve(
        listener,
        town,
        Default::default(),
        async move {
            let _ = hub_stopped.await;
        },
    ));

    let window = Window::over(Paths {
        book: dir.path().join("bx.db"),
        settings: dir.path().join("bx.settings.json"),
    });
    window.sign_in("陈建国");
    window.ok("add_reception", json!({"input": reception("桥面破损")}));
    assert!(window.ok("sync_status", json!({}))["worker"].is_null());
    window.ok(
        "save_settings",
        json!({"settings": {"station_phone": "", "hub_url": url, "large_font": false}}),
    );
    wait_for(|| {
        let view = window.ok("sync_status", json!({}));
        view["worker"]["cycles"].as_u64().unwrap_or(0) >= 1
    });
    let view = window.ok("sync_status", json!({}));
    assert_eq!(view["hub_url"], url.as_str());
    assert!(view["worker"]["last_success_at"].is_string(), "{view}");
    assert_eq!(
        view["worker"]["last_attempt_at"],
        view["worker"]["last_success_at"]
    );
    let town_view = &view["peers"][0];
    assert_eq!(town_view["unacknowledged"], 0, "{view}");

    let outcome = window.ok("sync_now", json!({}));
    assert_eq!(outcome["pushed"], 0, "nothing new since the worker's cycle");
    drop(window);
    let _ = stop_hub.send(());
    let town = Book::open(&dir.path().join("town.db")).unwrap();
    let stats = town.stats(Some("BX"), None, None).unwrap();
    assert_eq!(stats.receptions, 1);
}

/// The audit trail's page for `action` (all lines when `None`), 50 lines at most.
fn audit_lines(window: &Window, action: Option<&str>) -> Vec<Value> {
    let page = window.ok(
        "audit_trail",
        json!({"query": {"from": null, "to": null, "deputy": null, "action": action,
                         "station": null, "limit": 50, "offset": 0}}),
    );
    page["entries"].as_array().unwrap().clone()
}

#[test]
fn a_printed_slip_leaves_a_line_with_the_case_number_and_no_visitor_data() {
    let dir = tempfile::tempdir().unwrap();
    let window = Window::over(Paths::in_dir(dir.path()));
    window.ok(
        "create_book",
        json!({"code": "BX", "name": "东岭村人大代表联络站", "passphrase": PASSPHRASE}),
    );
    window.ok(
        "import_roster",
        json!({"path": liaison_testkit::roster_path()}),
    );
    window.sign_in("陈建国");
    let signed_in = audit_lines(&window, None);
    let actions: Vec<&str> = signed_in
        .iter()
        .map(|line| line["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["sign_in", "pin_set"], "newest first");
    let added = window.ok(
        "add_reception",
        json!({"input": reception("水渠堵塞影响灌溉")}),
    );
    let case_no = added["case_no"].as_str().unwrap().to_owned();
    assert_eq!(
        audit_lines(&window, None).len(),
        2,
        "a reception is no audited action"
    );

    // Seeing the slip is not printing it: the window says when it prints.
    window.ok("slip_html", json!({"caseNo": case_no}));
    assert_eq!(audit_lines(&window, None).len(), 2);
    window.ok(
        "record_print",
        json!({"document": "slip", "id": format!(" {case_no} ")}),
    );
    let printed = audit_lines(&window, Some("document_print"));
    assert_eq!(printed.len(), 1, "{printed:?}");
    let line = &printed[0];
    assert_eq!(line["subject"], case_no.as_str());
    assert_eq!(line["detail"], "接待回执");
    assert_eq!(line["action_label"], "打印文书");
    assert_eq!(line["channel"], "app");
    assert_eq!(line["channel_label"], "桌面程序");
    assert_eq!(line["station"], "BX");
    assert_eq!(line["deputy_name"], "陈建国", "the deputy signed in");

    // What the window sends is checked: a record the book holds, a known document, no control
    // characters, a bounded length.
    assert_eq!(
        window.refused(
            "record_print",
            json!({"document": "slip", "id": "BX-2000-0001"})
        ),
        "not_found"
    );
    for id in [String::new(), format!("{case_no}\n梁秀英"), "梁".repeat(65)] {
        assert_eq!(
            window.refused("record_print", json!({"document": "slip", "id": id})),
            "invalid",
            "{id:?}"
        );
    }
    assert!(
        window
            .invoke(
                "record_print",
                json!({"document": "receipt", "id": case_no})
            )
            .is_err(),
        "an unknown document"
    );
    assert_eq!(
        audit_lines(&window, None).len(),
        3,
        "refusals record nothing"
    );

    // The Excel report and a bundle for the town are on the trail too, through the app.
    let out = tempfile::tempdir().unwrap();
    window.ok(
        "save_report",
        json!({"kind": "monthly", "from": null, "to": null, "dir": out.path(), "format": "xlsx"}),
    );
    window.ok(
        "save_report",
        json!({"kind": "monthly", "from": null, "to": null, "dir": out.path(), "format": "html"}),
    );
    let exported = audit_lines(&window, Some("excel_export"));
    assert_eq!(exported.len(), 1, "the Excel file only: {exported:?}");
    assert_eq!(exported[0]["detail"], "统计月报");
    let lines = audit_lines(&window, None);
    assert_eq!(lines[0]["action"], "excel_export", "newest first");
    assert!(lines.iter().all(|line| line["channel"] == "app"));

    // Pages, and the filters the screen offers.
    let page = window.ok(
        "audit_trail",
        json!({"query": {"from": null, "to": null, "deputy": null, "action": null,
                         "station": null, "limit": 1, "offset": 0}}),
    );
    assert_eq!(page["entries"].as_array().unwrap().len(), 1);
    assert_eq!(page["has_more"], true);
    let page = window.ok(
        "audit_trail",
        json!({"query": {"from": null, "to": null, "deputy": null, "action": null,
                         "station": "BX", "limit": 1, "offset": 1}}),
    );
    assert_eq!(page["entries"][0]["action"], "document_print");
    assert_eq!(
        page["has_more"], true,
        "the sign-in and the PIN set before it"
    );
    let today = casebook::time::china_today();
    assert_eq!(
        window.refused(
            "audit_trail",
            json!({"query": {"from": today, "to": today - chrono::TimeDelta::days(1),
                             "deputy": null, "action": null, "station": null,
                             "limit": 20, "offset": 0}}),
        ),
        "invalid"
    );

    // No visitor's name, phone or ID number anywhere on the trail, as the screen gets it.
    let trail = serde_json::to_string(&audit_lines(&window, None)).unwrap();
    for personal in ["梁秀英", "13812345678", "11010519491231002X", "水渠"] {
        assert!(!trail.contains(personal), "{personal} in {trail}");
    }

    // The lines are change-log records: they travel to the town with the cases.
    let mut town = Book::create(
        &dir.path().join("town.db"),
        "QX",
        "清溪镇人大",
        casebook::store::BookKind::Town,
    )
    .unwrap();
    let keys = town.public_keys();
    let mut station =
        Book::open_with_passphrase(&dir.path().join("casebook.db"), Some(PASSPHRASE)).unwrap();
    station.set_channel(casebook::domain::AuditChannel::Cli);
    station
        .add_peer("QX", &keys.sign_public, &keys.seal_public)
        .unwrap();
    let own = station.public_keys();
    drop(station);
    town.add_peer("BX", &own.sign_public, &own.seal_public)
        .unwrap();
    let usb = tempfile::tempdir().unwrap();
    let exported = window.ok("export_bundle", json!({"to": "QX", "dir": usb.path()}));
    assert_eq!(audit_lines(&window, Some("bundle_export")).len(), 1);
    let bundle = std::fs::read(exported["path"].as_str().unwrap()).unwrap();
    town.import_bundle(&bundle).unwrap();
    let at_town = town
        .audit_trail(&casebook::store::audit::AuditFilter {
            station: Some("BX".into()),
            action: Some(casebook::domain::AuditAction::DocumentPrint),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(at_town.len(), 1);
    assert_eq!(at_town[0].entry.subject.as_deref(), Some(case_no.as_str()));
    assert_eq!(
        town.audit_trail(&casebook::store::audit::AuditFilter {
            station: Some("BX".into()),
            ..Default::default()
        })
        .unwrap()
        .len(),
        6,
        "the PIN set, the sign-in, the print, the Excel file, the peer enrolled and the export"
    );

    // The town's app shows them by station.
    drop(town);
    let town_window = Window::over(Paths {
        book: dir.path().join("town.db"),
        settings: dir.path().join("town.settings.json"),
    });
    let page = |station: &str| {
        town_window.ok(
            "audit_trail",
            json!({"query": {"from": null, "to": null, "deputy": null,
                             "action": "document_print", "station": station,
                             "limit": 20, "offset": 0}}),
        )["entries"]
            .as_array()
            .unwrap()
            .clone()
    };
    let printed = page("BX");
    assert_eq!(printed.len(), 1);
    assert_eq!(printed[0]["subject"], case_no.as_str());
    assert_eq!(printed[0]["station"], "BX");
    assert!(page("QX").is_empty(), "the town printed nothing");
}

/// A book restored from a backup, where a reception typed before the town sent the log back
/// took a new number: the window lists it with both numbers, the case shows the old one, and
/// the 编号更正通知 renders and is printed with only the number in the audit trail.
#[test]
fn a_renumbered_case_is_listed_shown_and_its_correction_printed() {
    let dir = tempfile::tempdir().unwrap();
    let (book, number, former) = liaison_testkit::restored_with_a_renumbered_case(dir.path());
    drop(book);
    let window = Window::over(Paths {
        book: dir.path().join("restored.db"),
        settings: dir.path().join("settings.json"),
    });
    assert_eq!(window.refused("renumbered", json!({})), "sign_in_required");
    window.sign_in("陈建国");

    let listed = window.ok("renumbered", json!({}));
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["kind"], "case");
    assert_eq!(listed[0]["number"], number.as_str());
    assert_eq!(listed[0]["former"], former.as_str());
    assert!(listed[0]["at"].as_str().unwrap().ends_with("+08:00"));

    let detail = window.ok("case_detail", json!({"caseNo": number}));
    assert_eq!(detail["reception"]["case_no"], number.as_str());
    assert_eq!(detail["reception"]["former_case_no"], former.as_str());

    let notice = window.ok("document_html", json!({"kind": "correction", "id": number}));
    let notice = notice.as_str().unwrap();
    assert!(notice.contains(&number) && notice.contains(&former));
    assert!(notice.contains("编号更正通知"));
    assert_eq!(
        window.refused("document_html", json!({"kind": "correction", "id": former})),
        "invalid",
        "the old number names no correction"
    );

    window.ok(
        "record_print",
        json!({"document": "correction", "id": number}),
    );
    let printed = audit_lines(&window, Some("document_print"));
    assert_eq!(printed.len(), 1, "{printed:?}");
    assert_eq!(printed[0]["subject"], number.as_str());
    assert_eq!(printed[0]["detail"], "编号更正通知");
    let line = printed[0].to_string();
    for personal in ["周丽华", "13800138000"] {
        assert!(!line.contains(personal), "{personal} in {line}");
    }
}

#[test]
fn encrypting_the_book_keeps_the_deputy_signed_in() {
    let dir = tempfile::tempdir().unwrap();
    let paths = Paths::in_dir(dir.path());
    let mut plain = Book::create(
        &paths.book,
        "BX",
        "东岭村人大代表联络站",
        casebook::store::BookKind::Station,
    )
    .unwrap();
    plain.import_roster(&liaison_testkit::roster()).unwrap();
    drop(plain);
    let window = Window::over(paths);
    window.sign_in("陈建国");
    let status = window.ok("encrypt_book", json!({"passphrase": PASSPHRASE}));
    assert_eq!(status["encrypted"], true);
    assert_eq!(status["signed_in"]["name"], "陈建国", "not signed out");
    assert_eq!(status["sign_in_required"], false);
    window.ok("today", json!({}));
}

#[test]
fn backups_through_the_window_chosen_folder_backup_status_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let window = Window::over(Paths::in_dir(&dir.path().join("pc")));
    window.ok(
        "create_book",
        json!({"code": "BX", "name": "东岭村人大代表联络站", "passphrase": PASSPHRASE}),
    );
    let never = window.ok("backup_status", json!({}));
    assert_eq!(
        never,
        json!({"folder_chosen": false, "last": null, "days_since": null, "stale": true})
    );
    assert_eq!(window.refused("back_up_now", json!({})), "invalid");

    let usb = dir.path().join("usb");
    std::fs::create_dir_all(&usb).unwrap();
    let mut settings = window.ok("settings", json!({}));
    assert_eq!(settings["backup_keep"], 10);
    settings["backup_dir"] = json!(usb);
    settings["backup_keep"] = json!(0);
    assert_eq!(
        window.refused("save_settings", json!({"settings": settings})),
        "invalid"
    );
    settings["backup_keep"] = json!(3);
    window.ok("save_settings", json!({"settings": settings}));
    let made = window.ok("back_up_now", json!({}));
    assert_eq!(made["encrypted"], true);
    let backup = made["path"].as_str().unwrap().to_owned();
    assert!(Path::new(&backup).starts_with(&usb), "{backup}");
    let status = window.ok("backup_status", json!({}));
    assert_eq!(status["last"]["path"], json!(backup));
    assert_eq!(
        (&status["days_since"], &status["stale"]),
        (&json!(0), &json!(false))
    );

    // Another PC's first run, from that backup.
    let other = Window::over(Paths::in_dir(&dir.path().join("new-pc")));
    assert_eq!(
        other.ok("backup_encrypted", json!({"path": backup})),
        json!(true)
    );
    assert_eq!(
        other.refused("restore_book", json!({"path": backup, "passphrase": null})),
        "locked"
    );
    let status = other.ok(
        "restore_book",
        json!({"path": backup, "passphrase": PASSPHRASE}),
    );
    assert_eq!(
        (&status["open"], &status["code"]),
        (&json!(true), &json!("BX"))
    );
}

/// A reception `days` days ago (its answer promised 15 days after), as `add_reception` takes it.
fn reception_days_ago(matter: &str, days: i64) -> Value {
    let mut input = reception(matter);
    input["received_at"] =
        json!((casebook::time::china_now() - chrono::TimeDelta::days(days)).to_rfc3339());
    input
}

/// The 待办 panel's list: a late answer first, then a referral's deadline, which a chase
/// moves; beyond the days asked nothing; and the 交办单 and 督办单 of the chased case print with
/// only its number on the audit trail.
#[test]
fn due_lists_what_is_owed_and_a_chase_moves_it_and_prints() {
    let dir = tempfile::tempdir().unwrap();
    let window = Window::over(Paths::in_dir(dir.path()));
    window.ok(
        "create_book",
        json!({"code": "BX", "name": "东岭村人大代表联络站", "passphrase": PASSPHRASE}),
    );
    window.ok(
        "import_roster",
        json!({"path": liaison_testkit::roster_path()}),
    );
    assert_eq!(
        window.refused("due", json!({"withinDays": 7, "rows": 10})),
        "sign_in_required"
    );
    window.sign_in("陈建国");
    assert_eq!(
        window.ok("due", json!({"withinDays": 7, "rows": 10})),
        json!({"items": [], "total": 0, "late": 0})
    );

    let today = casebook::time::china_today();
    let late = window.ok(
        "add_reception",
        json!({"input": reception_days_ago("水渠堵塞影响灌溉", 20)}),
    )["case_no"]
        .as_str()
        .unwrap()
        .to_owned();
    let referred = window.ok("add_reception", json!({"input": reception("桥面破损")}))["case_no"]
        .as_str()
        .unwrap()
        .to_owned();
    window.ok(
        "add_case_event",
        json!({"caseNo": referred, "input": {"kind": "referred", "to": "镇交通办",
            "deadline": today + chrono::TimeDelta::days(3)}}),
    );

    let due = window.ok("due", json!({"withinDays": 7, "rows": 10}));
    assert_eq!(
        due,
        json!({"items": [
            {"kind": "reply", "label": "答复来访人", "record": late,
             "date": today - chrono::TimeDelta::days(5), "days_left": -5},
            {"kind": "reply", "label": "答复来访人", "record": referred,
             "date": today + chrono::TimeDelta::days(3), "days_left": 3},
        ], "total": 2, "late": 1})
    );
    // Only the rows asked for cross to the window; the counts are of all.
    assert_eq!(
        window.ok("due", json!({"withinDays": 7, "rows": 1})),
        json!({"items": [due["items"][0]], "total": 2, "late": 1})
    );
    assert_eq!(
        window.ok("due", json!({"withinDays": 0, "rows": 10}))["total"],
        1,
        "the late one only"
    );
    assert_eq!(
        window.refused("due", json!({"withinDays": 367, "rows": 10})),
        "invalid",
        "the core adds the days to a date: a year at most"
    );

    // A chase with a new deadline moves the answer out of the week; the unit is the referral's.
    assert_eq!(
        window.refused("document_html", json!({"kind": "chase", "id": referred})),
        "invalid",
        "no chase yet"
    );
    window.ok(
        "add_case_event",
        json!({"caseNo": referred, "input": {"kind": "chased", "by": "王主任",
            "deadline": today + chrono::TimeDelta::days(10)}}),
    );
    let due = window.ok("due", json!({"withinDays": 7, "rows": 10}));
    assert_eq!(due["total"], 1, "{due}");
    let timeline = window.ok("case_detail", json!({"caseNo": referred}))["timeline"].clone();
    assert_eq!(timeline[1]["kind"], "chased");
    assert_eq!(
        timeline[1]["unit"], "镇交通办",
        "filled in from the referral"
    );

    for (document, label) in [("referral", "交办单"), ("chase", "督办单")] {
        let html = window.ok("document_html", json!({"kind": document, "id": referred}));
        let html = html.as_str().unwrap();
        assert!(
            html.contains(label) && html.contains("镇交通办"),
            "{document}"
        );
        assert!(
            !html.contains("梁秀英"),
            "the unit's paper names no visitor"
        );
        window.ok(
            "record_print",
            json!({"document": document, "id": referred}),
        );
    }
    let printed = audit_lines(&window, Some("document_print"));
    let lines: Vec<(&str, &str)> = printed
        .iter()
        .map(|line| {
            (
                line["subject"].as_str().unwrap(),
                line["detail"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        lines,
        [(referred.as_str(), "督办单"), (referred.as_str(), "交办单")],
        "newest first"
    );
}
