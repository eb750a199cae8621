//! Deadlines watched from the window: 今日值班's 待办 lists what the core's `due` lists, a late
//! answer marked as late and opening its case; a referred case chased from its page (the unit
//! filled in from the referral), its 督办单 printed with a line on the audit trail, and the new
//! deadline taking the case out of the week's 待办.

use casebook::domain::AuditAction;
use casebook::store::audit::AuditFilter;
use casebook::time::{china_now, china_today};
use chrono::TimeDelta;
use fantoccini::key::Key;

use crate::books;
use crate::driver::{App, app_binary, launch};

/// The 待办 row of `record`, as CSS.
fn row(record: &str) -> String {
    format!("[data-testid=due-row][data-record=\"{record}\"]")
}

/// How many 待办 rows the panel shows now.
async fn rows_shown(app: &App) -> usize {
    app.count("due-row").await
}

/// Waits for 待办 to load on 今日值班, then shows rows until `record`'s is among them.
async fn due_row_of(app: &App, record: &str) -> String {
    app.find("[data-testid=due-row], [data-testid=due-empty]")
        .await;
    loop {
        let found = app
            .js(&format!(
                "return !!document.querySelector('{}')",
                row(record).replace('\'', "\\'")
            ))
            .await;
        if found.as_bool() == Some(true) {
            break;
        }
        let before = rows_shown(app).await;
        assert!(
            app.count("due-show-more").await == 1,
            "{record} is not in 待办 ({before} rows shown)"
        );
        app.click_testid("due-show-more").await;
        app.until("more 待办 rows", || async {
            rows_shown(app).await > before
        })
        .await;
    }
    let text = app.text_at(&row(record)).await;
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[tokio::test]
async fn a_late_answer_is_listed_and_a_chase_prints_and_moves_its_case_out_of_the_week() {
    let station = books::station(30);
    // What a deputy left: an answer five days late, and a case referred with three days left.
    let late = {
        let mut book = station.book();
        let mut input = liaison_testkit::reception(&station.deputy, "村口排水沟堵塞，雨天积水");
        input.received_at = china_now() - TimeDelta::days(20);
        book.add_reception(input).expect("the late case").case_no
    };
    let referred = books::referred(&station, "村道桥面破损，车辆难以通行", 3);
    let today = china_today();
    let owed = station.book().due(today, 7).expect("due");
    assert!(
        owed.iter()
            .any(|item| item.record == late && item.days_left == -5)
    );

    let app = launch(app_binary(), &station.args()).await;
    app.open("nav-today", "今日值班").await;
    let shown = due_row_of(&app, &late).await;
    let title = app.text_at("[data-testid=due] .panel-title").await;
    assert!(
        title.contains(&format!("待办（{}项", owed.len())),
        "as many as the core lists: {title}"
    );
    let late_day = (today - TimeDelta::days(5)).to_string();
    for part in [late_day.as_str(), "已逾期5天", "答复来访人", late.as_str()] {
        assert!(shown.contains(part), "the late row shows {part}: {shown}");
    }
    let class = app
        .js(&format!(
            "return document.querySelector('{}').className",
            row(&late)
        ))
        .await;
    assert!(
        class.as_str().is_some_and(|c| c.contains("late")),
        "{class}"
    );
    let soon = due_row_of(&app, &referred).await;
    assert!(soon.contains("还有3天"), "{soon}");
    app.js("document.querySelector('[data-testid=due]').scrollIntoView()")
        .await;
    app.screenshot("today-due").await;

    // The late answer's number opens its case.
    app.click(&format!("{} [data-testid=due-record]", row(&late)))
        .await;
    app.until(&format!("the detail of {late}"), || async {
        app.text_of("page-title").await.contains("案件详情") && app.text_of("case-no").await == late
    })
    .await;

    // The referred case: chased from its page, the unit being the referral's.
    app.open("nav-today", "今日值班").await;
    due_row_of(&app, &referred).await;
    app.click(&format!("{} [data-testid=due-record]", row(&referred)))
        .await;
    app.until(&format!("the detail of {referred}"), || async {
        app.text_of("case-no").await == referred
    })
    .await;
    assert_eq!(app.text_of("case-referral").await, "打印交办单");
    assert_eq!(app.count("case-chase").await, 0, "not chased yet");
    app.choose("event-kind", "督办").await;
    app.until("the unit filled in from the referral", || async {
        app.value_of("event-field-unit").await == "镇交通办"
    })
    .await;
    app.type_into("event-field-by", "王主任").await;
    let new_deadline = (today + TimeDelta::days(10)).to_string();
    app.type_into(
        "event-field-deadline",
        &format!("{new_deadline}{}", Key::Enter),
    )
    .await;
    app.click_testid("event-save").await;
    app.until_count("timeline-item", 2).await;
    let chased = app.texts("[data-testid=timeline-item]").await.join("\n");
    assert!(
        chased.contains(&format!(
            "督办镇交通办，督办人：王主任，新期限 {new_deadline}"
        )),
        "{chased}"
    );

    // Its 督办单, printed (the system's print dialog stays shut).
    app.click_testid("case-chase").await;
    app.until("the 督办单 to be drawn", || async {
        app.js(
            "const f = document.querySelector('[data-testid=chase-frame]');
             return f?.contentDocument?.body?.innerText ?? ''",
        )
        .await
        .as_str()
        .is_some_and(|text| {
            text.contains("督办单") && text.contains("镇交通办") && text.contains("王主任")
        })
    })
    .await;
    assert_eq!(
        app.text_at(".el-dialog__title").await,
        format!("督办单 {referred}")
    );
    app.screenshot("chase").await;
    app.js("document.querySelector('[data-testid=chase-frame]').contentWindow.print = () => {}")
        .await;
    app.click_testid("chase-print").await;
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
    assert_eq!(line.entry.subject.as_deref(), Some(referred.as_str()));
    assert_eq!(line.entry.detail.as_deref(), Some("督办单"));
    app.press_escape().await;

    // Answer owed in ten days now: out of the week's 待办, which has one row fewer.
    app.open("nav-today", "今日值班").await;
    app.find("[data-testid=due-row], [data-testid=due-empty]")
        .await;
    let title = app.text_at("[data-testid=due] .panel-title").await;
    assert!(
        title.contains(&format!("待办（{}项", owed.len() - 1)),
        "{title}"
    );
    assert_eq!(
        app.js(&format!(
            "return !!document.querySelector('{}')",
            row(&referred)
        ))
        .await
        .as_bool(),
        Some(false)
    );
    app.close().await;
}
