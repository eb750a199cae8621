//! Issue 19 §1: at the window's minimum size (1024×640), with 大字体 off and on, every screen
//! fits (今日值班 with its 待办, shortened and in full). No header or label wraps or is cut, nothing else is cut, the matter column keeps room
//! for ten characters, a full ID number and phone fit their fields, no date or number is split
//! across lines, a wide table keeps its first column in view when scrolled sideways while the
//! page never scrolls sideways, and 大字体 leaves no text below 16 px. Measured in the DOM by
//! `CHECK`; the pictures land in `target/tmp/screens/NAME-1024-FONT.png`.

use casebook::domain::{AuditAction, AuditChannel, CaseEventInput, CaseEventKind};
use casebook::time::{china_now, china_today};
use chrono::TimeDelta;
use fantoccini::key::Key;
use serde_json::json;

use crate::books;
use crate::driver::{App, PIN, app_binary, launch};

/// The window's minimum size (`minWidth`, `minHeight` in src-tauri/tauri.conf.json).
const MIN_WIDTH: u32 = 1024;
const MIN_HEIGHT: u32 = 640;

const VISITOR_ID: &str = "11010519491231002X";
const VISITOR_PHONE: &str = "13912345678";

/// Whether 大字体 is on: how the failures and the screenshots are named.
#[derive(Clone, Copy)]
enum Font {
    Normal,
    Large,
}

impl Font {
    fn name(self) -> &'static str {
        match self {
            Font::Normal => "正常字体",
            Font::Large => "大字体",
        }
    }

    fn slug(self) -> &'static str {
        match self {
            Font::Normal => "normal",
            Font::Large => "large",
        }
    }
}

/// Measures what is shown inside the elements matching `arguments[0]` and answers what does
/// not fit, in Chinese, naming each element by its text.
const CHECK: &str = r#"
const roots = [...document.querySelectorAll(arguments[0])].filter(shown);
if (!roots.length) return null;
const large = document.documentElement.classList.contains('large-font');
const problems = [];
const seen = new Set();

function shown(el) {
  const box = el.getBoundingClientRect();
  if (box.width < 1 || box.height < 1) return false;
  for (let e = el; e; e = e.parentElement) {
    const s = getComputedStyle(e);
    if (s.display === 'none' || s.visibility === 'hidden' || s.opacity === '0') return false;
  }
  return true;
}
function named(el) {
  const text = el instanceof HTMLInputElement ? el.value || el.placeholder : el.innerText;
  return (text || '').trim().replace(/\s+/g, ' ').slice(0, 40);
}
function report(what, el, detail) {
  const line = `${what}「${named(el)}」` + (detail ? `（${detail}）` : '');
  if (!seen.has(line)) { seen.add(line); problems.push(line); }
}
function within(css) {
  return roots.flatMap((r) => [...(r.matches(css) ? [r] : []), ...r.querySelectorAll(css)]).filter(shown);
}
// The boxes of the element's text, one or more per line.
function textBoxes(el) {
  const boxes = [];
  const range = document.createRange();
  const walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (!n.textContent.trim() || !shown(n.parentElement)) continue;
    range.selectNodeContents(n);
    for (const b of range.getClientRects()) if (b.width > 0.5 && b.height > 0.5) boxes.push(b);
  }
  return boxes;
}
function lineCount(boxes) {
  const rows = boxes.map((b) => ({ mid: (b.top + b.bottom) / 2, h: b.height })).sort((a, b) => a.mid - b.mid);
  let count = 0, last = null;
  for (const r of rows) {
    if (!last || r.mid - last.mid > 0.6 * Math.min(r.h, last.h)) { count++; last = r; }
  }
  return count;
}
// How far (px) the text reaches sideways past the element itself or an ancestor that hides
// what overflows it (an ancestor that scrolls shows it by scrolling).
function cutBy(el, boxes) {
  if (!boxes.length) return 0;
  const left = Math.min(...boxes.map((b) => b.left));
  const right = Math.max(...boxes.map((b) => b.right));
  let worst = 0;
  for (let e = el; e && e !== document.body; e = e.parentElement) {
    const s = getComputedStyle(e);
    // A table's header scrolls with its body (Element Plus moves it by script).
    const scrolls = ['auto', 'scroll'].includes(s.overflowX) || e.classList.contains('el-table__header-wrapper');
    if (e !== el && scrolls) break;
    if (e !== el && !['hidden', 'clip'].includes(s.overflowX)) continue;
    const box = e.getBoundingClientRect();
    worst = Math.max(worst, box.left - left, right - box.right);
  }
  if (getComputedStyle(el).display !== 'inline' && ['hidden', 'clip'].includes(getComputedStyle(el).overflowX)) {
    worst = Math.max(worst, el.scrollWidth - el.clientWidth);
  }
  return worst;
}

