//! Issue 13 §1, the encrypted book in the app: the first run makes it encrypted, the next start
//! shows only the unlock screen, a wrong passphrase is said at the field, the right one opens
//! 今日值班; "remember on this PC" skips the screen where a key store runs (scripts/test runs the
//! suite with a throwaway GNOME Keyring) and fails harmlessly, saying so, where none does.

use std::path::Path;

use crate::driver::{App, app_binary, launch};
use crate::enter;

/// The station's passphrase the tests set.
pub const PASSPHRASE: &str = "东岭村2026年修渡槽";

async fn start(db: &Path) -> App {
    launch(app_binary(), &["--db".into(), db.display().to_string()]).await
}

/// Waits for the unlock screen and checks that nothing else shows.
async fn on_unlock_screen(app: &App) {
    app.until_text("page-title", "输入密码").await;
    assert_eq!(app.count("nav-today").await, 0, "no menu while locked");
}

/// Types `text` over what the input marked `data-testid=ID` holds, as a deputy selecting it
/// all and typing again (WebDriver's clear would leave the form's copy of the value as it was).
pub async fn retype(app: &App, id: &str, text: &str) {
    let input = app.input_in(id).await;
    app.client
        .execute(
            "arguments[0].focus(); arguments[0].select()",
            vec![serde_json::to_value(&input).expect("an element reference")],
        )
        .await
        .expect("select the input's text");
    input.send_keys(text).await.expect("type");
}

/// Waits until a message that says `text` shows.
async fn until_message(app: &App, text: &str) {
    app.until(&format!("a message saying {text:?}"), || async {
        app.texts(".el-message")
            .await
            .iter()
            .any(|said| said.contains(text))
    })
    .await;
}

#[tokio::test]
async fn an_encrypted_book_opens_only_with_its_passphrase() {
    let dir = tempfile::Builder::new()
        .prefix("liaison-e2e-unlock-")
        .tempdir()
        .expect("temp dir");
    let db = dir.path().join("dl.db");

    // The first run makes the book encrypted.
    let app = start(&db).await;
    app.until_text("page-title", "首次使用").await;
    app.click_testid("wizard-mode-manual").await;
    app.type_into("wizard-code", "DL").await;
    app.type_into("wizard-name", "东岭村人大代表联络站").await;
    app.type_into("wizard-passphrase", "12345678").await;
    app.click_testid("wizard-create").await;
    app.until("the weak passphrase to be refused", || async {
        app.texts(".el-form-item__error")
            .await
            .iter()
            .any(|error| error.contains("密码太简单"))
    })
    .await;
    retype(&app, "wizard-passphrase", PASSPHRASE).await;
    app.type_into("wizard-passphrase-repeat", PASSPHRASE).await;
    app.click_testid("wizard-create").await;
    app.click_testid("wizard-confirm").await;
    app.click_testid("wizard-finish").await;
    app.until_text("page-title", "今日值班").await;
    app.close().await;
    assert!(
        casebook::store::lock::is_encrypted(&db).expect("the book"),
        "the wizard made an encrypted book"
    );
    assert_eq!(
        casebook::Book::open(&db).expect_err("locked").kind(),
        casebook::ErrorKind::Locked
    );

    // The next start: the unlock screen only, the book's path on it.
    let app = start(&db).await;
    on_unlock_screen(&app).await;
    assert_eq!(app.text_of("unlock-path").await, db.display().to_string());
    let remember = app.input_in("unlock-remember").await;
    assert!(
        !remember.is_selected().await.expect("the checkbox"),
        "remember is off by default"
    );
    app.screenshot("unlock").await;

    // A wrong passphrase: said at the field, in Chinese; nothing else shows.
    app.type_into(
        "unlock-passphrase",
        &format!("东岭村2026年修渡漕{}", enter()),
    )
    .await;
    app.until("the wrong passphrase to be said at the field", || async {
        app.texts(".el-form-item__error")
            .await
            .iter()
            .any(|error| error.contains("密码不对"))
    })
    .await;
    on_unlock_screen(&app).await;
    app.screenshot("unlock-wrong").await;

    // The right one, remembered on this PC.
    retype(&app, "unlock-passphrase", PASSPHRASE).await;
    app.click_testid("unlock-remember").await;
    app.click_testid("unlock-submit").await;
    app.until_text("page-title", "今日值班").await;
    let key_store = std::env::var_os("LIAISON_TEST_KEY_STORE").is_some();
    if !key_store {
        // No key store here: the book is open all the same, and the deputy is told.
        until_message(&app, "没有记住密码").await;
    }
    app.close().await;

    let app = start(&db).await;
    if key_store {
        // Remembered: straight to 今日值班; 设置 forgets it.
        app.until_text("page-title", "今日值班").await;
        app.open("nav-settings", "设置").await;
        app.until_text("settings-lock", "本机记住了密码").await;
        app.click_testid("settings-forget").await;
        app.click(".el-message-box__btns .el-button--primary").await;
        until_message(&app, "本机已不再记住密码").await;
        app.until_count("settings-forget", 0).await;
        app.close().await;
        let app = start(&db).await;
        on_unlock_screen(&app).await;
        app.close().await;
    } else {
        on_unlock_screen(&app).await;
        app.close().await;
    }
}

#[tokio::test]
async fn a_plain_book_is_encrypted_from_the_banner_and_opens_with_its_passphrase() {
    let station = crate::books::station(30);
    let app = launch(app_binary(), &station.args()).await;
    app.until_text("plain-banner", "台账尚未加密").await;
    app.click_testid("plain-encrypt").await;
    app.type_into("passphrase-new", PASSPHRASE).await;
    app.type_into("passphrase-repeat", "东岭村2026年修渡漕")
        .await;
    app.click_testid("passphrase-save").await;
    app.until("the repeat to be refused", || async {
        app.texts(".el-form-item__error")
            .await
            .iter()
            .any(|error| error.contains("两次输入的密码不一样"))
    })
    .await;
    assert!(
        !casebook::store::lock::is_encrypted(&station.db).expect("the book"),
        "nothing converted yet"
    );
    retype(&app, "passphrase-repeat", PASSPHRASE).await;
    app.click_testid("passphrase-save").await;
    until_message(&app, "台账已加密").await;
    app.until_count("plain-banner", 0).await;
    // The book works on, encrypted: the case list reads it.
    app.open("nav-cases", "案件台账").await;
    app.until("the cases to show", || async {
        app.count("case-row").await > 0 || !app.texts(".el-table__row").await.is_empty()
    })
    .await;
    app.close().await;
    assert!(casebook::store::lock::is_encrypted(&station.db).expect("the book"));
    let book = casebook::Book::open_with_passphrase(&station.db, Some(PASSPHRASE))
        .expect("the passphrase opens it");
    assert_eq!(book.origin().code, "DL");

    let app = start(&station.db).await;
    on_unlock_screen(&app).await;
    app.close().await;
}
