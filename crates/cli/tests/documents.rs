//! The printed documents and reports of a fixed fictional book, through the `casebook` binary:
//! each document's HTML against its committed snapshot (`tests/snapshots/`), the Excel workbook
//! read back and compared with `Book::stats`, and the refusals of `render` and `report`.
#![allow(clippy::unwrap_used)]

mod fixture;

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use calamine::{Data, DataType, Range, Reader, Xlsx, open_workbook};
use casebook::Book;
use chrono::NaiveDate;
use serde_json::Value;
use tempfile::TempDir;

use fixture::{Fixture, MEDIATION};

fn casebook(db: &Path) -> Command {
    let mut cmd = Command::cargo_bin("casebook").unwrap();
    cmd.env_remove("CASEBOOK_DB").arg("--db").arg(db);
    cmd
}

fn book() -> (TempDir, Fixture) {
    let dir = TempDir::new().unwrap();
    let fixture = fixture::station_book(dir.path());
    (dir, fixture)
}

/// Runs `casebook render|report ARGS --out OUT` and returns what it wrote.
fn written(db: &Path, args: &[&str], out: &Path) -> Vec<u8> {
    casebook(db)
        .args(args)
        .arg("--out")
        .arg(out)
        .assert()
        .success();
    std::fs::read(out).unwrap()
}

#[test]
fn every_document_matches_its_snapshot() {
    let (dir, fixture) = book();
    for (kind, id) in fixture::documents(&fixture) {
        let out = dir.path().join(format!("{kind}.html"));
        let html = String::from_utf8(written(&fixture.db, &["render", kind, &id], &out)).unwrap();
        insta::assert_snapshot!(kind, html);
    }
}

/// The 代表履职档案 of 陈建国 for 2026: the same page by name and by id, no visitor in it; a
/// year is required, and only for it.
#[test]
fn the_deputy_file_matches_its_snapshot() {
    let (dir, fixture) = book();
    let out = dir.path().join("deputy-file.html");
    let args = ["render", "deputy-file", "陈建国", "--year", "2026"];
    let html = String::from_utf8(written(&fixture.db, &args, &out)).unwrap();
    for private in [
        fixture::VISITOR_PHONE,
        fixture::VISITOR_ID,
        "梁桂珍",
        "13800138000",
    ] {
        assert!(!html.contains(private), "{private} is printed");
    }
    assert!(html.contains("东岭村文化室") && html.contains("市委党校"));
    insta::assert_snapshot!("deputy-file", html);

    let list = casebook(&fixture.db)
        .args(["deputy", "list", "--json"])
        .output()
        .unwrap();
    let deputies: Value = serde_json::from_slice(&list.stdout).unwrap();
    let id = deputies
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["name"] == "陈建国")
        .map(|d| d["id"].as_str().unwrap().to_owned())
        .unwrap();
    let by_id = written(
        &fixture.db,
        &["render", "deputy-file", &id, "--year", "2026"],
        &dir.path().join("by-id.html"),
    );
    assert_eq!(String::from_utf8(by_id).unwrap(), html);

    // The fixture's suggestion is in the files of its lead and its co-signer, each as such.
    for (deputy, role) in [("李秀英", "领衔"), ("王立新", "附议")] {
        let file = written(
            &fixture.db,
            &["render", "deputy-file", deputy, "--year", "2026"],
            &dir.path().join(format!("{deputy}.html")),
        );
        let file = String::from_utf8(file).unwrap();
        let row = format!(
            "<td>{}</td><td>2026年11月27日</td><td>关于保障出嫁女土地权益和修复村道路灯的建议</td><td class=\"center\">{role}</td>",
            fixture::SUGGESTION
        );
        assert!(file.contains(&row), "{deputy}'s file: {file}");
    }

    let no_year = refused(
        &fixture.db,
        &["render", "deputy-file", "陈建国"],
        &dir.path().join("n.html"),
    );
    assert!(no_year.contains("--year"), "{no_year}");
    let year_elsewhere = refused(
        &fixture.db,
        &["render", "slip", fixture::CASE, "--year", "2026"],
        &dir.path().join("s.html"),
    );
    assert!(
        year_elsewhere.contains("只用于代表履职档案"),
        "{year_elsewhere}"
    );
    let unknown = refused(
        &fixture.db,
        &["render", "deputy-file", "无此人", "--year", "2026"],
        &dir.path().join("u.html"),
    );
    assert!(unknown.contains("无此人"), "{unknown}");
}