// Headers and labels: one line, whole.
const LABELS = [
  '.page-title', '.panel-title', '.brand', '.el-menu-item', 'th', '.el-table__header .cell',
  '.el-table__body td:first-child .cell', '.case-no', '.el-form-item__label', '.el-descriptions__label',
  '.el-checkbox__label', '.el-radio__label', '.el-switch__label', '.el-button > span', '.el-tag__content',
  '.el-select__placeholder', '.el-drawer__title', '.el-dialog__title', '.el-step__title',
  '.el-collapse-item__header', '.figure span', '.field-label',
].join(', ');
for (const el of within(LABELS)) {
  const boxes = textBoxes(el);
  const lines = lineCount(boxes);
  const cut = cutBy(el, boxes);
  if (cut > 1) report('标题或标签被截断', el, `少了 ${Math.round(cut)}px`);
  else if (lines > 1) report('标题或标签换行', el, `${lines} 行`);
}
// Everything else that is read: whole (it may wrap).
for (const el of within('td, .cell, .el-form-item__error, .el-alert__title, .el-alert__description, .el-descriptions__content, p, .muted, .hint, .el-message__content, .el-empty__description, .el-input__count, .el-timeline-item__timestamp')) {
  const cut = cutBy(el, textBoxes(el));
  if (cut > 1) report('文字被截断', el, `少了 ${Math.round(cut)}px`);
}
// What is typed or offered in a field shows whole.
const pen = document.createElement('canvas').getContext('2d');
for (const input of within('input')) {
  if (['checkbox', 'radio', 'hidden', 'file'].includes(input.type) || input.classList.contains('el-select__input')) continue;
  const text = input.value || input.placeholder;
  if (!text) continue;
  const s = getComputedStyle(input);
  pen.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
  const need = pen.measureText(text).width;
  const room = input.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
  if (need > room + 1) {
    report(input.value ? '输入框里的内容显示不全' : '输入框的提示显示不全', input, `宽 ${Math.round(room)}px，需 ${Math.ceil(need)}px`);
  }
}
// Dates, times, ID numbers and phones are read whole: never split across lines.
for (const root of roots) {
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    if (!shown(n.parentElement)) continue;
    for (const m of n.textContent.matchAll(/\d{4}-\d{2}-\d{2}|\d{2}:\d{2}|\d{17}[\dX]|1\d{10}/g)) {
      range.setStart(n, m.index);
      range.setEnd(n, m.index + m[0].length);
      const boxes = [...range.getClientRects()].filter((b) => b.width > 0.5 && b.height > 0.5);
      if (lineCount(boxes) > 1) report('日期或号码被拆成两行', n.parentElement, m[0]);
    }
  }
}
// The matter keeps room for ten characters.
for (const table of within('.case-table')) {
  const th = [...table.querySelectorAll('th')].find((t) => t.innerText.trim() === '事由');
  const cell = table.querySelector('td') ?? th;
  const size = parseFloat(getComputedStyle(cell).fontSize);
  const s = getComputedStyle(th);
  const room = th.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
  if (room < 10 * size) report('事由一栏不到十个字宽', th, `宽 ${Math.round(room)}px，十个字 ${10 * size}px`);
}
// A table that scrolls sideways keeps its first column in view.
for (const scroller of within('.case-table-scroll, .el-table .el-scrollbar__wrap')) {
  if (scroller.scrollWidth <= scroller.clientWidth + 1) continue;
  const first = scroller.querySelector('tbody tr td:first-child:not([colspan])');
  if (!first) continue;
  const before = scroller.scrollLeft;
  scroller.scrollLeft = scroller.scrollWidth;
  const box = first.getBoundingClientRect();
  const view = scroller.getBoundingClientRect();
  if (box.left < view.left - 1 || box.right > view.right + 1) report('横向滚动后第一列看不见', first);
  scroller.scrollLeft = before;
}
// The page itself never scrolls sideways.
for (const page of [document.scrollingElement, document.querySelector('.shell-content')]) {
  if (page && page.scrollWidth > page.clientWidth + 1) {
    problems.push(`整页要横向滚动（内容宽 ${page.scrollWidth}px，窗口里 ${page.clientWidth}px）`);
  }
}
// 大字体 enlarges every text, errors and hints included.
if (large) {
  for (const root of roots) {
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement;
      if (!n.textContent.trim() || !shown(el)) continue;
      const size = parseFloat(getComputedStyle(el).fontSize);
      if (size < 16) report('大字体下字太小', el, `${size}px`);
    }
  }
}
return problems;
"#;

