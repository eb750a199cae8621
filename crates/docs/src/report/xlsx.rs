//! The report as an Excel workbook: the case register and the statistics, one sheet each, with
//! Chinese headers, a frozen header row, columns as wide as their text, and dates as real
//! Excel dates (sortable and filterable in Excel and WPS).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, Timelike};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook, Worksheet, XlsxError};

use super::{Report, percent};
use crate::render::register::category;
use casebook::store::stats::Count;
use casebook::{Error, Result};

/// Excel holds at most this many characters in a cell; a longer text makes the whole workbook
/// fail to save.
const MAX_CELL_CHARS: usize = 32_767;
/// What ends a text cut to fit a cell.
const CUT_MARK: &str = "…（超出Excel单元格上限，以下从略）";

/// Column widths stay between these (in Excel's character units).
const MIN_WIDTH: f64 = 8.0;
const MAX_WIDTH: f64 = 60.0;

fn failed(err: XlsxError) -> Error {
    Error::Io(std::io::Error::other(format!("无法生成 Excel 文件：{err}")))
}

/// Excel's width of `text`: a Chinese character takes two columns.
fn text_width(text: &str) -> f64 {
    text.chars()
        .map(|c| if c.is_ascii() { 1.0 } else { 2.0 })
        .sum()
}

/// A worksheet written row by row, remembering how wide each column must be.
struct Sheet<'a> {
    sheet: &'a mut Worksheet,
    widths: Vec<f64>,
    row: u32,
    date: &'a Format,
    datetime: &'a Format,
}

impl<'a> Sheet<'a> {
    fn new(
        workbook: &'a mut Workbook,
        name: &str,
        headers: &[&str],
        formats: &'a Formats,
    ) -> Result<Sheet<'a>> {
        let sheet = workbook.add_worksheet().set_name(name).map_err(failed)?;
        let mut this = Sheet {
            sheet,
            widths: vec![MIN_WIDTH; headers.len()],
            row: 0,
            date: &formats.date,
            datetime: &formats.datetime,
        };
        for (col, header) in (0u16..).zip(headers) {
            this.sheet
                .write_string_with_format(0, col, *header, &formats.header)
                .map_err(failed)?;
            this.fit(col, text_width(header));
        }
        this.sheet.set_freeze_panes(1, 0).map_err(failed)?;
        this.row = 1;
        Ok(this)
    }

    fn fit(&mut self, col: u16, width: f64) {
        if let Some(known) = self.widths.get_mut(usize::from(col)) {
            *known = known.max(width + 2.0).min(MAX_WIDTH);
        }
    }

    fn text(&mut self, col: u16, text: &str) -> Result<&mut Self> {
        let text = fit_cell(text);
        self.sheet
            .write_string(self.row, col, text.as_ref())
            .map_err(failed)?;
        self.fit(col, text_width(&text));
        Ok(self)
    }

    fn number(&mut self, col: u16, value: impl Into<f64> + ToString) -> Result<&mut Self> {
        let shown = value.to_string();
        self.sheet
            .write_number(self.row, col, value)
            .map_err(failed)?;
        self.fit(col, text_width(&shown));
        Ok(self)
    }

    /// A date as a real Excel date; one Excel cannot hold (before 1900, from an older book)
    /// as text, rather than failing the workbook.
    fn date(&mut self, col: u16, date: NaiveDate) -> Result<&mut Self> {
        match excel_date(date) {
            Some(excel) => {
                self.sheet
                    .write_datetime_with_format(self.row, col, &excel, self.date)
                    .map_err(failed)?;
                self.fit(col, 10.0);
                Ok(self)
            }
            None => self.text(col, &date.to_string()),
        }
    }

    /// Like [`Sheet::date`], to the minute.
    fn datetime(&mut self, col: u16, at: DateTime<FixedOffset>) -> Result<&mut Self> {
        let excel = excel_date(at.date_naive()).and_then(|day| {
            day.and_hms(
                u16::try_from(at.hour()).unwrap_or(0),
                u8::try_from(at.minute()).unwrap_or(0),
                0,
            )
            .ok()
        });
        match excel {
            Some(excel) => {
                self.sheet
                    .write_datetime_with_format(self.row, col, &excel, self.datetime)
                    .map_err(failed)?;
                self.fit(col, 16.0);
                Ok(self)
            }
            None => self.text(col, &at.format("%Y-%m-%d %H:%M").to_string()),
        }
    }

    fn next_row(&mut self) {
        self.row += 1;
    }

    /// Sets the column widths once every row is written.
    fn finish(self) -> Result<()> {
        for (col, width) in (0u16..).zip(self.widths) {
            self.sheet.set_column_width(col, width).map_err(failed)?;
        }
        Ok(())
    }
}

