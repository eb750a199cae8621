//! Issue 13 §2, deputies sign in at the app: the sign-in layer over the window, a PIN set at the
//! first sign-in, five wrong PINs lock that deputy out (another can still sign in), 切换代表 and
//! 退出 from the header, and the idle lock, which leaves a half-filled form as it was.

use std::time::Duration;

use casebook::domain::AuditAction;
use casebook::store::audit::AuditFilter;

use crate::books;
use crate::driver::{App, PIN, app_binary, launch, launch_signed_out};

const NAME: &str = "柯晓岚";
const MATTER: &str = "东岭村第3村民小组的渡槽年久失修，灌溉季节水到不了田里。";

/// The names the sign-in layer offers, in order.
async fn offered(app: &App) -> Vec<String> {
    app.testid("sign-in-deputy").await;
    let mut names = Vec::new();
    for button in app.all_testid("sign-in-deputy").await {
        names.push(
            button
                .attr("data-name")
                .await
                .expect("a name")
                .expect("data-name"),
        );
    }
    names
}

/// Waits until the PIN field says `text`.
async fn until_pin_error(app: &App, text: &str) -> String {
    app.until(&format!("the PIN field to say {text:?}"), || async {
        app.texts(".sign-in .el-form-item__error")
            .await
            .iter()
            .any(|error| error.contains(text))
    })
    .await;
    app.texts(".sign-in .el-form-item__error")
        .await
        .into_iter()
        .find(|error| error.contains(text))
        .expect("the error")
}

/// Whether the window's shell is out of reach (inert) under the sign-in layer.
async fn shell_inert(app: &App) -> bool {
    app.js("return !!document.querySelector('.shell')?.closest('[inert]')")
        .await
        .as_bool()
        .unwrap_or(false)
}

/// Why deputies signed out, oldest first, as the book's trail says.
fn sign_out_reasons(station: &books::Station) -> Vec<String> {
    let mut reasons: Vec<_> = station
        .book()
        .audit_trail(&AuditFilter {
            action: Some(AuditAction::SignOut),
            ..AuditFilter::default()
        })
        .expect("the trail")
        .into_iter()
        .map(|listing| (listing.entry.at, listing.entry.detail.unwrap_or_default()))
        .collect();
    reasons.sort();
    reasons.into_iter().map(|(_, why)| why).collect()
}

#[tokio::test]
async fn five_wrong_pins_lock_that_deputy_out_and_another_signs_in() {
    let station = books::station(30);
    let app = launch_signed_out(app_binary(), &station.args()).await;
    let names = offered(&app).await;
    assert_eq!(
        names[0], station.deputy,
        "today's duty deputy is offered first: {names:?}"
    );
    assert!(
        app.text_at(".sign-in").await.contains("请选择您本人"),
        "the layer says what to do"
    );
    assert!(
        shell_inert(&app).await,
        "nothing under the layer is reachable"
    );
    let other = names
        .iter()
        .find(|name| **name != station.deputy)
        .expect("another deputy")
        .clone();

    // The first sign-in sets the PIN: a plain one is refused at the field.
    app.pick_deputy(&station.deputy).await;
    app.testid("sign-in-first").await;
    app.type_into("sign-in-pin", "123456").await;
    app.type_into("sign-in-pin-repeat", "123456\u{e007}").await;
    until_pin_error(&app, "太容易被猜到").await;
    app.enter_pin(PIN).await;
    app.until_text("signed-in-name", &station.deputy).await;
    app.click_testid("sign-out").await;

    // Five wrong PINs: the attempts left, then locked until a time.
    app.pick_deputy(&station.deputy).await;
    assert_eq!(app.count("sign-in-pin-repeat").await, 0, "the PIN is set");
    for left in (1..=4).rev() {
        app.enter_pin("102938").await;
        until_pin_error(&app, &format!("还可以再试{left}次")).await;
    }
    app.enter_pin("102938").await;
    let locked = until_pin_error(&app, "已暂时锁定").await;
    let until = locked
        .split_once("请在")
        .and_then(|(_, rest)| rest.get(..5))
        .unwrap_or_else(|| panic!("the message says until when: {locked}"));
    assert!(
        until.as_bytes()[2] == b':' && until.replace(':', "").chars().all(|c| c.is_ascii_digit()),
        "locked until HH:MM: {locked}"
    );
    app.screenshot("sign-in-locked").await;

    // The right PIN is refused while locked.
    app.enter_pin(PIN).await;
    until_pin_error(&app, "已暂时锁定").await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(app.sign_in_shown().await, "still not signed in");

    // Back on the list, the deputy is disabled, saying until when; another signs in.
    app.click_testid("sign-in-back").await;
    let button = app
        .find(&format!(
            "[data-testid=sign-in-deputy][data-name=\"{}\"]",
            station.deputy
        ))
        .await;
    app.until("the locked deputy to be disabled", || async {
        !button.is_enabled().await.unwrap_or(true)
    })
    .await;
    let said = app.text(&button).await;
    assert!(
        said.contains("已锁定") && said.contains(until),
        "the button says until when ({until}): {said}"
    );
    app.sign_in(&other, PIN).await;
    app.close().await;

    let trail = station
        .book()
        .audit_trail(&AuditFilter {
            action: Some(AuditAction::LockedOut),
            ..AuditFilter::default()
        })
        .expect("the trail");
    assert_eq!(trail.len(), 1, "one lockout on record");
}