#[test]
fn reports_match_their_snapshots() {
    let (dir, fixture) = book();
    for (kind, from, to) in [
        ("weekly", "2026-11-20", "2026-11-26"),
        ("monthly", "2026-11-01", "2026-11-30"),
    ] {
        let out = dir.path().join(format!("{kind}.html"));
        let args = ["report", kind, "--from", from, "--to", to];
        let html = String::from_utf8(written(&fixture.db, &args, &out)).unwrap();
        assert!(html.contains("<svg"), "{kind} has charts");
        assert!(!html.contains("<script"), "{kind} has no script");
        assert!(
            !html.contains(fixture::VISITOR_PHONE) && !html.contains("梁桂珍"),
            "reports carry no visitor's personal data"
        );
        insta::assert_snapshot!(format!("report_{kind}"), html);
    }
}

#[test]
fn render_json_names_what_was_written() {
    let (dir, fixture) = book();
    let out = dir.path().join("a.html");
    let output = casebook(&fixture.db)
        .args(["render", "agreement", MEDIATION, "--json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(output.status.success());
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["kind"], "agreement");
    assert_eq!(answer["id"], MEDIATION);
    assert_eq!(
        answer["bytes"].as_u64().unwrap(),
        std::fs::metadata(&out).unwrap().len()
    );
}

/// A mediation file is found by its record id as well as by its number.
#[test]
fn a_mediation_is_found_by_id_too() {
    let (dir, fixture) = book();
    let list = casebook(&fixture.db)
        .args(["mediation", "list", "--json"])
        .output()
        .unwrap();
    let files: Value = serde_json::from_slice(&list.stdout).unwrap();
    let id = files
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["number"] == MEDIATION)
        .map(|f| f["id"].as_str().unwrap().to_owned())
        .unwrap();
    let by_number = written(
        &fixture.db,
        &["render", "mediation-cover", MEDIATION],
        &dir.path().join("n.html"),
    );
    let by_id = written(
        &fixture.db,
        &["render", "mediation-cover", &id],
        &dir.path().join("i.html"),
    );
    assert_eq!(by_number, by_id);
}

// ---------------------------------------------------------------------------------------------
// Excel
// ---------------------------------------------------------------------------------------------

fn sheet(workbook: &mut Xlsx<std::io::BufReader<std::fs::File>>, name: &str) -> Range<Data> {
    workbook.worksheet_range(name).unwrap()
}

fn header(range: &Range<Data>) -> Vec<String> {
    range
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|cell| cell.get_string().unwrap().to_owned())
        .collect()
}

fn number(cell: &Data) -> i64 {
    cell.get_float().unwrap() as i64
}

/// The value next to a label in 统计汇总.
fn figure(range: &Range<Data>, label: &str) -> i64 {
    let row = range
        .rows()
        .find(|row| row[0].get_string() == Some(label))
        .unwrap_or_else(|| panic!("no {label}"));
    number(&row[1])
}

