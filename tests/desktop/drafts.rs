//! Nothing typed is lost: a half-filled form survives another screen and a restart, and a form
//! that refuses to save shows why where the deputy is looking.

use fantoccini::key::Key;
use serde_json::Value;

use crate::books;
use crate::driver::{App, app_binary, launch};

const NAME: &str = "柯晓岚";
const PHONE: &str = "13912345678";
const MATTER: &str = "东岭村第3村民小组的渡槽年久失修，灌溉季节水到不了田里。";

/// Waits for the form to say that its draft is kept.
async fn until_kept(app: &App) {
    app.until_text("draft-saved", "草稿已自动暂存").await;
}

/// The reception form, as the book keeps its draft.
fn kept_reception(station: &books::Station) -> Option<Value> {
    station
        .book()
        .draft("reception")
        .expect("read the draft")
        .map(|draft| serde_json::from_str(&draft.body).expect("a draft is JSON"))
}

#[tokio::test]
async fn a_half_filled_reception_survives_another_screen_and_a_restart() {
    let station = books::station(30);
    let app = launch(app_binary(), &station.args()).await;
    app.open("nav-reception", "接待登记").await;
    assert!(
        app.all_testid("draft-notice").await.is_empty(),
        "no draft yet"
    );
    app.type_into("rc-visitor-name-0", NAME).await;
    app.type_into("rc-visitor-phone-0", PHONE).await;
    app.type_into("rc-matter", MATTER).await;
    until_kept(&app).await;

    // Another screen and back: the form is as it was, and says so.
    app.open("nav-cases", "案件台账").await;
    app.open("nav-reception", "接待登记").await;
    app.until_text("draft-notice", "有一份没有保存的接待登记草稿")
        .await;
    assert_eq!(app.value_of("rc-visitor-name-0").await, NAME);
    assert_eq!(app.value_of("rc-visitor-phone-0").await, PHONE);
    assert_eq!(app.value_of("rc-matter").await, MATTER);
    app.close().await;

    // The draft is in the book (where the book's protection covers it), not beside it.
    let kept = kept_reception(&station).expect("the book keeps the draft");
    assert_eq!(kept["visitors"][0]["phone"], PHONE);
    let beside: Vec<_> = std::fs::read_dir(station.dir.path())
        .expect("the book's folder")
        .map(|entry| entry.expect("an entry").file_name())
        .collect();
    for name in &beside {
        let path = station.dir.path().join(name);
        if path.is_file() && !name.to_string_lossy().starts_with("dl.db") {
            let bytes = std::fs::read(&path).expect("a file beside the book");
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(PHONE),
                "{name:?} beside the book holds the phone"
            );
        }
    }

    // A restart: the form comes back; 继续填写 goes on with it, 放弃草稿 empties it.
    let app = launch(app_binary(), &station.args()).await;
    app.open("nav-reception", "接待登记").await;
    app.until_text("draft-notice", "继续填写").await;
    assert_eq!(app.value_of("rc-visitor-name-0").await, NAME);
    assert_eq!(app.value_of("rc-matter").await, MATTER);
    app.click_testid("draft-resume").await;
    app.until("the notice to go", || async {
        app.all_testid("draft-notice").await.is_empty()
    })
    .await;
    assert_eq!(app.value_of("rc-visitor-phone-0").await, PHONE);

    app.open("nav-today", "今日值班").await;
    app.open("nav-reception", "接待登记").await;
    app.click_testid("draft-discard").await;
    app.until("an empty form", || async {
        app.value_of("rc-visitor-name-0").await.is_empty()
            && app.value_of("rc-matter").await.is_empty()
    })
    .await;
    assert!(app.all_testid("draft-notice").await.is_empty());
    app.close().await;
    assert_eq!(
        kept_reception(&station),
        None,
        "the discarded draft is gone"
    );
}

#[tokio::test]
async fn closing_the_window_at_once_keeps_the_last_keystrokes() {
    let station = books::station(30);
    let app = launch(app_binary(), &station.args()).await;
    app.open("nav-reception", "接待登记").await;
    app.type_into("rc-visitor-name-0", NAME).await;
    until_kept(&app).await;
    // The phone, then the × at once: before typing has paused long enough for a draft.
    app.type_into("rc-visitor-phone-0", PHONE).await;
    app.close_window_as_deputy().await;

    let kept = kept_reception(&station).expect("the book keeps the draft");
    assert_eq!(kept["visitors"][0]["name"], NAME);
    assert_eq!(kept["visitors"][0]["phone"], PHONE, "the last keystrokes");
}

#[tokio::test]
async fn the_meeting_form_shows_its_error_and_keeps_its_draft() {
    let station = books::station(30);
    let app = launch(app_binary(), &station.args()).await;
    app.open("nav-meetings", "民主议事会").await;
    app.click_testid("meeting-new").await;
    app.type_into("meeting-village", "东岭村").await;
    app.type_into("meeting-place", "东岭村委会议室").await;
    app.type_into("meeting-host", &station.deputy).await;
    app.type_into("meeting-recorder", "黎文秀").await;

    // The quorum line is there from the start: typing the counts does not move the form.
    let top_of_items = "return document.querySelector('[data-testid=\"meeting-item-title-0\"]')
                            .getBoundingClientRect().top";
    let before = app.js(top_of_items).await;
    app.type_into("meeting-expected", &format!("15{}", Key::Tab))
        .await;
    app.type_into("meeting-present", &format!("12{}", Key::Tab))
        .await;
    app.until_text("quorum-check", "达到法定人数").await;
    assert_eq!(app.js(top_of_items).await, before, "the form jumped");
    app.type_into("meeting-item-title-0", "东岭村渡槽维修方案")
        .await;

    // No time given; the deputy is at the bottom of the drawer when pressing 保存.
    app.js("document.querySelector('[data-testid=\"meeting-save\"]').closest('.el-drawer__body').scrollTo(0, 1e6)")
        .await;
    app.click_testid("meeting-save").await;
    app.until(
        "the time's error in view, with the cursor in the field",
        || async {
            let shown = app
                .js(
                    "const item = document.querySelector('.el-drawer__body .is-error');
                     if (!item) return false;
                     const body = item.closest('.el-drawer__body').getBoundingClientRect();
                     const box = item.getBoundingClientRect();
                     const message = item.querySelector('.el-form-item__error');
                     return box.top >= body.top && box.bottom <= body.bottom
                         && !!message && message.innerText.includes('会议时间')
                         && item.contains(document.activeElement)
                         && document.activeElement.matches('[data-testid=\"meeting-held-at\"]')",
                )
                .await;
            shown == Value::Bool(true)
        },
    )
    .await;
    app.screenshot("meeting-error").await;
    until_kept(&app).await;

    // Closed without saving, and the screen left: the draft waits on the meeting list.
    app.click_testid("meeting-close").await;
    app.open("nav-today", "今日值班").await;
    app.open("nav-meetings", "民主议事会").await;
    app.until_text("draft-notice", "会议记录").await;
    app.click_testid("draft-resume").await;
    app.until("the drawer with the draft", || async {
        app.value_of("meeting-village").await == "东岭村"
            && app.value_of("meeting-item-title-0").await == "东岭村渡槽维修方案"
    })
    .await;
    app.close().await;
    let kept = station
        .book()
        .draft("meeting")
        .expect("read the draft")
        .expect("the meeting's draft is kept");
    assert!(kept.body.contains("东岭村委会议室"), "{}", kept.body);
}
