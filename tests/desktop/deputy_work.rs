//! 代表履职 on 值班安排: a deputy chosen by name, a 述职 recorded with the voters' appraisal and
//! listed, then the deputy's 履职档案 of the year drawn from the book and printed, with a line
//! on the audit trail.

use casebook::domain::AuditAction;
use casebook::store::audit::AuditFilter;
use casebook::time::china_today;
use chrono::Datelike;

use crate::books;
use crate::driver::{app_binary, launch};

#[tokio::test]
async fn a_report_to_the_voters_is_recorded_and_the_deputys_file_printed() {
    let station = books::station(30);
    let app = launch(app_binary(), &station.args()).await;
    app.open("nav-duty", "值班安排").await;
    app.testid("deputy-work").await;
    app.choose("dw-deputy", &station.deputy).await;
    app.type_into("dw-place", "东岭村文化室").await;
    app.type_into("dw-topic", "年度履职情况").await;
    app.type_into("dw-voters", "45").await;
    app.type_into("dw-satisfied", "40").await;
    app.type_into("dw-basically", "4").await;
    app.click_testid("dw-save").await;
    app.until_text("deputy-work", "满意40、基本满意4、不满意0")
        .await;
    let recorded = station
        .book()
        .deputy_activities(None, None, None)
        .expect("the activities");
    assert_eq!(recorded.len(), 1);
    assert_eq!(recorded[0].deputy_name, station.deputy);
    assert_eq!(recorded[0].activity.voters_present, Some(45));

    app.click_testid("dw-print").await;
    app.until("the 履职档案 to be drawn", || async {
        app.js(
            "const f = document.querySelector('[data-testid=deputy-file-frame]');
             return f?.contentDocument?.body?.innerText ?? ''",
        )
        .await
        .as_str()
        .is_some_and(|text| {
            text.contains("代表履职档案")
                && text.contains("东岭村文化室")
                && text.contains("年度履职情况")
        })
    })
    .await;
    app.screenshot("deputy-file").await;
    app.js(
        "document.querySelector('[data-testid=deputy-file-frame]').contentWindow.print = () => {}",
    )
    .await;
    app.click_testid("deputy-file-print").await;
    let printed = || {
        station
            .book()
            .audit_trail(&AuditFilter {
                action: Some(AuditAction::DocumentPrint),
                ..AuditFilter::default()
            })
            .expect("the audit trail")
    };
    app.until("the print on the audit trail", || async {
        !printed().is_empty()
    })
    .await;
    let line = &printed()[0];
    assert_eq!(line.entry.detail.as_deref(), Some("代表履职档案"));
    let year = china_today().year();
    assert!(
        line.entry
            .subject
            .as_deref()
            .is_some_and(|s| s.ends_with(&format!(":{year}"))),
        "{:?}",
        line.entry.subject
    );
    app.press_escape().await;
    app.close().await;
}
