//! The real desktop app (`liaison-station`) driven over WebDriver under Xvfb: a duty deputy's
//! day from the keyboard to the USB stick, and a screenshot of each main screen.
//!
//! Run: `xvfb-run -a -s "-screen 0 1366x768x24" cargo test -p liaison-e2e --test desktop`.
//! Screenshots land in `target/tmp/screens/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod audit;
mod backup;
mod books;
mod deputy_work;
mod drafts;
mod driver;
mod due;
mod enrol;
mod guide;
mod layout;
mod renumbered;
mod sign_in;
mod unlock;

use casebook::domain::{CaseStatus, Satisfaction};
use chrono::{Days, Local};
use fantoccini::Locator;
use fantoccini::key::Key;

use driver::{App, app_binary, launch};

/// A valid ID number (GB 11643 check digit X) and how the visitor's slip shows it.
const VISITOR_ID: &str = "11010519491231002X";
const MASKED_ID: &str = "1101**********002X";
const VISITOR_PHONE: &str = "13912345678";
const MASKED_PHONE: &str = "139****5678";
/// Two characters that only the reception recorded here has (checked on the demo book).
const WORD: &str = "渡槽";
const MARKUP: &str = "<img src=x onerror=alert(1)>";

fn enter() -> String {
    Key::Enter.to_string()
}

/// A day `days` from today, as the date pickers take it.
fn day_from_today(days: i64) -> String {
    let today = Local::now().date_naive();
    let day = if days >= 0 {
        today.checked_add_days(Days::new(days.unsigned_abs()))
    } else {
        today.checked_sub_days(Days::new(days.unsigned_abs()))
    };
    day.expect("a date").format("%Y-%m-%d").to_string()
}

/// The slip dialog's title names the new case: `接待回执 DL-2026-0301`.
async fn slip_case_no(app: &App) -> String {
    app.testid("slip-frame").await;
    let title = || app.text_at(".el-dialog__title");
    app.until("the slip's title to name the case", || async {
        title().await.contains("DL-")
    })
    .await;
    title()
        .await
        .split_whitespace()
        .last()
        .expect("a case number")
        .to_owned()
}

/// The slip's HTML once the frame holds the case's slip, and the frame has drawn it.
async fn slip_html(app: &App, case_no: &str) -> String {
    app.until("the slip to be drawn", || async {
        app.js(
            "const f = document.querySelector('[data-testid=slip-frame]');
             return f?.contentDocument?.body?.innerText ?? ''",
        )
        .await
        .as_str()
        .is_some_and(|text| text.contains(case_no))
    })
    .await;
    app.testid("slip-frame")
        .await
        .prop("srcdoc")
        .await
        .expect("srcdoc")
        .expect("the slip's HTML")
}

/// Waits for the case's detail screen.
async fn on_case(app: &App, case_no: &str) {
    app.until(&format!("the detail of {case_no}"), || async {
        app.text_of("page-title").await.contains("案件详情")
            && app.text_of("case-no").await == case_no
    })
    .await;
}

/// Saves the event form (its kind `kind` chosen and its fields filled) and waits for the
/// timeline to grow to `events`, the newest being `kind`, and the status to read `status`.
async fn record_event(app: &App, kind: &str, events: usize, status: &str) {
    app.click_testid("event-save").await;
    app.until_count("timeline-item", events).await;
    app.until_text("case-status", status).await;
    let last = app
        .all_testid("timeline-item")
        .await
        .pop()
        .expect("an event");
    let text = app.text(&last).await;
    assert!(text.contains(kind), "the newest event is {kind}: {text}");
}

/// Leaves no doubt that nothing ran: no alert is open.
async fn no_alert(app: &App) {
    if let Ok(text) = app.client.get_alert_text().await {
        panic!("an alert is open: {text}");
    }
}