/// What does not fit, screen by screen, as `CHECK` finds it.
#[derive(Default)]
struct Findings {
    problems: Vec<String>,
}

impl Findings {
    /// Checks what is shown inside the elements matching `scope` once `screen` has settled.
    async fn check(&mut self, app: &App, font: Font, screen: &str, scope: &str) {
        app.settle().await;
        self.check_now(app, font, screen, scope).await;
    }

    /// As [`Findings::check`], without waiting for the screen to settle (nor for a message to
    /// go).
    async fn check_now(&mut self, app: &App, font: Font, screen: &str, scope: &str) {
        let found = app
            .client
            .execute(CHECK, vec![json!(scope)])
            .await
            .unwrap_or_else(|err| panic!("the layout check runs on {screen}: {err}"));
        assert!(!found.is_null(), "{screen}: nothing shown matches {scope}");
        let found: Vec<String> = serde_json::from_value(found).expect("a list of problems");
        let font = font.name();
        self.problems.extend(
            found
                .into_iter()
                .map(|problem| format!("{screen}（{font}）：{problem}")),
        );
    }

    fn assert_none(self) {
        assert!(
            self.problems.is_empty(),
            "at {MIN_WIDTH}×{MIN_HEIGHT}, {} things do not fit:\n{}",
            self.problems.len(),
            self.problems.join("\n")
        );
    }
}

/// Saves the screen as `target/tmp/screens/NAME-1024-FONT.png`.
async fn picture(app: &App, font: Font, name: &str) {
    app.screenshot(&format!("{name}-{MIN_WIDTH}-{}", font.slug()))
        .await;
}

/// Presses Escape until no drawer, dialog or pop-up is open: one press closes the one on top. The
/// cursor leaves its field first: a form that refused to save has put it in its first wrong
/// field, and a select there keeps Escape for its own list.
async fn escape(app: &App) {
    let all_closed = || async {
        app.js(
            "return [...document.querySelectorAll('.el-drawer, .el-dialog, .el-popper')]
               .every((e) => e.getBoundingClientRect().width === 0 || e.closest('[style*=\"display: none\"]'))",
        )
        .await
        .as_bool()
        .unwrap_or(false)
    };
    for _ in 0..3 {
        app.js("document.activeElement?.blur()").await;
        app.press_escape().await;
        // Drawers and dialogs fade out: a moment before looking again.
        for _ in 0..10 {
            if all_closed().await {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(150)).await;
        }
    }
    app.until("the drawer, dialog or pop-up to close", all_closed)
        .await;
}

/// Types `text` into the field marked `data-testid=ID` in place of what it holds: the second pass
/// finds the first pass's typing there again, kept as the form's draft, and the draft may arrive
/// just after the field was emptied; so until the field holds `text` alone.
async fn retype(app: &App, id: &str, text: &str) {
    app.until(&format!("{id} to hold {text}"), || async {
        // Ctrl+A and typing over it, as at the keyboard: WebDriver's clear empties the input
        // behind the form's back, and the form puts its value back.
        let input = app.input_in(id).await;
        input
            .send_keys(&format!("{}a", Key::Control))
            .await
            .expect("select all");
        input.send_keys(text).await.expect("type");
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
        let value = input.prop("value").await.ok().flatten();
        // A number field shows its value once the cursor leaves: Tab is part of what is typed.
        value.as_deref() == Some(text.trim_end_matches(char::from(Key::Tab)))
    })
    .await;
}