#[test]
fn the_workbook_holds_the_register_and_the_statistics_of_stats() {
    let (dir, fixture) = book();
    let out = dir.path().join("monthly.xlsx");
    let args = [
        "report",
        "monthly",
        "--from",
        "2026-11-01",
        "--to",
        "2026-11-30",
    ];
    written(&fixture.db, &args, &out);
    let day = |d| NaiveDate::from_ymd_opt(2026, 11, d);
    let stats = Book::open(&fixture.db)
        .unwrap()
        .stats(None, day(1), day(30))
        .unwrap();
    let mut workbook: Xlsx<_> = open_workbook(&out).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        [
            "案件登记",
            "统计汇总",
            "按来访类型",
            "按类别",
            "其他事项按类别",
            "代表建议",
            "人民调解",
            "按网格",
            "按会议类型",
            "代表履职"
        ]
    );

    let cases = sheet(&mut workbook, "案件登记");
    assert_eq!(
        header(&cases),
        [
            "案件编号",
            "接待时间",
            "接待方式",
            "类别",
            "来访人数",
            "事由",
            "诉求",
            "接待代表",
            "网格",
            "办理状态",
            "答复期限",
            "回访满意度"
        ]
    );
    assert_eq!(cases.height() as i64, 1 + stats.receptions);
    let first = cases.rows().nth(1).unwrap();
    assert_eq!(first[0].get_string(), Some(fixture::CASE));
    match &first[1] {
        Data::DateTime(at) => assert!(at.is_datetime()),
        other => panic!("接待时间 is not a date: {other:?}"),
    }
    assert!(matches!(first[10], Data::DateTime(_)), "答复期限 is a date");
    let people: i64 = cases.rows().skip(1).map(|row| number(&row[4])).sum();
    assert_eq!(people, stats.people);
    let text: String = cases
        .rows()
        .flat_map(|row| row.iter().filter_map(|c| c.get_string().map(str::to_owned)))
        .collect();
    assert!(
        !text.contains("梁桂珍") && !text.contains(fixture::VISITOR_PHONE),
        "no visitor's personal data in the workbook"
    );

    let summary = sheet(&mut workbook, "统计汇总");
    assert_eq!(header(&summary), ["指标", "数值"]);
    assert_eq!(figure(&summary, "接待件数"), stats.receptions);
    assert_eq!(figure(&summary, "来访人次"), stats.people);
    assert_eq!(figure(&summary, "集体访件数"), stats.collective_visits);
    assert_eq!(figure(&summary, "调解受理"), stats.mediation.accepted);
    assert_eq!(figure(&summary, "调解成功"), stats.mediation.succeeded);
    assert_eq!(
        figure(&summary, "会议次数（各类会议）"),
        stats.meetings.held
    );

    let categories = sheet(&mut workbook, "按类别");
    assert_eq!(categories.height(), stats.by_category.len() + 2);
    assert_eq!(figure(&categories, "合计"), stats.receptions);

    let suggestions = sheet(&mut workbook, "代表建议");
    assert_eq!(header(&suggestions), ["指标", "件数"]);
    assert_eq!(
        (stats.suggestions.drafted, stats.suggestions.answered),
        (1, 1),
        "the fixture's suggestion, drafted on 11-27 and answered"
    );
    assert_eq!(figure(&suggestions, "起草代表建议"), 1);
    assert_eq!(figure(&suggestions, "代表基本满意"), 1);
    assert_eq!(figure(&suggestions, "B类（列入计划拟解决）"), 1);
    assert_eq!(figure(&suggestions, "资源环境、城乡建设和农林水利"), 1);

    let mediation = sheet(&mut workbook, "人民调解");
    assert_eq!(
        header(&mediation),
        [
            "纠纷类型",
            "受理",
            "调解成功",
            "履行",
            "司法确认",
            "涉及金额（元）"
        ]
    );
    assert_eq!(
        mediation.height(),
        1 + 19 + 1,
        "every dispute type and the total"
    );
    let total = mediation.rows().next_back().unwrap();
    assert_eq!(total[0].get_string(), Some("合计"));
    let m = &stats.mediation;
    let t = stats.mediation_total();
    assert_eq!(
        total[1..].iter().map(number).collect::<Vec<_>>(),
        [
            m.accepted,
            m.succeeded,
            t.performed,
            m.judicial_confirmations_confirmed,
            t.amount_yuan as i64
        ]
    );
    for col in 1..=5 {
        let column: i64 = mediation
            .rows()
            .skip(1)
            .take(19)
            .map(|row| number(&row[col]))
            .sum();
        assert_eq!(column, number(&total[col]), "column {col} adds up");
    }
    assert_eq!(
        (m.accepted, m.succeeded, t.performed, t.amount_yuan),
        (2, 1, 1, 3000)
    );

    let grids = sheet(&mut workbook, "按网格");
    assert_eq!(figure(&grids, "合计"), stats.receptions);

    let meetings = sheet(&mut workbook, "按会议类型");
    assert_eq!(
        header(&meetings),
        ["会议类型", "召开次数", "达到法定人数次数"]
    );
    assert_eq!(meetings.height(), 1 + 4 + 1, "every kind and the total");
    assert_eq!(figure(&meetings, "村民代表会议"), 1);
    assert_eq!(figure(&meetings, "民主议事会"), 0);
    assert_eq!(figure(&meetings, "合计"), stats.meetings.held);

    let deputies = sheet(&mut workbook, "代表履职");
    assert_eq!(deputies.height(), 1 + stats.deputies.len());
    let chen = deputies
        .rows()
        .find(|row| row[0].get_string() == Some("陈建国"))
        .unwrap();
    assert_eq!(
        header(&deputies)[3..],
        [
            "接待件数",
            "值班天数",
            "跟踪办结件数",
            "调解件数",
            "参加会议次数",
            "向选民述职次数",
            "参加培训次数",
            "群众满意",
            "群众基本满意",
            "群众不满意"
        ]
    );
    assert_eq!(
        chen[3..].iter().map(number).collect::<Vec<_>>(),
        [3, 1, 0, 2, 1, 1, 1, 0, 0, 0],
        "陈建国: 3 receptions, 1 duty day, no case closed, 2 mediations, 1 meeting, a report \
         to the voters, a training, no follow-up asked about him"
    );
}