#[tokio::test]
async fn a_reception_from_the_keyboard_is_found_referred_and_followed_up() {
    let station = books::station(300);
    assert_eq!(
        books::hits(&station.db, WORD),
        0,
        "{WORD} is not in the demo book"
    );
    let app = launch(app_binary(), &station.args()).await;
    app.open("nav-reception", "接待登记").await;

    // The whole form from the keyboard: type, pick with Enter, move with Tab.
    app.choose("rc-deputies", &station.deputy).await;
    app.tab_to(1, "rc-visitor-name-0").await;
    app.press("柯晓岚").await;
    app.tab_to(1, "rc-visitor-sex-0").await;
    app.press(&format!("女{}", enter())).await;
    app.press(&format!("{}77", Key::Tab)).await; // age
    app.tab_to(1, "rc-visitor-phone-0").await;
    app.press(VISITOR_PHONE).await;
    app.tab_to(1, "rc-visitor-id-0").await;
    app.press(VISITOR_ID).await;
    app.tab_to(1, "rc-visitor-address-0").await;
    app.press("东岭村第3村民小组").await;
    // Past the representative box, the row's delete button, 再加一位来访人 and the head count to
    // 接待类型 (one stop: 矛盾纠纷, chosen by default; arrow keys would move it), then the type.
    app.tab_to(5, "rc-kind-dispute").await;
    app.tab_to(1, "rc-category").await;
    app.press(&format!("山林{}", enter())).await;
    app.tab_to(1, "rc-subcategory").await;
    app.press("灌溉设施").await;
    app.tab_to(1, "rc-matter").await;
    app.press(&format!(
        "东岭村第3村民小组的{WORD}年久失修，多处渗漏，灌溉季节水到不了田里。"
    ))
    .await;
    app.tab_to(1, "rc-request").await;
    app.press(&format!("请求尽快维修{WORD}，保证明年春灌。"))
        .await;
    // Past 拟办意见, 承诺答复日期 and 来访人要求保密 to the consent box, ticked with Space.
    app.tab_to(4, "rc-consent").await;
    app.press(&Key::Space.to_string()).await;
    let consent = app.input_in("rc-consent").await;
    assert!(consent.is_selected().await.unwrap(), "Space ticks consent");
    app.js("document.querySelector('.shell-content').scrollTo(0, 0)")
        .await;
    app.screenshot("reception").await;

    // Ctrl+Enter saves and shows the slip.
    app.press(&format!("{}{}", Key::Control, Key::Enter)).await;
    let case_no = slip_case_no(&app).await;
    assert!(case_no.starts_with("DL-"), "a case number: {case_no}");
    let html = slip_html(&app, &case_no).await;
    let (stub, receipt) = html
        .split_once("class=\"cut\"")
        .expect("the slip has a cut line");
    assert!(stub.contains(&case_no), "the stub names the case");
    assert!(receipt.contains(&case_no), "the receipt names the case");
    assert!(
        receipt.contains(MASKED_ID),
        "the receipt shows the masked ID"
    );
    assert!(
        receipt.contains(MASKED_PHONE),
        "the receipt shows the masked phone"
    );
    assert!(
        !receipt.contains(VISITOR_ID),
        "no full ID on the visitor's part"
    );
    assert!(
        !receipt.contains(VISITOR_PHONE),
        "no full phone on the visitor's part"
    );
    assert!(receipt.contains("柯晓岚") && receipt.contains(&station.deputy));
    app.screenshot("slip").await;

    app.click_testid("slip-open-case").await;
    on_case(&app, &case_no).await;
    let facts = app.text_at(".facts").await;
    for fact in [station.deputy.as_str(), "山林土地（灌溉设施）", "到站接待"] {
        assert!(facts.contains(fact), "the case shows {fact}: {facts}");
    }
    assert!(app.text_of("case-matter").await.contains(WORD));
    assert_eq!(
        app.count("timeline-item").await,
        0,
        "a new case has no events"
    );
    app.until_text("case-status", "待受理").await;

    // Found by two characters in the case list.
    app.open("nav-cases", "案件台账").await;
    app.until_count("case-row", 20).await;
    app.screenshot("cases").await;
    app.type_into("case-search", WORD).await;
    app.until("the search to find only the new case", || async {
        let rows = app.all_testid("case-row").await;
        rows.len() == 1
            && rows[0].attr("data-case-no").await.ok().flatten().as_deref() == Some(&case_no)
    })
    .await;
    app.click("[data-testid=case-row] .case-no").await;
    on_case(&app, &case_no).await;

    // Referred (交办), the answer received (收到答复), then the follow-up visit (回访).
    app.choose("event-kind", "交办").await;
    app.type_into("event-field-to", "镇水利站").await;
    app.type_into(
        "event-field-deadline",
        &format!("{}{}", day_from_today(15), enter()),
    )
    .await;
    record_event(&app, "交办", 1, "已交办").await;
    app.choose("event-kind", "收到答复").await;
    app.type_into("event-field-from", "镇水利站").await;
    app.type_into("event-field-content", "已安排施工队，月底前修好渡槽。")
        .await;
    record_event(&app, "收到答复", 2, "已答复").await;
    app.choose("event-kind", "回访").await;
    app.choose("event-field-satisfaction", "满意").await;
    record_event(&app, "回访", 3, "已回访").await;
    let facts = app.text_at(".facts").await;
    assert!(
        facts.contains("满意"),
        "the case shows the satisfaction: {facts}"
    );
    app.js("document.querySelector('.shell-content').scrollTo(0, 0)")
        .await;
    app.screenshot("case").await;

    // Today's screen lists the reception.
    app.open("nav-today", "今日值班").await;
    app.until("today's receptions to list the case", || async {
        let rows = app.all_testid("case-row").await;
        for row in rows {
            if row.attr("data-case-no").await.ok().flatten().as_deref() == Some(&case_no) {
                return true;
            }
        }
        false
    })
    .await;
    let shifts = app.text_at(".shifts").await;
    assert!(
        shifts.contains("14:00–17:30") && shifts.contains(&station.deputy),
        "today's shift: {shifts}"
    );
    app.screenshot("today").await;
    app.close().await;

    // The book holds what was typed, in full (the masks are only on paper).
    let case = station.book().case(&case_no).expect("the case");
    let visitor = &case.reception.visitors[0];
    assert_eq!(visitor.name.as_deref(), Some("柯晓岚"));
    assert_eq!(visitor.id_number.as_deref(), Some(VISITOR_ID));
    assert_eq!(visitor.phone.as_deref(), Some(VISITOR_PHONE));
    assert_eq!(visitor.age, Some(77));
    assert!(case.reception.consent);
    assert_eq!(case.reception.category, "山林土地");
    assert_eq!(case.deputy_names, std::slice::from_ref(&station.deputy));
    assert_eq!(case.status, CaseStatus::FollowedUp);
    assert_eq!(case.satisfaction, Some(Satisfaction::Satisfied));
    assert_eq!(case.timeline.len(), 3);
}