/// Whether 大字体 is on in the window.
async fn large_font(app: &App) -> bool {
    app.js("return document.documentElement.classList.contains('large-font')")
        .await
        .as_bool()
        .expect("a flag")
}

/// Visits every screen of the open book and checks each; takes the pictures. `chased` is a case
/// referred and chased, whose head offers both of the unit's papers.
async fn every_screen(app: &App, font: Font, found: &mut Findings, chased: &str) {
    let rows = "[data-testid=case-row]";

    app.open("nav-today", "今日值班").await;
    app.find(".panel").await;
    // 待办 loads after the screen's own data.
    app.find("[data-testid=due-row], [data-testid=due-empty]")
        .await;
    found.check(app, font, "今日值班", ".shell").await;
    picture(app, font, "today").await;
    app.js("document.querySelector('[data-testid=due]').scrollIntoView()")
        .await;
    found.check(app, font, "今日值班·待办", ".shell").await;
    picture(app, font, "today-due").await;
    if app.count("due-show-more").await > 0 {
        let first = app.count("due-row").await;
        app.click_testid("due-show-more").await;
        app.until("the rest of 待办", || async {
            app.count("due-row").await > first
        })
        .await;
        found
            .check(app, font, "今日值班·全部待办", "[data-testid=due]")
            .await;
    }

    app.open("nav-reception", "接待登记").await;
    retype(app, "rc-visitor-phone-0", VISITOR_PHONE).await;
    retype(app, "rc-visitor-id-0", VISITOR_ID).await;
    app.js("document.activeElement?.blur()").await;
    found.check(app, font, "接待登记", ".shell").await;
    picture(app, font, "reception").await;
    // What pops up over the form: a select's options and the date and time picker.
    app.click_testid("rc-channel").await;
    found
        .check(app, font, "接待方式的选项", ".el-select-dropdown")
        .await;
    escape(app).await;
    app.click_testid("rc-received-at").await;
    found
        .check(app, font, "接待时间的日期时间选择", ".el-picker-panel")
        .await;
    escape(app).await;
    app.click_testid("rc-save").await;
    app.find(".el-form-item__error").await;
    found
        .check(app, font, "接待登记（未填完就保存）", ".shell")
        .await;

    app.open("nav-cases", "案件台账").await;
    app.until_count("case-row", 20).await;
    found.check(app, font, "案件台账", ".shell").await;
    picture(app, font, "cases").await;

    app.click(&format!("{rows} .case-no")).await;
    app.testid("case-no").await;
    app.until("the case's detail", || async {
        app.text_of("page-title").await.contains("案件详情")
    })
    .await;
    app.click_testid("event-save").await;
    app.find(".el-form-item__error").await;
    found.check(app, font, "案件详情", ".shell").await;
    app.js("document.querySelector('.shell-content').scrollTo(0, 0)")
        .await;
    picture(app, font, "case").await;
    app.click(".print").await;
    app.testid("slip-frame").await;
    found.check(app, font, "接待回执", ".el-dialog").await;
    // Printed, for 操作记录 to list (the system's print dialog stays shut).
    app.js("document.querySelector('[data-testid=slip-frame]').contentWindow.print = () => {}")
        .await;
    app.click_testid("slip-print").await;
    escape(app).await;

    // A referred and chased case: 打印交办单 and 打印督办单 beside 打印回执, the 督办 form
    // refusing a new deadline before today at its field, and the 督办单.
    app.js(&format!("location.hash = '#/cases/{chased}'")).await;
    app.until("the chased case", || async {
        app.text_of("case-no").await == chased
    })
    .await;
    app.testid("case-chase").await;
    app.choose("event-kind", "督办").await;
    let yesterday = china_today() - TimeDelta::days(1);
    retype(
        app,
        "event-field-deadline",
        &format!("{yesterday}{}", Key::Tab),
    )
    .await;
    // The date picker's panel stays open after Tab.
    escape(app).await;
    app.click_testid("event-save").await;
    app.find("[data-testid=event-field-deadline] .el-form-item__error")
        .await;
    // The refusal put the cursor in the field, which opened the picker again.
    escape(app).await;
    found.check(app, font, "案件详情·督办", ".shell").await;
    picture(app, font, "case-chase-form").await;
    app.js("document.querySelector('.shell-content').scrollTo(0, 0)")
        .await;
    found.check(app, font, "案件详情·交办督办", ".shell").await;
    picture(app, font, "case-chased").await;
    app.click_testid("case-chase").await;
    app.testid("chase-frame").await;
    found.check(app, font, "督办单", ".el-dialog").await;
    escape(app).await;

    app.open("nav-meetings", "民主议事会").await;
    app.find(".el-table__body tr.el-table__row").await;
    found.check(app, font, "民主议事会", ".shell").await;
    picture(app, font, "meetings").await;
    app.click(".el-table__body tr.el-table__row td:first-child .cell")
        .await;
    app.testid("minutes-print").await;
    found.check(app, font, "议事会详情", ".el-drawer").await;
    escape(app).await;
    app.click_testid("meeting-new").await;
    retype(app, "meeting-expected", &format!("15{}", Key::Tab)).await;
    retype(app, "meeting-present", &format!("9{}", Key::Tab)).await;
    app.testid("quorum-check").await;
    app.click_testid("meeting-save").await;
    app.find(".el-drawer .el-form-item__error").await;
    found.check(app, font, "新建会议记录", ".el-drawer").await;
    picture(app, font, "meeting").await;
    escape(app).await;

    app.open("nav-mediations", "人民调解").await;
    app.find(".el-table__body tr.el-table__row").await;
    found.check(app, font, "人民调解", ".shell").await;
    app.click(".el-table__body tr.el-table__row td:first-child .cell")
        .await;
    app.testid("mediation-documents").await;
    found.check(app, font, "调解卷宗", ".el-drawer").await;
    picture(app, font, "mediation-file").await;
    escape(app).await;
    app.click_testid("mediation-new").await;
    retype(app, "mediation-party-phone-0", VISITOR_PHONE).await;
    retype(app, "mediation-party-id-0", VISITOR_ID).await;
    app.click_testid("mediation-save").await;
    app.find(".el-drawer .el-form-item__error").await;
    found.check(app, font, "新建调解", ".el-drawer").await;
    picture(app, font, "mediation").await;
    escape(app).await;

    app.open("nav-suggestions", "代表建议").await;
    app.find(".el-table__body tr.el-table__row").await;
    found.check(app, font, "代表建议", ".shell").await;
    picture(app, font, "suggestions").await;
    app.click(".el-table__body tr.el-table__row td:first-child .cell")
        .await;
    app.testid("suggestion-print").await;
    found.check(app, font, "代表建议详情", ".el-drawer").await;
    escape(app).await;
    app.click_testid("suggestion-new").await;
    // Typed first, so the drawer is in place before the save is clicked.
    retype(app, "suggestion-title", "关于维修村道桥面的建议").await;
    app.click_testid("suggestion-save").await;
    app.find(".el-drawer .el-form-item__error").await;
    found.check(app, font, "起草代表建议", ".el-drawer").await;
    picture(app, font, "suggestion").await;
    escape(app).await;

    app.open("nav-duty", "值班安排").await;
    app.find(".el-table__body tr.el-table__row").await;
    found.check(app, font, "值班安排", ".shell").await;
    picture(app, font, "duty").await;

    app.open("nav-sync", "同步").await;
    app.testid("export-run").await;
    found.check(app, font, "同步", ".shell").await;
    picture(app, font, "sync").await;

    app.open("nav-stats", "统计").await;
    app.find(".chart canvas").await;
    found.check(app, font, "统计", ".shell").await;
    // The charts animate: a picture once they stand still.
    app.screenshot_still(&format!("stats-{MIN_WIDTH}-{}", font.slug()))
        .await;

    app.open("nav-audit", "操作记录").await;
    app.testid("audit-row").await;
    found.check(app, font, "操作记录", ".shell").await;
    picture(app, font, "audit").await;
    app.click_testid("audit-action").await;
    found
        .check(app, font, "操作类型的选项", ".el-select-dropdown")
        .await;
    escape(app).await;

    app.open("nav-settings", "设置").await;
    app.testid("settings-phone").await;
    found.check(app, font, "设置", ".shell").await;
    picture(app, font, "settings").await;

    // The sign-in layer (退出 from the header): the list, then the PIN with a refusal.
    let deputy = app.text_of("signed-in-name").await;
    app.click_testid("sign-out").await;
    app.testid("sign-in-deputy").await;
    found.check(app, font, "代表登录", ".sign-in").await;
    picture(app, font, "sign-in").await;
    app.pick_deputy(&deputy).await;
    app.enter_pin("102938").await;
    app.find(".sign-in .el-form-item__error").await;
    found.check(app, font, "代表登录·密码", ".sign-in").await;
    picture(app, font, "sign-in-pin").await;
    app.enter_pin(PIN).await;
    app.until("the deputy to be signed in again", || async {
        !app.sign_in_shown().await
    })
    .await;
}

