//! Issue 19 §3, "every screen says what to do": the first run asks before it makes the book,
//! 今日值班 leads with the counts of what is owed, and 同步 says in plain words what has not
//! reached the town.

use casebook::Book;
use casebook::domain::CaseStatus;
use casebook::store::read::{CaseFilter, StatusFilter};
use casebook::time::{china_now, china_today};
use fantoccini::Locator;
use fantoccini::actions::{InputSource, MouseActions, PointerAction};

use crate::books;
use crate::driver::{App, app_binary, launch, launch_in_zone};
use crate::enter;

/// `13028` → `13,028`, as the screens write counts.
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A size as the screens write it (ui/src/lib/format.ts `formatSize`): bytes below 1 KB, then
/// KB/MB with one decimal below 100.
pub fn size(bytes: u64) -> String {
    if bytes < 1024 {
        return format!("{} 字节", grouped(bytes));
    }
    let mut value = bytes as f64 / 1024.0;
    let mut unit = "KB";
    for next in ["MB", "GB"] {
        if value < 1024.0 {
            break;
        }
        value /= 1024.0;
        unit = next;
    }
    if value >= 100.0 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

/// How many cases the case list shows for `status`, by the core's own filter.
fn listed(book: &Book, status: StatusFilter) -> u64 {
    let cases = book
        .list_cases(&CaseFilter {
            status: Some(status),
            limit: 1_000_000,
            ..CaseFilter::default()
        })
        .expect("the case list");
    u64::try_from(cases.len()).expect("a count")
}

/// The number on the summary card `key`.
async fn count_on(app: &App, key: &str) -> String {
    let card = app.text_of(&format!("today-count-{key}")).await;
    card.lines()
        .map(str::trim)
        .find(|line| line.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn the_first_run_asks_before_it_makes_the_book() {
    let dir = tempfile::Builder::new()
        .prefix("liaison-e2e-wizard-")
        .tempdir()
        .expect("temp dir");
    let db = dir.path().join("new.db");
    let app = launch(app_binary(), &["--db".into(), db.display().to_string()]).await;
    app.until_text("page-title", "首次使用").await;
    app.click_testid("wizard-mode-manual").await;

    app.type_into("wizard-code", "zq").await;
    app.type_into("wizard-passphrase", crate::unlock::PASSPHRASE)
        .await;
    app.type_into("wizard-passphrase-repeat", crate::unlock::PASSPHRASE)
        .await;
    app.type_into("wizard-name", &format!("试验村人大代表联络站{}", enter()))
        .await;
    app.settle().await;
    assert!(!db.exists(), "Enter in the name field makes no book");
    assert_eq!(
        app.count("wizard-confirm").await,
        0,
        "nor does Enter skip the confirmation"
    );
    app.screenshot("wizard").await;

    app.click_testid("wizard-create").await;
    app.until_text("wizard-confirm-code", "ZQ").await;
    assert_eq!(
        app.text_of("wizard-confirm-name").await,
        "试验村人大代表联络站"
    );
    assert!(!db.exists(), "the confirmation comes before the book");
    app.screenshot("wizard-confirm").await;

    // 返回修改 goes back to the form with what was typed.
    app.click_testid("wizard-back").await;
    app.until("the confirmation to close", || async {
        !app.js("return !!document.querySelector('[data-testid=wizard-confirm]')?.offsetParent")
            .await
            .as_bool()
            .unwrap_or(false)
    })
    .await;
    assert!(!db.exists(), "返回修改 makes no book");

    app.click_testid("wizard-create").await;
    app.until_text("wizard-confirm-code", "ZQ").await;
    app.click_testid("wizard-confirm").await;
    app.until("the roster step", || async {
        app.js("return document.body.innerText")
            .await
            .as_str()
            .is_some_and(|text| text.contains("已建立台账"))
    })
    .await;

    // Without a roster, the screens say what to do rather than show empty lists.
    app.click_testid("wizard-finish").await;
    app.until_text("page-title", "今日值班").await;
    app.until_text("no-duty", "请在“值班安排”中导入镇上发来的名册")
        .await;
    app.open("nav-reception", "接待登记").await;
    app.until_text("roster-missing", "值班安排").await;
    app.until("the deputy select to say there is no roster", || async {
        app.js("return document.querySelector('[data-testid=rc-deputies]')
                   ?.closest('.el-select')?.innerText ?? ''")
            .await
            .as_str()
            .is_some_and(|text| text.contains("还没有代表名册"))
    })
    .await;
    app.screenshot("reception-without-roster").await;

    // The date pickers mark the station's today.
    reply_picker_marks_the_station_s_today(&app).await;
    app.screenshot("date-picker").await;
    app.close().await;

    let book = Book::open_with_passphrase(&db, Some(crate::unlock::PASSPHRASE))
        .expect("the new book, encrypted");
    assert_eq!(book.origin().code, "ZQ");
    assert_eq!(book.origin().name, "试验村人大代表联络站");
}

/// Opens 接待登记's reply-date picker and waits for it to mark the station's today, and that day
/// only.
async fn reply_picker_marks_the_station_s_today(app: &App) {
    app.click("input[placeholder='不填则为接待日后15天']").await;
    app.until("the picker to mark the station's today", || async {
        // The open picker's (another picker's panel may wait hidden in the page).
        let marked = app
            .js(
                "return [...document.querySelectorAll('.el-date-table .station-today')]
                   .filter((e) => e.offsetParent !== null).map((e) => e.innerText)",
            )
            .await;
        let marked: Vec<String> = serde_json::from_value(marked).unwrap_or_default();
        marked == [chrono::Datelike::day(&china_today()).to_string()]
    })
    .await;
}

#[tokio::test]
async fn a_pc_in_another_time_zone_still_marks_the_station_s_today() {
    // A zone whose date is not the station's now: UTC-12 until 20:00 station time, UTC+14 from
    // 18:00 (each chosen an hour or more before its own edge).
    let station_hour = chrono::Timelike::hour(&china_now());
    let zone = if station_hour < 19 {
        "Etc/GMT+12"
    } else {
        "Etc/GMT-14"
    };
    let station = books::station(30);
    let app = launch_in_zone(app_binary(), &station.args(), zone).await;
    let pc_day = app.js("return new Date().getDate()").await;
    assert_ne!(
        pc_day.as_u64(),
        Some(u64::from(chrono::Datelike::day(&china_today()))),
        "in {zone} the PC's date differs from the station's"
    );
    app.open("nav-reception", "接待登记").await;
    reply_picker_marks_the_station_s_today(&app).await;
    app.close().await;
}

#[tokio::test]
async fn today_leads_with_the_counts_of_what_is_owed() {
    let station = books::station(300);
    let book = station.book();
    let expected = [
        ("overdue", listed(&book, StatusFilter::Overdue)),
        ("awaiting", listed(&book, StatusFilter::Awaiting)),
        (
            "feed-back",
            listed(&book, StatusFilter::Is(CaseStatus::Replied)),
        ),
        (
            "follow-up",
            listed(&book, StatusFilter::Is(CaseStatus::FedBack)),
        ),
    ];
    let received_today = book.cases_received_on(china_today()).expect("today").len();
    drop(book);
    assert!(
        expected[0].1 > 5,
        "the demo book has more late cases than the screen lists"
    );

    let app = launch(app_binary(), &station.args()).await;
    app.testid("today-summary").await;
    for (key, n) in expected {
        let shown = count_on(&app, key).await;
        assert_eq!(shown, grouped(n), "the {key} count");
    }
    let shifts = app.text_at(".shifts").await;
    assert!(
        shifts.contains("14:00–17:30") && shifts.contains(&station.deputy),
        "today's shift comes first: {shifts}"
    );
    assert!(
        app.count("case-row").await <= received_today + 10,
        "the long lists show only their newest few"
    );
    app.screenshot("today-summary").await;

    // A count opens the case list, filtered as it was counted, at the top of the screen.
    app.js("document.querySelector('.shell-content').scrollTo(0, 10000)")
        .await;
    app.click_testid("show-all-overdue").await;
    app.until_text("page-title", "案件台账").await;
    app.until("the overdue cases", || async {
        let rows = app.all_testid("case-row").await;
        !rows.is_empty() && {
            let url = app.client.current_url().await.expect("url");
            url.fragment().is_some_and(|f| f.contains("status=overdue"))
        }
    })
    .await;
    let top = app
        .js("return document.querySelector('.shell-content').scrollTop")
        .await;
    assert_eq!(top.as_f64(), Some(0.0), "the new screen opens at its top");

    // The full matter shows in the page's own tooltip (the system's, from `title=`, stayed over
    // the next screen), and it goes with the list when a case opens.
    let untitled = app
        .js("return document.querySelectorAll('.case-table [title]').length")
        .await;
    assert_eq!(untitled.as_u64(), Some(0), "no system tooltips in the list");
    let row = app.find("[data-testid=case-row]").await;
    let case_no = row
        .attr("data-case-no")
        .await
        .expect("the row's case")
        .expect("a case number");
    let matter = row.find(Locator::Css(".matter")).await.expect("the matter");
    let to_matter = || PointerAction::MoveToElement {
        element: matter.clone(),
        duration: None,
        x: 0.0,
        y: 0.0,
    };
    let hover = MouseActions::new("pointer".into()).then(to_matter());
    app.client
        .perform_actions(hover)
        .await
        .expect("hover the matter");
    app.until("the matter's tooltip", || async {
        visible_tooltips(&app).await > 0
    })
    .await;
    // Clicked where the pointer rests, over the matter, as a person does.
    let click = MouseActions::new("pointer".into())
        .then(to_matter())
        .then(PointerAction::Down {
            button: fantoccini::actions::MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: fantoccini::actions::MOUSE_BUTTON_LEFT,
        });
    app.client
        .perform_actions(click)
        .await
        .expect("open the case");
    app.until_text("case-no", &case_no).await;
    app.until("the tooltip to go", || async {
        visible_tooltips(&app).await == 0
    })
    .await;
    app.close().await;
}

/// Tooltips shown now.
async fn visible_tooltips(app: &App) -> u64 {
    app.js("return [...document.querySelectorAll('.el-popper')]
           .filter((e) => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
           .filter((e) => getComputedStyle(e).display !== 'none' && e.innerText.trim() !== '')
           .length")
        .await
        .as_u64()
        .unwrap_or(0)
}

#[tokio::test]
async fn sync_says_how_many_records_have_not_reached_the_town() {
    let station = books::station(300);
    // Counted once the deputy has signed in: the sign-in's trail entries travel too.
    let app = launch(app_binary(), &station.args()).await;
    let unsent = station
        .book()
        .bundle_status()
        .expect("the sync status")
        .iter()
        .map(|peer| peer.unacknowledged)
        .sum::<i64>();
    let unsent = u64::try_from(unsent).expect("a count");
    assert!(unsent > 0, "a fresh book has records to send");

    app.open("nav-sync", "同步").await;
    app.until_text(
        "sync-unsent",
        &format!("还有 {} 条记录没有送到镇里", grouped(unsent)),
    )
    .await;
    let example = app
        .input_in("export-dir")
        .await
        .attr("placeholder")
        .await
        .expect("the placeholder")
        .unwrap_or_default();
    assert!(
        example.contains("/media/"),
        "a Linux mount point, not a drive letter: {example}"
    );
    // A missing folder is named; the message goes once the field is filled.
    app.click_testid("export-run").await;
    app.until("the folder to be asked for", || async {
        app.text_at(".shell-content")
            .await
            .contains("请填写或选择保存同步包的文件夹")
    })
    .await;
    app.type_into("export-dir", "/").await;
    app.until("the message to go", || async {
        !app.text_at(".shell-content")
            .await
            .contains("请填写或选择保存同步包的文件夹")
    })
    .await;
    app.screenshot("sync-plain").await;
    app.close().await;
}