#[tokio::test]
async fn markup_in_a_matter_shows_as_text() {
    let station = books::station(30);
    let app = launch(app_binary(), &station.args()).await;
    app.open("nav-reception", "接待登记").await;
    app.choose("rc-deputies", &station.deputy).await;
    app.choose("rc-category", "邻里").await;
    app.type_into("rc-matter", MARKUP).await;
    app.type_into("rc-request", "<script>alert(2)</script>")
        .await;
    app.click_testid("rc-save").await;

    let case_no = slip_case_no(&app).await;
    let html = slip_html(&app, &case_no).await;
    assert!(
        html.contains("img src=x onerror=alert(1)"),
        "the slip holds the matter"
    );
    assert!(
        !html.contains("<img") && !html.contains("<script>"),
        "the slip escapes the markup"
    );

    app.click_testid("slip-open-case").await;
    on_case(&app, &case_no).await;
    assert_eq!(app.text_of("case-matter").await, MARKUP);
    assert_eq!(
        app.text_of("case-request").await,
        "<script>alert(2)</script>"
    );
    let images = app
        .client
        .find_all(Locator::Css("img[src=\"x\"]"))
        .await
        .unwrap();
    assert!(images.is_empty(), "no <img src=x> in the document");
    no_alert(&app).await;

    // The case list shows it as text too (newest first).
    app.open("nav-cases", "案件台账").await;
    let first = app.testid("case-row").await;
    assert_eq!(
        first.attr("data-case-no").await.unwrap().as_deref(),
        Some(&*case_no)
    );
    let matter = first.find(Locator::Css(".matter")).await.unwrap();
    assert_eq!(app.text(&matter).await, MARKUP);
    let images = app
        .client
        .find_all(Locator::Css("img[src=\"x\"]"))
        .await
        .unwrap();
    assert!(images.is_empty(), "no <img src=x> in the list");
    no_alert(&app).await;
    app.close().await;
}