#[tokio::test]
async fn every_screen_fits_the_smallest_window_with_and_without_large_font() {
    let station = books::station(300);
    // Lines the command line left, beside the app's own (the slip printed on each pass).
    {
        let mut book = station.book();
        book.set_channel(AuditChannel::Cli);
        book.audit(AuditAction::Backup, None, None).expect("a line");
        book.audit(
            AuditAction::ExcelExport,
            Some("2026-11-01..2026-11-30"),
            Some("统计月报"),
        )
        .expect("a line");
    }
    let chased = books::referred(&station, "村道桥面破损，车辆难以通行", 3);
    station
        .book()
        .add_case_event(
            &chased,
            CaseEventInput {
                at: Some(china_now() - TimeDelta::hours(1)),
                deputy: Some(station.deputy.clone()),
                note: None,
                kind: CaseEventKind::Chased {
                    unit: None,
                    by: Some("镇人大办公室".into()),
                    deadline: None,
                },
            },
        )
        .expect("chased");
    // A 代表建议 drafted from that case, handed in and assigned: the list and its life.
    {
        let mut book = station.book();
        let input: casebook::domain::SuggestionInput = serde_json::from_value(json!({
            "title": "关于维修东岭村村道桥面的建议", "category": "资源环境、城乡建设和农林水利",
            "reasons": "村道桥面破损，车辆难以通行，雨天更甚", "proposals": "将桥面维修列入镇年度民生实事项目",
            "cases": [chased], "lead": station.deputy, "unit": "镇交通办",
            "drafted_at": (china_now() - TimeDelta::minutes(50)).to_rfc3339(),
        }))
        .expect("a suggestion");
        let number = book.add_suggestion(input).expect("drafted").number;
        for (minutes, event) in [
            (40, json!({"kind": "submitted", "to": "镇人大主席团"})),
            (30, json!({"kind": "assigned", "unit": "镇交通办"})),
        ] {
            let mut event = event;
            event["at"] = json!((china_now() - TimeDelta::minutes(minutes)).to_rfc3339());
            book.add_suggestion_event(&number, serde_json::from_value(event).expect("an event"))
                .expect("recorded");
        }
    }
    let mut found = Findings::default();

    let app = launch(app_binary(), &station.args()).await;
    app.resize(MIN_WIDTH, MIN_HEIGHT).await;
    assert!(!large_font(&app).await, "a new book starts without 大字体");
    every_screen(&app, Font::Normal, &mut found, &chased).await;
    // The deputy's way to 大字体: the switch on 设置, kept for the next start.
    app.click_testid("settings-large-font").await;
    app.until("大字体 to take effect", || large_font(&app))
        .await;
    app.close().await;

    let app = launch(app_binary(), &station.args()).await;
    app.resize(MIN_WIDTH, MIN_HEIGHT).await;
    app.until("大字体 from the saved settings", || large_font(&app))
        .await;
    every_screen(&app, Font::Large, &mut found, &chased).await;
    // Messages are in 大字体 too.
    app.click_testid("settings-save").await;
    app.until("the message to show", || async {
        app.js("const m = document.querySelector('.el-message');
             return !!m && !m.className.includes('-enter-') && getComputedStyle(m).opacity === '1'")
            .await
            .as_bool()
            .unwrap_or(false)
    })
    .await;
    found
        .check_now(&app, Font::Large, "设置（已保存）", ".el-message")
        .await;
    app.close().await;
    found.assert_none();
}

#[tokio::test]
async fn the_first_run_wizard_fits_the_smallest_window_with_and_without_large_font() {
    let mut found = Findings::default();
    for font in [Font::Normal, Font::Large] {
        let dir = tempfile::tempdir().expect("temp dir");
        let db = dir.path().join("new.db");
        if let Font::Large = font {
            // The settings file as 设置 writes it, beside a book not made yet.
            std::fs::write(
                db.with_extension("settings.json"),
                r#"{"station_phone": "", "hub_url": "", "large_font": true}"#,
            )
            .expect("settings");
        }
        let app = launch(app_binary(), &["--db".into(), db.display().to_string()]).await;
        app.resize(MIN_WIDTH, MIN_HEIGHT).await;
        app.until("the settings to load", || async {
            large_font(&app).await == matches!(font, Font::Large)
        })
        .await;
        // From the town's file (the usual way): its error, then the file shown for the phone.
        app.click_testid("wizard-enrolment-read").await;
        app.find(".el-form-item__error").await;
        found
            .check(&app, font, "首次使用·登记文件", ".wizard")
            .await;
        let (_, enrolment) = crate::books::town_with_enrolment(dir.path());
        app.type_into("wizard-enrolment-path", &enrolment.display().to_string())
            .await;
        app.click_testid("wizard-enrolment-read").await;
        app.testid("wizard-town-fingerprint").await;
        found
            .check(&app, font, "首次使用·核对指纹", ".wizard")
            .await;
        picture(&app, font, "wizard-enrolment").await;
        // By hand.
        app.click_testid("wizard-mode-manual").await;
        app.click_testid("wizard-create").await;
        app.find(".el-form-item__error").await;
        found.check(&app, font, "首次使用", ".wizard").await;
        picture(&app, font, "wizard").await;
        app.type_into("wizard-code", "DL").await;
        app.type_into("wizard-name", "东岭村人大代表联络站").await;
        app.type_into("wizard-passphrase", crate::unlock::PASSPHRASE)
            .await;
        app.type_into("wizard-passphrase-repeat", crate::unlock::PASSPHRASE)
            .await;
        app.click_testid("wizard-create").await;
        app.testid("wizard-confirm-code").await;
        found
            .check(&app, font, "首次使用·确认建立", ".el-dialog")
            .await;
        app.click_testid("wizard-confirm").await;
        app.click_testid("roster-import").await;
        app.find(".el-form-item__error").await;
        found
            .check(&app, font, "首次使用·导入名册", ".wizard")
            .await;
        app.close().await;
    }
    found.assert_none();
}

/// A restored book whose case took a new number: the 同步 screen's 编号已更正的记录, the
/// 编号更正通知 over it, and the case's head with 原编号 and 打印更正通知 fit as well.
#[tokio::test]
async fn renumbered_records_fit_the_smallest_window_with_and_without_large_font() {
    let mut found = Findings::default();
    for font in [Font::Normal, Font::Large] {
        let dir = tempfile::tempdir().expect("temp dir");
        let (args, number, _) = crate::renumbered::restored_book(dir.path());
        if let Font::Large = font {
            std::fs::write(
                dir.path().join("restored.settings.json"),
                r#"{"station_phone": "", "hub_url": "", "large_font": true}"#,
            )
            .expect("settings");
        }
        let app = launch(app_binary(), &args).await;
        app.resize(MIN_WIDTH, MIN_HEIGHT).await;
        app.until("the settings to load", || async {
            large_font(&app).await == matches!(font, Font::Large)
        })
        .await;

        app.open("nav-sync", "同步").await;
        app.testid("renumbered-print").await;
        app.js("document.querySelector('[data-testid=renumbered]').scrollIntoView()")
            .await;
        found
            .check(&app, font, "同步·编号已更正的记录", ".shell")
            .await;
        picture(&app, font, "sync-renumbered").await;
        app.click_testid("renumbered-print").await;
        app.testid("correction-frame").await;
        found.check(&app, font, "编号更正通知", ".el-dialog").await;
        escape(&app).await;

        app.click_testid("renumbered-number").await;
        app.until("the renumbered case", || async {
            app.text_of("case-no").await == number
        })
        .await;
        app.testid("case-former-no").await;
        found.check(&app, font, "案件详情·原编号", ".shell").await;
        picture(&app, font, "case-renumbered").await;
        app.close().await;
    }
    found.assert_none();
}