/// `text` cut to Excel's cell limit with a mark, so that one long record (from an older book or
/// a peer) never stops a report from being written.
fn fit_cell(text: &str) -> std::borrow::Cow<'_, str> {
    if text.chars().count() <= MAX_CELL_CHARS {
        return text.into();
    }
    let keep = MAX_CELL_CHARS - CUT_MARK.chars().count();
    let mut cut: String = text.chars().take(keep).collect();
    cut.push_str(CUT_MARK);
    cut.into()
}

fn excel_date(date: NaiveDate) -> Option<ExcelDateTime> {
    ExcelDateTime::from_ymd(
        u16::try_from(date.year()).ok()?,
        u8::try_from(date.month()).ok()?,
        u8::try_from(date.day()).ok()?,
    )
    .ok()
}

struct Formats {
    header: Format,
    date: Format,
    datetime: Format,
}

/// A two-column sheet of counts under a heading, with the total last.
fn count_sheet(
    workbook: &mut Workbook,
    formats: &Formats,
    name: &str,
    headers: &[&str; 2],
    counts: &[Count],
) -> Result<()> {
    let mut sheet = Sheet::new(workbook, name, headers, formats)?;
    for count in counts {
        sheet.text(0, &count.label)?.number(1, count.count as f64)?;
        sheet.next_row();
    }
    let total: i64 = counts.iter().map(|c| c.count).sum();
    sheet.text(0, "合计")?.number(1, total as f64)?;
    sheet.finish()
}