#[tokio::test]
async fn a_council_meeting_a_mediation_and_a_bundle_on_a_stick() {
    let station = books::station(300);
    let app = launch(app_binary(), &station.args()).await;

    // A council meeting: the quorum is checked while typing.
    app.open("nav-meetings", "民主议事会").await;
    let rows = ".el-table__body tr.el-table__row";
    // The list shows a page (`PAGE_SIZE` in ui/src/composables/usePagedRecords.ts), newest first.
    let page = |meetings: usize| meetings.min(20);
    app.until("the meeting list", || async {
        app.client.find_all(Locator::Css(rows)).await.unwrap().len() == page(station.meetings)
    })
    .await;
    app.click_testid("meeting-new").await;
    app.type_into("meeting-village", "东岭村").await;
    app.type_into(
        "meeting-held-at",
        &format!("{} 19:30{}", day_from_today(-1), enter()),
    )
    .await;
    app.type_into("meeting-place", "东岭村委会议室").await;
    app.type_into("meeting-host", &station.deputy).await;
    app.type_into("meeting-recorder", "黎文秀").await;
    app.type_into("meeting-expected", &format!("15{}", Key::Tab))
        .await;
    app.type_into("meeting-present", &format!("9{}", Key::Tab))
        .await;
    app.until_text("quorum-check", "未达到法定人数").await;
    app.input_in("meeting-present").await.clear().await.unwrap();
    app.type_into("meeting-present", &format!("12{}", Key::Tab))
        .await;
    app.until_text("quorum-check", "法定人数至少 10 人：达到法定人数")
        .await;
    app.type_into("meeting-item-title-0", "东岭村渡槽维修方案")
        .await;
    app.input_in("meeting-item-for-0")
        .await
        .clear()
        .await
        .unwrap();
    app.type_into("meeting-item-for-0", &format!("11{}", Key::Tab))
        .await;
    app.js("document.activeElement?.blur()").await;
    app.screenshot("meeting").await;
    app.click_testid("meeting-save").await;
    app.until("the new meeting in the list", || async {
        let listed = app.texts(rows).await;
        listed.len() == page(station.meetings + 1)
            && listed.iter().any(|text| text.contains("东岭村委会议室"))
    })
    .await;
    let listed = app.texts(rows).await;
    let held = format!("{} 19:30", day_from_today(-1));
    let new = listed
        .iter()
        .find(|text| text.contains("东岭村委会议室"))
        .unwrap_or_else(|| panic!("the new meeting is listed: {listed:?}"));
    for shown in [held.as_str(), "15 / 12", "达到", "1项，通过1项"] {
        assert!(new.contains(shown), "the new meeting shows {shown}: {new}");
    }

    // A mediation: numbered （year）DL人调字第N号.
    app.open("nav-mediations", "人民调解").await;
    app.click_testid("mediation-new").await;
    app.choose("mediation-type", "邻里").await;
    app.type_into(
        "mediation-summary",
        "两户因屋后排水沟堵塞、雨水漫入邻家院子发生争执。",
    )
    .await;
    app.type_into("mediation-party-name-0", "柯晓岚").await;
    app.type_into("mediation-party-name-1", "邝大山").await;
    app.choose("mediation-mediators", &station.mediator).await;
    // Tab closes the mediators' list; Space ticks consent.
    app.tab_to(1, "mediation-consent").await;
    app.press(&Key::Space.to_string()).await;
    let consent = app.input_in("mediation-consent").await;
    assert!(consent.is_selected().await.unwrap(), "Space ticks consent");
    // The next Tab reaches the parties' agreement to mediation (人民调解法 Art. 17).
    app.tab_to(1, "mediation-agreed").await;
    app.press(&Key::Space.to_string()).await;
    let agreed = app.input_in("mediation-agreed").await;
    assert!(
        agreed.is_selected().await.unwrap(),
        "Space ticks the agreement"
    );
    app.click_testid("mediation-save").await;
    let year = chrono::Datelike::year(&casebook::time::china_today());
    let number = format!("（{year}）DL人调字第{}号", station.next_mediation);
    app.until(&format!("{number} in the list"), || async {
        app.texts(rows).await.iter().any(|text| {
            text.contains(&number) && text.contains("柯晓岚、邝大山") && text.contains("邻里")
        })
    })
    .await;
    // The new file opens; back to the list for its picture.
    app.until("the new file to open", || async {
        app.text_at(".el-drawer__title").await == number
    })
    .await;
    let file = format!(
        "//*[contains(@class, 'el-drawer__header')][.//*[contains(@class, 'el-drawer__title') and normalize-space() = '{number}']]"
    );
    // Escape closes it, as at the keyboard.
    app.press_escape().await;
    app.until("the file to close", || async {
        for header in app.client.find_all(Locator::XPath(&file)).await.unwrap() {
            if header.is_displayed().await.unwrap_or(false) {
                return false;
            }
        }
        true
    })
    .await;
    app.screenshot("mediation").await;

    // The week's bundle to a folder (a USB stick).
    let stick = station.dir.path().join("stick");
    std::fs::create_dir(&stick).expect("the stick");
    app.open("nav-sync", "同步").await;
    app.type_into("export-dir", &stick.display().to_string())
        .await;
    app.click_testid("export-run").await;
    app.until_text("export-result", "已生成同步包").await;
    let bundles: Vec<_> = std::fs::read_dir(&stick)
        .expect("the stick")
        .map(|entry| entry.expect("entry").path())
        .collect();
    assert_eq!(bundles.len(), 1, "one bundle on the stick: {bundles:?}");
    let bundle = &bundles[0];
    let name = bundle.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        name.starts_with("DL-QX-") && name.ends_with(".lsb"),
        "a bundle from DL to QX: {name}"
    );
    let result = app.text_of("export-result").await;
    assert!(result.contains(&name), "the result names {name}: {result}");
    let bytes = std::fs::metadata(bundle).expect("the bundle").len();
    assert!(
        result.contains(&guide::size(bytes)),
        "the result gives the size ({bytes}): {result}"
    );
    app.js("document.activeElement?.blur()").await;
    app.screenshot("sync").await;

    // The other screens, for their pictures.
    app.open("nav-duty", "值班安排").await;
    app.until(
        "the week's shifts and the roster with its mediators",
        || async {
            let listed = app.texts(rows).await;
            listed.iter().any(|row| row.contains("14:00–17:30"))
                && listed.iter().filter(|row| row.contains(" 起")).count() > 1
        },
    )
    .await;
    app.screenshot("duty").await;
    app.open("nav-stats", "统计").await;
    app.until("the charts", || async {
        app.client
            .find_all(Locator::Css(".chart canvas"))
            .await
            .unwrap()
            .len()
            >= 3
    })
    .await;
    app.screenshot_still("stats").await;
    app.open("nav-settings", "设置").await;
    app.testid("settings-phone").await;
    app.screenshot("settings").await;
    app.close().await;

    // The book holds the meeting and the file; the town takes the bundle and finds them in it.
    let book = station.book();
    let meetings = book.meetings().expect("meetings");
    let meeting = meetings
        .iter()
        .map(|m| &m.meeting)
        .find(|m| m.place == "东岭村委会议室")
        .expect("the meeting is on record");
    assert_eq!((meeting.expected, meeting.present), (15, 12));
    assert_eq!(
        meeting.held_at.format("%Y-%m-%d %H:%M").to_string(),
        held,
        "the time as typed, in station time"
    );
    let filed = |book: &casebook::Book| {
        book.mediations()
            .expect("mediations")
            .into_iter()
            .find(|m| m.mediation.number == number)
    };
    let mediation = filed(&book).expect("the mediation is on record").mediation;
    let parties: Vec<_> = mediation.parties.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(parties, ["柯晓岚", "邝大山"]);
    assert_eq!(mediation.mediators[0].name, station.mediator);
    assert!(mediation.consent);
    let mut town = station.town();
    let imported = town
        .import_bundle(&std::fs::read(bundle).expect("the bundle"))
        .expect("the town imports the bundle");
    assert!(
        imported.applied > 0 && imported.quarantined == 0,
        "{imported:?}"
    );
    assert!(filed(&town).is_some(), "the bundle carries the mediation");
}

