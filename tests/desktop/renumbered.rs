//! A station's book restored from an old backup, where a reception typed before the town sent
//! the station's log back took a new number (the town's copy had used the old one): the 同步
//! screen lists it with both numbers, the case shows its 原编号, and the 编号更正通知 opens on
//! the new number from either place.

use std::path::Path;

use crate::driver::{App, app_binary, launch};

/// The book `liaison_testkit::restored_with_a_renumbered_case` made in `dir`, as the app opens
/// it; with the case's number now and its number before.
pub fn restored_book(dir: &Path) -> (Vec<String>, String, String) {
    crate::books::clear_of_station_midnight();
    let (book, number, former) = liaison_testkit::restored_with_a_renumbered_case(dir);
    drop(book);
    let db = dir.join("restored.db");
    (
        vec!["--db".into(), db.display().to_string()],
        number,
        former,
    )
}

/// Waits until the correction dialog's preview shows the notice of `number`, then closes it.
async fn correction_shows(app: &App, number: &str, former: &str) {
    app.until("the 编号更正通知 to be drawn", || async {
        app.js(
            "const f = document.querySelector('[data-testid=correction-frame]');
             return f?.contentDocument?.body?.innerText ?? ''",
        )
        .await
        .as_str()
        .is_some_and(|text| text.contains(number) && text.contains(former))
    })
    .await;
    let title = app.text_at(".el-dialog__title").await;
    assert_eq!(title, format!("编号更正通知 {number}"));
}

#[tokio::test]
async fn a_renumbered_case_is_listed_with_both_numbers_and_its_correction_opens() {
    let dir = tempfile::Builder::new()
        .prefix("liaison-e2e-")
        .tempdir()
        .expect("temp dir");
    let (args, number, former) = restored_book(dir.path());
    let app = launch(app_binary(), &args).await;

    // 同步: the section lists the case, the new number and the one the visitor holds.
    app.open("nav-sync", "同步").await;
    app.until_count("renumbered-print", 1).await;
    let section = app.text_of("renumbered").await;
    for shown in ["编号已更正的记录", "案件", number.as_str(), former.as_str()] {
        assert!(
            section.contains(shown),
            "the section shows {shown}: {section}"
        );
    }
    assert_eq!(app.text_of("renumbered-number").await, number);
    assert_eq!(app.text_of("renumbered-former").await, former);
    app.js("document.activeElement?.blur()").await;
    app.screenshot("sync-renumbered").await;

    app.click_testid("renumbered-print").await;
    correction_shows(&app, &number, &former).await;
    app.screenshot("correction").await;
    app.press_escape().await;
    app.until("the dialog to close", || async {
        app.js("return [...document.querySelectorAll('.el-dialog')]
               .every((e) => e.getBoundingClientRect().width === 0)")
            .await
            .as_bool()
            .unwrap_or(false)
    })
    .await;

    // The new number leads to the case, which shows the old one and prints the notice too.
    app.click_testid("renumbered-number").await;
    app.until(&format!("the detail of {number}"), || async {
        app.text_of("page-title").await.contains("案件详情")
            && app.text_of("case-no").await == number
    })
    .await;
    assert_eq!(
        app.text_of("case-former-no").await,
        format!("原编号 {former}（恢复台账后更正）")
    );
    app.screenshot("case-renumbered").await;
    app.click_testid("case-correction").await;
    correction_shows(&app, &number, &former).await;
    app.close().await;
}