impl Report {
    /// The report as an `.xlsx` workbook: sheets 案件登记, 统计汇总, 按类别, 代表建议, 人民调解
    /// (the Ministry of Justice's table), 按网格, 按会议类型 and 代表履职.
    ///
    /// # Errors
    /// Only if the workbook cannot be assembled.
    pub fn xlsx(&self) -> Result<Vec<u8>> {
        let mut workbook = Workbook::new();
        let formats = Formats {
            header: Format::new().set_bold(),
            date: Format::new().set_num_format("yyyy-mm-dd"),
            datetime: Format::new().set_num_format("yyyy-mm-dd hh:mm"),
        };
        let s = &self.stats;

        let mut cases = Sheet::new(
            &mut workbook,
            "案件登记",
            &[
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
                "回访满意度",
            ],
            &formats,
        )?;
        for row in &self.rows {
            let r = &row.reception;
            cases
                .text(0, &r.case_no)?
                .datetime(1, r.received_at)?
                .text(2, r.channel.label())?
                .text(3, &category(row))?
                .number(4, r.head_count)?
                .text(5, &r.matter)?
                .text(6, &r.request)?
                .text(7, &row.deputies.join("、"))?
                .text(8, row.grid.as_deref().unwrap_or(""))?
                .text(9, row.status.label())?
                .date(10, row.due)?
                .text(11, row.satisfaction.map_or("", |s| s.label()))?;
            cases.next_row();
        }
        cases.finish()?;

        let m = &s.mediation;
        let mut summary = Sheet::new(&mut workbook, "统计汇总", &["指标", "数值"], &formats)?;
        summary.text(0, "统计期间")?.text(1, &self.range.label())?;
        summary.next_row();
        let figures: [(&str, i64); 17] = [
            ("接待件数", s.receptions),
            ("来访人次", s.people),
            ("集体访件数", s.collective_visits),
            ("逾期未答复件数", s.overdue),
            ("回访满意", s.satisfaction.satisfied),
            ("回访基本满意", s.satisfaction.basically_satisfied),
            ("回访不满意", s.satisfaction.dissatisfied),
            ("调解受理", m.accepted),
            ("调解成功", m.succeeded),
            ("调解不成", m.failed),
            ("终止调解", m.terminated),
            ("调解在办", m.open),
            ("调解超期", m.overdue),
            ("司法确认申请", m.judicial_confirmations_applied),
            ("司法确认", m.judicial_confirmations_confirmed),
            ("会议次数（各类会议）", s.meetings.held),
            ("达到法定人数次数", s.meetings.quorate),
        ];
        for (label, value) in figures {
            summary.text(0, label)?.number(1, value as f64)?;
            summary.next_row();
        }
        for (label, rate) in [
            ("回访满意率", s.satisfaction.rate),
            ("调解成功率", m.success_rate),
        ] {
            summary.text(0, label)?.text(1, &percent(rate))?;
            summary.next_row();
        }
        summary.finish()?;

        count_sheet(
            &mut workbook,
            &formats,
            "按来访类型",
            &["来访类型", "接待件数"],
            &s.by_kind,
        )?;
        count_sheet(
            &mut workbook,
            &formats,
            "按类别",
            &["纠纷类型", "接待件数"],
            &s.by_category,
        )?;
        count_sheet(
            &mut workbook,
            &formats,
            "其他事项按类别",
            &["类别", "接待件数"],
            &s.by_suggestion_category,
        )?;

        let g = &s.suggestions;
        let mut suggestions = Sheet::new(&mut workbook, "代表建议", &["指标", "件数"], &formats)?;
        let figures = [
            ("起草代表建议", g.drafted),
            ("已提交", g.submitted),
            ("已答复", g.answered),
            ("答复逾期", g.overdue),
            ("代表满意", g.satisfied),
            ("代表基本满意", g.basically_satisfied),
            ("代表不满意", g.dissatisfied),
        ];
        for (label, value) in figures {
            suggestions.text(0, label)?.number(1, value as f64)?;
            suggestions.next_row();
        }
        for count in g.by_class.iter().chain(&g.by_category) {
            suggestions
                .text(0, &count.label)?
                .number(1, count.count as f64)?;
            suggestions.next_row();
        }
        suggestions.finish()?;

        let mut mediation = Sheet::new(
            &mut workbook,
            "人民调解",
            &[
                "纠纷类型",
                "受理",
                "调解成功",
                "履行",
                "司法确认",
                "涉及金额（元）",
            ],
            &formats,
        )?;
        let total = s.mediation_total();
        for row in s.mediation_by_type.iter().chain([&total]) {
            mediation
                .text(0, &row.dispute_type)?
                .number(1, row.accepted as f64)?
                .number(2, row.succeeded as f64)?
                .number(3, row.performed as f64)?
                .number(4, row.judicially_confirmed as f64)?
                .number(5, row.amount_yuan as f64)?;
            mediation.next_row();
        }
        mediation.finish()?;

        count_sheet(
            &mut workbook,
            &formats,
            "按网格",
            &["网格", "接待件数"],
            &s.by_grid,
        )?;

        let mut meetings = Sheet::new(
            &mut workbook,
            "按会议类型",
            &["会议类型", "召开次数", "达到法定人数次数"],
            &formats,
        )?;
        for row in &s.meetings.by_kind {
            meetings
                .text(0, &row.label)?
                .number(1, row.held as f64)?
                .number(2, row.quorate as f64)?;
            meetings.next_row();
        }
        meetings
            .text(0, "合计")?
            .number(1, s.meetings.held as f64)?
            .number(2, s.meetings.quorate as f64)?;
        meetings.next_row();
        meetings.finish()?;

        let mut deputies = Sheet::new(
            &mut workbook,
            "代表履职",
            &[
                "代表",
                "代表类别",
                "站点",
                "接待件数",
                "值班天数",
                "跟踪办结件数",
                "调解件数",
                "参加会议次数",
                "向选民述职次数",
                "参加培训次数",
                "群众满意",
                "群众基本满意",
                "群众不满意",
            ],
            &formats,
        )?;
        for d in &s.deputies {
            deputies
                .text(0, &d.name)?
                .text(1, d.congress)?
                .text(2, d.station.as_deref().unwrap_or(""))?
                .number(3, d.receptions as f64)?
                .number(4, d.duty_days as f64)?
                .number(5, d.concluded as f64)?
                .number(6, d.mediations as f64)?
                .number(7, d.meetings as f64)?
                .number(8, d.reports_to_voters as f64)?
                .number(9, d.trainings as f64)?
                .number(10, d.satisfied as f64)?
                .number(11, d.basically_satisfied as f64)?
                .number(12, d.dissatisfied as f64)?;
            deputies.next_row();
        }
        deputies.finish()?;

        workbook.save_to_buffer().map_err(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_long_text_or_an_ancient_date_never_fails_the_workbook() {
        let long = "路".repeat(40_000);
        let cut = fit_cell(&long);
        assert_eq!(cut.chars().count(), MAX_CELL_CHARS);
        assert!(cut.ends_with(CUT_MARK));
        assert_eq!(fit_cell("短"), "短");
        let mut workbook = Workbook::new();
        let formats = Formats {
            header: Format::new(),
            date: Format::new(),
            datetime: Format::new(),
        };
        let mut sheet = Sheet::new(&mut workbook, "案件登记", &["事由"], &formats).unwrap();
        sheet.text(0, &long).unwrap();
        sheet.next_row();
        let year_26 = NaiveDate::from_ymd_opt(26, 11, 28).unwrap();
        sheet.date(0, year_26).unwrap();
        sheet.finish().unwrap();
        assert!(workbook.save_to_buffer().is_ok());
    }
}