/// The app runs with GTK's GL off (`GDK_GL=disable`, main.rs: 8 MB less in the web process),
/// and its web process inherits it; a `GDK_GL` given to the app is kept as it was.
#[tokio::test]
async fn the_app_and_its_web_process_run_without_gl() {
    let station = books::station(30);
    let app = launch(app_binary(), &station.args()).await;
    let expected = std::env::var("GDK_GL").unwrap_or_else(|_| "disable".to_owned());
    let gdk_gl = |pid: u32| {
        let environ = std::fs::read(format!("/proc/{pid}/environ")).expect("the environment");
        environ
            .split(|byte| *byte == 0)
            .find_map(|entry| entry.strip_prefix(b"GDK_GL="))
            .map(|value| String::from_utf8_lossy(value).into_owned())
    };
    let pid = app.process();
    assert_eq!(gdk_gl(pid).as_deref(), Some(expected.as_str()));
    let web = std::fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .find(|child| {
            std::fs::read_to_string(format!("/proc/{child}/stat")).is_ok_and(|stat| {
                stat.contains("(WebKitWebProces)")
                    && stat
                        .rsplit_once(')')
                        .and_then(|(_, rest)| rest.split_whitespace().nth(1))
                        == Some(pid.to_string().as_str())
            })
        })
        .expect("the app's web process");
    assert_eq!(gdk_gl(web).as_deref(), Some(expected.as_str()));
    app.close().await;
}