#[tokio::test]
async fn switch_and_exit_from_the_header_keep_the_form() {
    let station = books::station(30);
    let app = launch(app_binary(), &station.args()).await;
    app.until_text("signed-in-name", &station.deputy).await;
    app.open("nav-reception", "接待登记").await;
    app.type_into("rc-visitor-name-0", NAME).await;

    // 切换代表: another deputy takes the PC; the form is as it was.
    app.click_testid("switch-deputy").await;
    let names = offered(&app).await;
    let other = names
        .iter()
        .find(|name| **name != station.deputy)
        .expect("another deputy")
        .clone();
    app.sign_in(&other, PIN).await;
    assert_eq!(app.text_of("page-title").await, "接待登记");
    assert_eq!(app.value_of("rc-visitor-name-0").await, NAME);

    // 退出: the sign-in layer again; the first deputy comes back to the same form.
    app.click_testid("sign-out").await;
    app.testid("sign-in-deputy").await;
    assert!(shell_inert(&app).await);
    app.sign_in(&station.deputy, PIN).await;
    assert_eq!(app.value_of("rc-visitor-name-0").await, NAME);
    assert!(
        app.texts(".el-message").await.is_empty(),
        "no message about signing in from the screens underneath"
    );
    app.close().await;
    assert_eq!(sign_out_reasons(&station), ["切换代表", "退出"]);
}

#[tokio::test]
async fn an_idle_minute_returns_to_sign_in_and_the_form_is_kept() {
    let station = books::station(30);
    std::fs::write(
        station.db.with_extension("settings.json"),
        r#"{"idle_lock_minutes": 1}"#,
    )
    .expect("settings");
    let app = launch(app_binary(), &station.args()).await;
    app.open("nav-reception", "接待登记").await;
    app.type_into("rc-visitor-name-0", NAME).await;
    app.type_into("rc-matter", MATTER).await;
    app.until_text("draft-saved", "草稿已自动暂存").await;
    assert!(!app.sign_in_shown().await);

    // A minute without a key or a click.
    tokio::time::sleep(Duration::from_secs(65)).await;
    assert!(
        app.sign_in_shown().await,
        "the idle lock signed the deputy out"
    );
    assert!(shell_inert(&app).await);
    app.press(&fantoccini::key::Key::Tab.to_string()).await;
    let focus = app
        .js("return !!document.activeElement?.closest('[data-testid=sign-in]') || document.activeElement === document.body")
        .await;
    assert_eq!(focus, serde_json::json!(true), "Tab stays on the layer");
    assert!(
        app.texts(".el-message").await.is_empty(),
        "no message from the screen underneath"
    );

    // Signed in again: the form is as it was.
    app.sign_in(&station.deputy, PIN).await;
    assert_eq!(app.text_of("page-title").await, "接待登记");
    assert_eq!(app.value_of("rc-visitor-name-0").await, NAME);
    assert_eq!(app.value_of("rc-matter").await, MATTER);
    app.close().await;
    assert_eq!(sign_out_reasons(&station), ["无人操作，自动退出"]);
}
