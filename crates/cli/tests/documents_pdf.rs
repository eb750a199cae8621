//! Every document and report printed to PDF by headless Chromium, as the app's "save as PDF"
//! does, then read back with poppler's tools: the key fields are in the text (masked where a
//! visitor's copy must mask them), the page count is the expected one, and no word lies outside
//! the GB/T 9704 text block (nothing overflows the page).
//!
//! Chromium and poppler-utils are required: the test fails, loudly, when they are missing
//! (`apt-get install chromium poppler-utils`; `scripts/test` installs them).
//!
//! `CASEBOOK_DOC_IMAGES=1` also writes
//! `docs/images/{slip,agreement,minutes,deputy-file,suggestion}.png` and the mediation file's
//! pages (`mediation-application`, `mediation-intake`, `rights-notice`, `investigation`,
//! `mediation-record`, `mediation-cover`, `mediation-contents`);
//! `CASEBOOK_PDF_DIR=DIR` leaves the book, the HTML and the PDFs in DIR for a look.
#![allow(clippy::unwrap_used)]

mod fixture;

use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use tempfile::TempDir;

use fixture::{
    AGENT_PHONE, APPLICANT_ID, CASE, MEDIATION, VISITOR_ID, VISITOR_ID_MASKED, VISITOR_PHONE,
    VISITOR_PHONE_MASKED,
};

/// Millimetres in PDF points.
const MM: f64 = 72.0 / 25.4;
/// The GB/T 9704 margins: top, binding (left), right, bottom.
const MARGINS_MM: [f64; 4] = [37.0, 28.0, 26.0, 35.0];
/// Glyph boxes may stand a little outside the text block.
const TOLERANCE_MM: f64 = 1.5;

/// A program on PATH, or a failure that says what to install.
fn tool(name: &str) -> PathBuf {
    std::env::var_os("PATH")
        .iter()
        .flat_map(std::env::split_paths)
        .map(|dir| dir.join(name))
        .find(|path| path.is_file())
        .unwrap_or_else(|| {
            panic!("{name} is required for the PDF tests: apt-get install chromium poppler-utils")
        })
}