// ---------------------------------------------------------------------------------------------
// Refusals
// ---------------------------------------------------------------------------------------------

/// Runs a command that must be refused: exit 2, the message on stderr, nothing written.
fn refused(db: &Path, args: &[&str], out: &Path) -> String {
    let output = casebook(db)
        .args(args)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{args:?}");
    assert!(!out.exists(), "{args:?} wrote {}", out.display());
    String::from_utf8(output.stderr).unwrap()
}

#[test]
fn unknown_records_are_refused_and_nothing_is_written() {
    let (dir, fixture) = book();
    let out: PathBuf = dir.path().join("out.html");
    let cases = [
        (
            vec!["render", "slip", "BX-2026-9999"],
            "找不到案件“BX-2026-9999”",
        ),
        (
            vec!["render", "agreement", "（2026）BX人调字第9号"],
            "找不到调解案件“（2026）BX人调字第9号”",
        ),
        (
            vec!["render", "mediation-record", "BX-2026-0001"],
            "找不到调解案件“BX-2026-0001”",
        ),
        (
            vec!["render", "minutes", "01a2205a-0000-7000-8000-000000000000"],
            "找不到会议",
        ),
        (
            vec!["render", "agreement", fixture::FAILED_MEDIATION],
            "尚未登记调解协议",
        ),
        (
            vec!["render", "register", "2026-11-30..2026-11-01"],
            "开始日期（2026-11-30）不能晚于结束日期（2026-11-01）",
        ),
        (
            vec!["render", "register", "上个月"],
            "日期范围“上个月”写法不对",
        ),
        (
            vec![
                "render",
                "minutes",
                &fixture.meeting_id,
                "--phone",
                "0750-1",
            ],
            "--phone 只用于接待回执",
        ),
    ];
    for (args, message) in cases {
        let stderr = refused(&fixture.db, &args, &out);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(stderr.starts_with("错误："), "{stderr}");
    }
}

#[test]
fn bad_report_ranges_and_files_are_refused() {
    let (dir, fixture) = book();
    let html = dir.path().join("report.html");
    let stderr = refused(
        &fixture.db,
        &[
            "report",
            "weekly",
            "--from",
            "2026-11-30",
            "--to",
            "2026-11-01",
        ],
        &html,
    );
    assert!(stderr.contains("不能晚于结束日期"), "{stderr}");
    let stderr = refused(
        &fixture.db,
        &["report", "monthly", "--station", "ZZ"],
        &html,
    );
    assert!(stderr.contains("名册中没有站点“ZZ”"), "{stderr}");
    let stderr = refused(
        &fixture.db,
        &["report", "monthly"],
        &dir.path().join("report.pdf"),
    );
    assert!(stderr.contains("应以 .html 或 .xlsx 结尾"), "{stderr}");
    // A date that is not a date is clap's refusal, also exit 2.
    refused(
        &fixture.db,
        &["report", "weekly", "--to", "2026-02-30"],
        &html,
    );
}

#[test]
fn refusals_in_json_carry_the_kind() {
    let (dir, fixture) = book();
    let out = dir.path().join("out.html");
    let output = casebook(&fixture.db)
        .args(["render", "minutes", "nope", "--json", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let answer: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answer["error"]["kind"], "not_found");
    assert!(!out.exists());
}
