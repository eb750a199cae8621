//! Issue 13 §3, the audit trail: a slip printed from the app is on the 操作记录 screen, found by
//! its kind, with the case number and nothing of the visitor.

use casebook::domain::{AuditAction, AuditChannel};
use casebook::store::audit::AuditFilter;

use crate::books;
use crate::driver::{app_binary, launch};

#[tokio::test]
async fn a_printed_slip_is_found_on_the_audit_trail_by_its_kind() {
    let station = books::station(30);
    // A line from before, through the command line: the filter has something to leave out.
    {
        let mut book = station.book();
        book.set_channel(AuditChannel::Cli);
        book.audit(AuditAction::Backup, None, None)
            .expect("a backup line");
    }
    let app = launch(app_binary(), &station.args()).await;

    // A case's slip, printed: the print dialog itself is the system's, so the frame's `print`
    // only counts here, once the slip is drawn.
    app.open("nav-cases", "案件台账").await;
    let row = app.testid("case-row").await;
    let case_no = row
        .attr("data-case-no")
        .await
        .expect("the row's case number")
        .expect("a case number");
    app.click("[data-testid=case-row] .case-no").await;
    app.until(&format!("the detail of {case_no}"), || async {
        app.text_of("page-title").await.contains("案件详情")
            && app.text_of("case-no").await == case_no
    })
    .await;
    app.click(".print").await;
    app.until("the slip to be drawn", || async {
        app.js(
            "const f = document.querySelector('[data-testid=slip-frame]');
             return f?.contentDocument?.body?.innerText ?? ''",
        )
        .await
        .as_str()
        .is_some_and(|text| text.contains(&case_no))
    })
    .await;
    app.js("window.printed = 0;
         document.querySelector('[data-testid=slip-frame]').contentWindow.print =
           () => { window.printed += 1 }")
        .await;
    app.click_testid("slip-print").await;
    app.until("the print dialog to be asked for", || async {
        app.js("return window.printed").await.as_u64() == Some(1)
    })
    .await;
    app.press_escape().await;

    // 操作记录: the backup, the deputy's PIN set and sign-in at launch, and the print; then
    // only the print.
    app.open("nav-audit", "操作记录").await;
    app.until_count("audit-row", 4).await;
    app.choose("audit-action", "打印文书").await;
    app.until_count("audit-row", 1).await;
    let table = app.text_at(".el-table__body").await;
    for shown in [case_no.as_str(), "打印文书", "接待回执", "桌面程序", "DL"] {
        assert!(table.contains(shown), "the line shows {shown}: {table}");
    }
    app.screenshot("audit").await;
    app.choose("audit-action", "导出表格").await;
    app.until_text("audit-table", "没有符合条件的操作记录")
        .await;
    app.close().await;

    // The book holds the line as shown, and nothing of the visitor.
    let book = station.book();
    let printed = book
        .audit_trail(&AuditFilter {
            action: Some(AuditAction::DocumentPrint),
            ..AuditFilter::default()
        })
        .expect("the trail");
    assert_eq!(printed.len(), 1);
    assert_eq!(printed[0].entry.subject.as_deref(), Some(case_no.as_str()));
    assert_eq!(printed[0].entry.channel, AuditChannel::App);
    assert!(
        printed[0].deputy_name.is_some(),
        "the deputy signed in printed it"
    );
    let case = book.case(&case_no).expect("the case");
    let line = serde_json::to_string(&printed[0].entry).expect("JSON");
    for visitor in &case.reception.visitors {
        for personal in [&visitor.name, &visitor.phone, &visitor.id_number]
            .into_iter()
            .flatten()
        {
            assert!(!line.contains(personal.as_str()), "{personal} in {line}");
        }
    }
}