fn run(program: &str, args: &[&std::ffi::OsStr]) -> String {
    let output = Command::new(tool(program))
        .args(args)
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{program} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// Prints `html` to `pdf` with headless Chromium in a fresh profile.
fn print_pdf(html: &Path, pdf: &Path) {
    let profile = TempDir::new().unwrap();
    let output = Command::new(tool("chromium"))
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg(format!("--print-to-pdf={}", pdf.display()))
        .arg(format!("file://{}", html.display()))
        .timeout(Duration::from_secs(120))
        .output()
        .unwrap();
    assert!(
        pdf.is_file(),
        "chromium wrote no PDF for {}: {}",
        html.display(),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The PDF's text in drawing order (a table cell's lines stay together), with all white space
/// removed (pdftotext spaces and breaks CJK text freely).
fn text_of(pdf: &Path) -> String {
    run(
        "pdftotext",
        &["-raw".as_ref(), pdf.as_os_str(), "-".as_ref()],
    )
    .split_whitespace()
    .collect()
}

fn pages_of(pdf: &Path) -> usize {
    run("pdfinfo", &[pdf.as_os_str()])
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

/// A numeric attribute of an element of `pdftotext -bbox` output.
fn attribute(element: &str, name: &str) -> f64 {
    let start = element.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
    let end = start + element[start..].find('"').unwrap();
    element[start..end].parse().unwrap()
}

/// Words that lie outside the text block of their page: horizontally by their box, vertically
/// by their middle (poppler's boxes of CJK words are much taller than the glyphs).
fn overflowing_words(pdf: &Path) -> Vec<String> {
    let boxes = run(
        "pdftotext",
        &["-bbox".as_ref(), pdf.as_os_str(), "-".as_ref()],
    );
    let [top, left, right, bottom] = MARGINS_MM.map(|m| (m - TOLERANCE_MM) * MM);
    let mut outside = Vec::new();
    for page in boxes.split("<page ").skip(1) {
        let (width, height) = (attribute(page, "width"), attribute(page, "height"));
        for word in page.split("<word ").skip(1) {
            let middle = (attribute(word, "yMin") + attribute(word, "yMax")) / 2.0;
            let inside = attribute(word, "xMin") >= left
                && attribute(word, "xMax") <= width - right
                && middle >= top
                && middle <= height - bottom;
            if !inside {
                let text = word.split('>').nth(1).unwrap_or("").split('<').next();
                outside.push(text.unwrap_or("").to_owned());
            }
        }
    }
    outside
}

/// What a printed document must show, on how many pages.
struct Expected {
    pages: usize,
    shows: &'static [&'static str],
    hides: &'static [&'static str],
}

fn expected(kind: &str) -> Expected {
    let (pages, shows, hides): (usize, &[&str], &[&str]) = match kind {
        "slip" => (
            1,
            &[
                CASE,
                "接待登记（存根）",
                "接待回执",
                VISITOR_ID,
                VISITOR_ID_MASKED,
                VISITOR_PHONE_MASKED,
                "0750-5512345",
                "2026年12月5日",
            ],
            &[],
        ),
        "register" => (
            1,
            &[
                "接待登记表",
                "2026年11月20日至2026年11月26日",
                "共3件，8人次",
                CASE,
                "BX-2026-0003",
                "梁桂珍",
                VISITOR_PHONE,
                VISITOR_ID_MASKED,
                "山林土地（出嫁女土地权益）",
            ],
            &[VISITOR_ID],
        ),
        "mediation-application" => (
            1,
            &[
                "人民调解申请书",
                MEDIATION,
                "伍建国",
                "伍永强",
                APPLICANT_ID,
                "申请事项",
                "现自愿申请人民调解",
            ],
            &[],
        ),
        "mediation-intake" => (
            1,
            &[
                "人民调解受理登记表",
                "邻里（通行纠纷）",
                "有关部门移交",
                "2026年11月26日14:00",
                "BX-2026-0003",
                "陈建国（人大代表、特邀调解员）、镇司法所邓文杰",
                "民族：汉族",
                "职业或职务：个体工商户",
                "委托代理人：伍志明（儿子）",
                AGENT_PHONE,
                "已于2026年11月26日以《人民调解权利义务告知书》书面告知",
                "☑同意由本人民调解委员会调解",
                "《人民调解法》第十七条",
                "被申请人（签名）：",
            ],
            &[],
        ),
        "rights-notice" => (
            1,
            &[
                "人民调解权利义务告知书",
                MEDIATION,
                "伍建国、伍永强：",
                "（一）选择或者接受人民调解员；",
                "（二）接受调解、拒绝调解或者要求终止调解；",
                "（三）要求调解公开进行或者不公开进行；",
                "（四）自主表达意愿、自愿达成调解协议。",
                "（一）如实陈述纠纷事实；",
                "（二）遵守调解现场秩序，尊重人民调解员；",
                "（三）尊重对方当事人行使权利。",
                "本委员会特邀调解员：陈建国（2023年3月1日聘任）",
                "送达回执",
                "申请人（签名）：",
                "被申请人（签名）：",
                "人民调解委员会（印）",
                "2026年11月26日",
            ],
            &[APPLICANT_ID],
        ),
        "investigation" => (
            1,
            &[
                "人民调解调查记录",
                MEDIATION,
                "第1次调查",
                "2026年11月26日14:30",
                "东岭村二组围墙现场",
                "邻居伍天成",
                "陈建国、镇司法所邓文杰",
                "围墙东端已越过石墩约0.4米",
                "记录人李秀英",
                "被调查人（签名）：",
            ],
            &[APPLICANT_ID],
        ),
        "mediation-record" => (
            1,
            &[
                "人民调解记录",
                "第1次调解",
                "东岭村调解室",
                "现场测量，围墙越界0.4米",
                "双方同意拆除越界部分",
                "伍建国、伍永强、伍志明（被申请人委托代理人）",
                "记录人李秀英",
                "调解结果：调解成功（书面协议）",
            ],
            &[],
        ),
        "agreement" => (
            1,
            &[
                "人民调解协议书",
                MEDIATION,
                APPLICANT_ID,
                "13711112222",
                "纠纷主要事实、争议事项",
                "被申请人负主要责任",
                "人民币3000元",
                "本协议涉及金额：3000元",
                "履行期限：2026年12月10日前",
                "履行地点：清溪镇东岭村二组",
                "本协议一式三份",
                "三十日内",
                "人民调解委员会（印）",
                "2026年11月26日",
            ],
            &[],
        ),
        "follow-up" => (
            1,
            &[
                "人民调解回访记录",
                "已履行",
                "2026年11月27日向清溪镇人民法庭申请，确认有效",
                "第1次回访",
                "李秀英",
                "满意",
                "围墙已拆除",
            ],
            &[],
        ),
        "mediation-cover" => (
            2,
            &[
                "人民调解卷宗",
                MEDIATION,
                "伍建国、伍永强",
                "2026年11月26日",
                "调解成功（书面协议）",
                "保管期限",
                "□永久□长期□短期",
                "2023年3月1日聘任",
                "卷内目录",
                "1人民调解受理登记表2026年11月26日",
                "2人民调解权利义务告知书2026年11月26日",
                "3人民调解调查记录2026年11月26日",
                "4人民调解记录2026年11月26日",
                "5人民调解协议书2026年11月26日",
                "6人民调解回访记录2026年11月27日",
            ],
            &[APPLICANT_ID],
        ),
        "minutes" => (
            2,
            &[
                "东岭村村民代表会议记录",
                "村民代表会议组成人员应到31人，实到21人，到会比例67.7%",
                "《村民委员会组织法》第二十六条",
                "至少21人",
                "达到法定人数，会议有效",
                "陈建国、李秀英",
                "举手表决：赞成15票，反对4票，弃权2票。表决结果：通过",
                "同意列支1.2万元维修路灯",
                "全体31人的三分之二以上同意",
                "无记名投票",
                "方案未将出嫁女列入分配名单",
                "户口仍在本村的出嫁女与其他村民同等分配",
                "通过（纠正后的决议经重新表决通过）",
                "2026年11月27日至2026年12月3日",
                "东岭村村务公开栏",
                "梁桂珍对议题2提出异议",
                "分配款已于12月4日发放到户",
            ],
            &[],
        ),
        "weekly" => (
            2,
            &[
                "东岭村人大代表联络站工作周报",
                "2026年11月20日至2026年11月26日",
                "3件8人次",
                "受理2，成功1，不成1",
                "代表履职档案",
                "值班安排",
            ],
            &["梁桂珍", VISITOR_PHONE],
        ),
        "monthly" => (
            2,
            &[
                "东岭村人大代表联络站统计月报",
                "人民调解（按纠纷类型）",
                "涉及金额（元）",
                "道路交通事故",
                "代表履职档案",
                "东岭村第一网格",
            ],
            &["梁桂珍", VISITOR_PHONE],
        ),
        "correction" => (
            1,
            &[
                "编号更正通知（存根）",
                "更正为",
                "BX-2026-0002",
                "BX-2026-0003",
                "周丽华",
            ],
            &["13800138000", "垃圾清运"],
        ),
        "referral" => (
            1,
            &[
                "东岭村人大代表联络站",
                "交办单",
                "镇农业农村办",
                "村道路灯损坏多日",
                "0750-5512345",
                "承办单位办理情况",
            ],
            &["梁秀英", "13800138000", "督办"],
        ),
        "chase" => (
            1,
            &[
                "督办单",
                "镇农业农村办",
                "第1次督办",
                "督办人：陈建国",
                "承办单位办理情况",
            ],
            &["梁秀英", "13800138000"],
        ),
        "deputy-file" => (
            2,
            &[
                "代表履职档案",
                "（2026年度）",
                "陈建国",
                "镇人大代表",
                "是（2023年3月1日聘任）",
                CASE,
                "（2026）BX人调字第1号",
                "村民代表会议",
                "东岭村文化室",
                "参加选民45人",
                "满意40、基本满意4、不满意1",
                "基层人大代表履职能力培训",
                "市人大常委会",
            ],
            &[VISITOR_ID, VISITOR_PHONE, "梁桂珍", "13800138000"],
        ),
        "suggestion" => (
            1,
            &[
                "代表建议、批评和意见",
                "BX建议〔2026〕1号",
                "第0123号",
                "关于保障出嫁女土地权益和修复村道路灯的建议",
                "李秀英",
                "王立新",
                "县人大代表",
                "资源环境、城乡建设和农林水利",
                "镇农业农村办",
                CASE,
                "BX-2026-0002",
                "B类（列入计划拟解决）",
                "基本满意",
                "代表签名",
            ],
            &["梁桂珍", VISITOR_PHONE, VISITOR_ID, "伍志坚", "13600001111"],
        ),
        other => panic!("no expectations for {other}"),
    };
    Expected {
        pages,
        shows,
        hides,
    }
}

/// Prints one HTML file and checks it; returns the problems found.
fn check(kind: &str, html: &Path) -> Vec<String> {
    let pdf = html.with_extension("pdf");
    print_pdf(html, &pdf);
    let expected = expected(kind);
    let text = text_of(&pdf);
    let mut problems = Vec::new();
    for shown in expected.shows {
        if !text.contains(shown) {
            problems.push(format!("{kind}: “{shown}” is missing"));
        }
    }
    for hidden in expected.hides {
        if text.contains(hidden) {
            problems.push(format!("{kind}: “{hidden}” must not be printed"));
        }
    }
    let pages = pages_of(&pdf);
    if pages != expected.pages {
        problems.push(format!(
            "{kind}: {pages} pages, expected {}",
            expected.pages
        ));
    }
    let outside = overflowing_words(&pdf);
    if !outside.is_empty() {
        problems.push(format!("{kind}: outside the text block: {outside:?}"));
    }
    if std::env::var_os("CASEBOOK_DOC_IMAGES").is_some() {
        // Each page pictured: its document's first page, and the cover's 卷内目录.
        let pictured: &[(&str, &str)] = match kind {
            "slip"
            | "agreement"
            | "minutes"
            | "deputy-file"
            | "suggestion"
            | "mediation-application"
            | "mediation-intake"
            | "rights-notice"
            | "investigation"
            | "mediation-record" => &[("1", kind)],
            "mediation-cover" => &[("1", "mediation-cover"), ("2", "mediation-contents")],
            _ => &[],
        };
        for (page, name) in pictured {
            let image = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../docs/images")
                .join(name);
            run(
                "pdftoppm",
                &[
                    "-r".as_ref(),
                    "80".as_ref(),
                    "-f".as_ref(),
                    page.as_ref(),
                    "-l".as_ref(),
                    page.as_ref(),
                    "-png".as_ref(),
                    "-singlefile".as_ref(),
                    pdf.as_os_str(),
                    image.as_os_str(),
                ],
            );
        }
    }
    problems
}

fn render(db: &Path, args: &[&str], out: &Path) {
    Command::cargo_bin("casebook")
        .unwrap()
        .env_remove("CASEBOOK_DB")
        .arg("--db")
        .arg(db)
        .args(args)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
}

/// A fresh folder for one test's files: a temporary one, or under `CASEBOOK_PDF_DIR`.
fn work_dir(name: &str) -> (Option<TempDir>, PathBuf) {
    match std::env::var_os("CASEBOOK_PDF_DIR") {
        Some(dir) => {
            let dir = PathBuf::from(dir).join(name);
            if dir.exists() {
                std::fs::remove_dir_all(&dir).unwrap();
            }
            std::fs::create_dir_all(&dir).unwrap();
            (None, dir)
        }
        None => {
            let temp = TempDir::new().unwrap();
            let path = temp.path().to_owned();
            (Some(temp), path)
        }
    }
}

#[test]
fn every_document_prints_on_its_pages_with_its_fields() {
    let (_temp, dir) = work_dir("documents");
    let fixture = fixture::station_book(&dir);
    let mut problems = Vec::new();
    for (kind, id) in fixture::documents(&fixture) {
        let html = dir.join(format!("{kind}.html"));
        render(&fixture.db, &["render", kind, &id], &html);
        problems.extend(check(kind, &html));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The 编号更正通知 of a case renumbered after a restore (made through the library: a town,
/// a backup, a restore, the town's log sent back) prints on one page.
#[test]
fn a_correction_notice_prints_on_one_page() {
    let (_temp, dir) = work_dir("correction");
    let (book, number, former) = liaison_testkit::restored_with_a_renumbered_case(&dir);
    drop(book);
    assert_eq!(
        (former.as_str(), number.as_str()),
        ("BX-2026-0002", "BX-2026-0003")
    );
    let html = dir.join("correction.html");
    render(
        &dir.join("restored.db"),
        &["render", "correction", &number],
        &html,
    );
    let problems = check("correction", &html);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The 交办单 and the 督办单 of a referred and chased case print on one page each, naming the
/// unit and the matter, not the visitor.
#[test]
fn referral_and_chase_slips_print_on_one_page_each() {
    use casebook::domain::{CaseEventInput, CaseEventKind};
    use casebook::time::china_now;
    use chrono::TimeDelta;

    let (_temp, dir) = work_dir("referral");
    let db = dir.join("bx.db");
    let mut book = casebook::Book::create(
        &db,
        "BX",
        "东岭村人大代表联络站",
        casebook::store::BookKind::Station,
    )
    .unwrap();
    book.import_roster(&liaison_testkit::roster()).unwrap();
    let case_no = book
        .add_reception(liaison_testkit::reception(
            "陈建国",
            "村道路灯损坏多日，夜间出行不便",
        ))
        .unwrap()
        .case_no;
    let today = china_now().date_naive();
    let mut event = |minutes_ago: i64, kind: CaseEventKind| {
        book.add_case_event(
            &case_no,
            CaseEventInput {
                at: Some(china_now() - TimeDelta::minutes(minutes_ago)),
                deputy: Some("陈建国".into()),
                note: None,
                kind,
            },
        )
        .unwrap();
    };
    event(
        60,
        CaseEventKind::Referred {
            to: "镇农业农村办".into(),
            deadline: today + TimeDelta::days(10),
        },
    );
    event(
        30,
        CaseEventKind::Chased {
            unit: None,
            by: Some("陈建国".into()),
            deadline: Some(today + TimeDelta::days(15)),
        },
    );
    drop(book);
    let mut problems = Vec::new();
    for kind in ["referral", "chase"] {
        let html = dir.join(format!("{kind}.html"));
        render(&db, &["render", kind, &case_no], &html);
        problems.extend(check(kind, &html));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The 代表履职档案 of 陈建国 for 2026 prints every part inside the text block, with no visitor
/// on it.
#[test]
fn the_deputy_file_prints_its_parts_inside_the_page() {
    let (_temp, dir) = work_dir("deputy-file");
    let fixture = fixture::station_book(&dir);
    let html = dir.join("deputy-file.html");
    render(
        &fixture.db,
        &["render", "deputy-file", "陈建国", "--year", "2026"],
        &html,
    );
    let problems = check("deputy-file", &html);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn reports_print_with_their_charts_inside_the_page() {
    let (_temp, dir) = work_dir("reports");
    let fixture = fixture::station_book(&dir);
    let mut problems = Vec::new();
    for (kind, from, to) in [
        ("weekly", "2026-11-20", "2026-11-26"),
        ("monthly", "2026-11-01", "2026-11-30"),
    ] {
        let html = dir.join(format!("{kind}.html"));
        render(
            &fixture.db,
            &["report", kind, "--from", from, "--to", to],
            &html,
        );
        problems.extend(check(kind, &html));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
