//! Field rules shared by every record: ID numbers, mobile numbers, dates, and the bounds of
//! every field (length, characters, dates, amounts).
//!
//! Each check refuses with a stable [`ErrorKind`] and a message that names the field the way
//! the reception form does, so the deputy knows what to correct. [`check_change`] applies the
//! bounds to a whole record: every local write passes it before it is recorded, and every
//! imported change passes it again (`check_entry`), since a peer's book may have been edited
//! by hand. The limits are documented in docs/cli.md and docs/security.md.

use chrono::{DateTime, Datelike, FixedOffset, Months, NaiveDate, TimeDelta};

use crate::change::{Change, LogEntry};
use crate::domain::{
    AgendaItem, AuditEntry, CaseEvent, CaseEventKind, CouncilMeeting, Deputy, DeputyActivity,
    DeputyActivityKind, DutyShift, Grid, Mediation, MediationEvent, MediationEventKind,
    MeetingEvent, MeetingEventKind, MeetingKind, Party, Reception, Station, Suggestion,
    SuggestionEvent, SuggestionEventKind, Visitor,
};
use crate::error::{Error, ErrorKind, Result};
use crate::hlc::MAX_AHEAD_MS;
use crate::time::{china_now, china_today};

/// How far ahead of this PC's clock a time may be before it counts as "in the future":
/// station PCs and phones drift by minutes.
const CLOCK_TOLERANCE: TimeDelta = TimeDelta::minutes(10);

/// The longest text of each kind of field, in characters (not bytes).
pub mod limits {
    /// A person's name: visitor, party, deputy, mediator, host, recorder.
    pub const NAME: usize = 50;
    /// A code: grid code, case number, mediation number.
    pub const CODE: usize = 50;
    /// A short label: village, place, department, court, grid or station name, sub-type.
    pub const LABEL: usize = 100;
    /// An agenda item's title.
    pub const TITLE: usize = 200;
    /// An address, or a phone field that is not a mobile number.
    pub const ADDRESS: usize = 200;
    /// A note, a reason, a route explained, a rights review, how an agreement is performed.
    pub const NOTE: usize = 1_000;
    /// The visitor's own words and everything of that size: matter, request, proposed handling,
    /// answers and replies, discussion, resolution, statements, facts, terms, summary.
    pub const LONG: usize = 5_000;
    /// Entries of a list: visitors, parties, deputies, mediators, agenda items, committees.
    pub const LIST: usize = 200;
    /// People counted: a collective visit's head count, a council's members.
    pub const PEOPLE: u32 = 10_000;
    /// An amount involved in a mediation, in yuan (one hundred million).
    pub const AMOUNT_YUAN: u64 = 100_000_000;
    /// Oldest age accepted.
    pub const AGE: u8 = 120;
}

/// No event of the book is dated before this day (birth dates in ID numbers from 1900).
pub const EARLIEST_DATE: NaiveDate = match NaiveDate::from_ymd_opt(2000, 1, 1) {
    Some(date) => date,
    None => panic!("2000-01-01 is a date"),
};

/// A deadline (reply due, referral deadline, performance deadline, publication end) or a
/// planned duty day lies at most this many years ahead.
pub const FUTURE_YEARS: u32 = 3;

/// How much later than this PC's clock an imported record may be dated: the sender's clock may
/// be days ahead (the same allowance the clock itself gives, [`MAX_AHEAD_MS`]).
const IMPORT_SKEW: TimeDelta = TimeDelta::milliseconds(MAX_AHEAD_MS);

/// Checks an 18-digit resident ID number (GB 11643-1999): birth date and check digit.
///
/// Accepts a lower-case `x` as the check digit and returns the canonical upper-case form.
pub fn id_number(field: &str, raw: &str) -> Result<String> {
    line(field, raw, 30)
        .map_err(|err| Error::refused(ErrorKind::InvalidIdNumber, err.to_string()))?;
    let id = raw.trim().to_ascii_uppercase();
    let refuse = |why: &str| {
        Error::refused(
            ErrorKind::InvalidIdNumber,
            format!(
                "{field}“{}”不是有效的身份证号码：{why}",
                mask_id_number(&id)
            ),
        )
    };
    let bytes = id.as_bytes();
    if bytes.len() != 18 {
        return Err(refuse("应为18位"));
    }
    if !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'X')
    {
        return Err(refuse("前17位应为数字，最后一位为数字或X"));
    }
    let birth =
        NaiveDate::parse_from_str(&id[6..14], "%Y%m%d").map_err(|_| refuse("出生日期不存在"))?;
    if birth.year() < 1900 || birth > china_today() {
        return Err(refuse("出生日期不合理"));
    }
    if id_check_digit(&id[..17]) != Some(char::from(bytes[17])) {
        return Err(refuse("最后一位与前17位对不上，请核对是否抄错"));
    }
    Ok(id)
}

/// The check digit (`0`–`9` or `X`, GB 11643-1999) that follows the first 17 digits of an ID
/// number, or `None` when `first17` is not 17 ASCII digits. The one implementation: the
/// validator checks with it and the demo town makes its fictional numbers with it.
pub fn id_check_digit(first17: &str) -> Option<char> {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let digits = first17.as_bytes();
    if digits.len() != 17 || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let sum: u32 = digits
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(digit - b'0') * weight)
        .sum();
    Some(char::from(CHECK[(sum % 11) as usize]))
}

/// Checks a mainland mobile number: `1[3-9]` and 9 more digits. Spaces and dashes are dropped.
/// The refusal shows the number masked, as ID numbers are.
pub fn mobile(field: &str, raw: &str) -> Result<String> {
    line(field, raw, 30).map_err(|err| Error::refused(ErrorKind::InvalidPhone, err.to_string()))?;
    let digits: String = raw.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let ok = digits.len() == 11
        && digits.bytes().all(|b| b.is_ascii_digit())
        && digits.as_bytes()[0] == b'1'
        && (b'3'..=b'9').contains(&digits.as_bytes()[1]);
    if ok {
        Ok(digits)
    } else {
        Err(Error::refused(
            ErrorKind::InvalidPhone,
            format!(
                "{field}“{}”不是有效的手机号码：应为1开头的11位数字，第二位为3至9",
                mask_phone(raw)
            ),
        ))
    }
}

/// Refuses a time later than now (with a few minutes' tolerance for clock drift) or before
/// [`EARLIEST_DATE`].
pub fn not_in_future(field: &str, at: DateTime<FixedOffset>) -> Result<()> {
    time_between(field, at, entry_now())
}

/// Refuses a calendar date later than today or before [`EARLIEST_DATE`].
pub fn date_not_in_future(field: &str, date: NaiveDate) -> Result<()> {
    date_between(field, date, china_today())
}

/// Refuses an empty (or all-blank) required text and returns it trimmed, with Windows line
/// breaks made plain (`\r` is refused in stored text: it rewrites a terminal's line).
pub fn required_text(field: &str, text: &str) -> Result<String> {
    optional_text(Some(text)).ok_or_else(|| Error::invalid(format!("请填写{field}")))
}

/// Trims an optional text and makes its line breaks plain; blank becomes `None`.
pub fn optional_text(text: Option<&str>) -> Option<String> {
    text.map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| t.replace("\r\n", "\n").replace('\r', "\n"))
}

/// Refuses an age nobody has.
pub fn age(field: &str, age: Option<u8>) -> Result<()> {
    match age {
        Some(age) if age > limits::AGE => {
            Err(Error::invalid(format!("{field}年龄（{age}）不合理")))
        }
        _ => Ok(()),
    }
}

/// A character no field may hold: the C0 controls (NUL, ESC, …), DEL, the C1 controls, and the
/// invisible bidirectional overrides that reorder what a terminal or a page shows. `multiline`
/// text may keep newlines and tabs.
pub fn forbidden_char(c: char, multiline: bool) -> bool {
    match c {
        '\n' | '\t' => !multiline,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' => true,
        c => c.is_control(),
    }
}

fn bounded(field: &str, text: &str, max: usize, multiline: bool) -> Result<()> {
    let mut count = 0;
    for c in text.chars() {
        count += 1;
        if forbidden_char(c, multiline) {
            let allowed = if multiline { "（换行除外）" } else { "" };
            return Err(Error::invalid(format!(
                "{field}第{count}个字符是看不见的控制字符，不能保存{allowed}：请删除后重新输入"
            )));
        }
    }
    if count > max {
        return Err(Error::invalid(format!(
            "{field}不能超过{max}字（现为{count}字），请精简后保存"
        )));
    }
    Ok(())
}

/// Refuses a one-line text longer than `max` characters or holding a control character
/// (newlines included).
pub fn line(field: &str, text: &str, max: usize) -> Result<()> {
    bounded(field, text, max, false)
}

/// Refuses a text of several lines longer than `max` characters or holding a control character
/// other than newline and tab.
pub fn paragraph(field: &str, text: &str, max: usize) -> Result<()> {
    bounded(field, text, max, true)
}

fn optional_line(field: &str, text: Option<&str>, max: usize) -> Result<()> {
    text.map_or(Ok(()), |t| line(field, t, max))
}

fn optional_paragraph(field: &str, text: Option<&str>, max: usize) -> Result<()> {
    text.map_or(Ok(()), |t| paragraph(field, t, max))
}

fn list_len(field: &str, len: usize) -> Result<()> {
    if len > limits::LIST {
        return Err(Error::invalid(format!(
            "{field}不能超过{}项（现为{len}项）",
            limits::LIST
        )));
    }
    Ok(())
}

fn too_early(field: &str, date: NaiveDate) -> Error {
    Error::invalid(format!(
        "{field}（{date}）早于{}，请核对年份",
        EARLIEST_DATE.format("%Y年%-m月%-d日")
    ))
}

/// Refuses a time before [`EARLIEST_DATE`] or after `now`.
fn time_between(field: &str, at: DateTime<FixedOffset>, now: DateTime<FixedOffset>) -> Result<()> {
    if at.date_naive() < EARLIEST_DATE {
        return Err(too_early(field, at.date_naive()));
    }
    if at > now {
        return Err(Error::refused(
            ErrorKind::FutureDate,
            format!(
                "{field}（{}）晚于当前时间，请核对日期",
                at.format("%Y-%m-%d %H:%M")
            ),
        ));
    }
    Ok(())
}

/// Refuses a day before [`EARLIEST_DATE`] or after `today`.
fn date_between(field: &str, date: NaiveDate, today: NaiveDate) -> Result<()> {
    if date < EARLIEST_DATE {
        return Err(too_early(field, date));
    }
    if date > today {
        return Err(Error::refused(
            ErrorKind::FutureDate,
            format!("{field}（{date}）晚于今天，请核对日期"),
        ));
    }
    Ok(())
}

/// Refuses a planned day before [`EARLIEST_DATE`] or more than [`FUTURE_YEARS`] after `from`.
fn ahead_of(field: &str, date: NaiveDate, from: NaiveDate) -> Result<()> {
    if date < EARLIEST_DATE {
        return Err(too_early(field, date));
    }
    let limit = from
        .checked_add_months(Months::new(12 * FUTURE_YEARS))
        .unwrap_or(NaiveDate::MAX);
    if date > limit {
        return Err(Error::refused(
            ErrorKind::FutureDate,
            format!("{field}（{date}）太远：最晚可定在{limit}（{FUTURE_YEARS}年内），请核对日期"),
        ));
    }
    Ok(())
}

/// The origin code rule ([`crate::store::origin_code`]), without echoing a code that breaks it.
fn code_of_origin(field: &str, code: &str) -> Result<()> {
    match crate::store::origin_code(code) {
        Ok(valid) if valid == code => Ok(()),
        _ => Err(Error::invalid(format!(
            "{field}不合规：应为1至8位大写字母或数字"
        ))),
    }
}

/// Checks every field of a record against the limits: lengths, characters, dates (none before
/// [`EARLIEST_DATE`], none after `now` but the deadlines, which may lie [`FUTURE_YEARS`] ahead),
/// counts and amounts. Entry passes `now` as this PC's time; import allows the sender's clock
/// to be ahead (`check_entry`).
///
/// # Errors
/// `invalid` or `future_date`, naming the field as the forms do.
pub fn check_change(change: &Change, now: DateTime<FixedOffset>) -> Result<()> {
    let today = now.date_naive();
    match change {
        Change::GridUpsert(grid) => check_grid(grid),
        Change::StationUpsert(station) => check_station(station),
        Change::DeputyUpsert(deputy) => check_deputy(deputy, today),
        Change::DutyShiftUpsert(shift) => check_duty_shift(shift, today),
        Change::ReceptionCreate(reception) => check_reception(reception, now),
        Change::CaseEventAppend(event) => check_case_event(event, now),
        Change::MeetingCreate(meeting) => check_meeting(meeting, now),
        Change::MeetingEventAppend(event) => check_meeting_event(event, now),
        Change::MediationCreate(mediation) => check_mediation(mediation, now),
        Change::MediationEventAppend(event) => check_mediation_event(event, now),
        Change::SuggestionCreate(suggestion) => check_suggestion(suggestion, now),
        Change::SuggestionEventAppend(event) => check_suggestion_event(event, now),
        Change::AuditAppend(entry) => check_audit(entry, now),
        Change::DeputyActivityAppend(activity) => check_deputy_activity(activity, today),
    }
}

/// [`check_change`] for an entry of a peer's bundle: a refusal refuses the bundle
/// (`bad_bundle`) and names the sender, the change and the record. Dates may be up to the
/// clock allowance ([`MAX_AHEAD_MS`], 30 days) ahead of this PC: the sender's clock may be fast.
///
/// # Errors
/// `bad_bundle`.
pub fn check_entry(entry: &LogEntry) -> Result<()> {
    let refuse = |why: String| {
        Error::refused(
            ErrorKind::BadBundle,
            format!(
                "同步包无效：{}的第{}号变更（{}）超出台账的限制：{why}",
                entry.origin,
                entry.seq,
                describe(&entry.change)
            ),
        )
    };
    code_of_origin("发送方代码", &entry.origin).map_err(|err| refuse(err.to_string()))?;
    check_change(&entry.change, china_now() + IMPORT_SKEW).map_err(|err| refuse(err.to_string()))
}

/// The record a change writes, as a message names it: its kind and its number, or its id when
/// the number itself is out of bounds.
fn describe(change: &Change) -> String {
    let (kind, key) = match change {
        Change::GridUpsert(r) => ("网格", Some(r.code.as_str())),
        Change::StationUpsert(r) => ("站点", Some(r.code.as_str())),
        Change::DeputyUpsert(r) => ("代表", Some(r.name.as_str())),
        Change::DutyShiftUpsert(_) => ("值班安排", None),
        Change::ReceptionCreate(r) => ("接待登记", Some(r.case_no.as_str())),
        Change::CaseEventAppend(_) => ("办理记录", None),
        Change::MeetingCreate(_) => ("议事会记录", None),
        Change::MeetingEventAppend(_) => ("会议后续记录", None),
        Change::MediationCreate(r) => ("调解案件", Some(r.number.as_str())),
        Change::MediationEventAppend(_) => ("调解记录", None),
        Change::SuggestionCreate(r) => ("代表建议", Some(r.number.as_str())),
        Change::SuggestionEventAppend(_) => ("代表建议办理记录", None),
        Change::AuditAppend(_) => ("操作记录", None),
        Change::DeputyActivityAppend(_) => ("代表述职和培训记录", None),
    };
    match key.filter(|key| line("", key, limits::CODE).is_ok()) {
        Some(key) => format!("{kind} {key}"),
        None => format!("{kind}，记录号 {}", change.record_id()),
    }
}

fn check_audit(entry: &AuditEntry, now: DateTime<FixedOffset>) -> Result<()> {
    code_of_origin("操作记录的站点", &entry.station)?;
    time_between("操作时间", entry.at, now)?;
    optional_line("操作对象", entry.subject.as_deref(), limits::LABEL)?;
    optional_line("操作说明", entry.detail.as_deref(), limits::ADDRESS)
}

fn check_deputy_activity(activity: &DeputyActivity, today: NaiveDate) -> Result<()> {
    code_of_origin("记录站点", &activity.station).map_err(at("station"))?;
    date_between("日期", activity.date, today).map_err(at("date"))?;
    line("地点", &activity.place, limits::LABEL).map_err(at("place"))?;
    line("主题", &activity.topic, limits::TITLE).map_err(at("topic"))?;
    optional_paragraph("内容摘要", activity.summary.as_deref(), limits::NOTE)
        .map_err(at("summary"))?;
    optional_line("主办单位", activity.organiser.as_deref(), limits::LABEL)
        .map_err(at("organiser"))?;
    let training = activity.kind == DeputyActivityKind::Training;
    if training && (activity.voters_present.is_some() || activity.appraisal.is_some()) {
        return Err(Error::invalid("参加选民人数和测评只用于向选民述职").at("voters_present"));
    }
    if !training && activity.organiser.is_some() {
        return Err(Error::invalid("主办单位只用于培训").at("organiser"));
    }
    if let Some(present) = activity.voters_present
        && present > limits::PEOPLE
    {
        return Err(Error::invalid(format!(
            "参加选民人数（{present}）不合理：不能超过{}人",
            limits::PEOPLE
        ))
        .at("voters_present"));
    }
    if let Some(appraisal) = activity.appraisal {
        let graded = appraisal.total();
        let bound = activity
            .voters_present
            .map_or(u64::from(limits::PEOPLE), u64::from);
        if graded > bound {
            return Err(
                Error::invalid(format!("测评人数（{graded}）多于参加选民人数（{bound}）"))
                    .at("appraisal"),
            );
        }
    }
    Ok(())
}

fn check_grid(grid: &Grid) -> Result<()> {
    line("网格代码", &grid.code, limits::CODE)?;
    line("网格名称", &grid.name, limits::LABEL)?;
    optional_line("上级网格", grid.parent.as_deref(), limits::CODE)?;
    list_len("网格覆盖的村（居）", grid.committees.len())?;
    for committee in &grid.committees {
        line("网格覆盖的村（居）", committee, limits::LABEL)?;
    }
    Ok(())
}

fn check_station(station: &Station) -> Result<()> {
    code_of_origin("站点代码", &station.code)?;
    line("站点名称", &station.name, limits::LABEL)?;
    optional_line("站点网格", station.grid.as_deref(), limits::CODE)?;
    optional_line("站点电话", station.phone.as_deref(), limits::ADDRESS)?;
    optional_line("站点地址", station.address.as_deref(), limits::ADDRESS)
}

fn check_deputy(deputy: &Deputy, today: NaiveDate) -> Result<()> {
    line("代表姓名", &deputy.name, limits::NAME)?;
    optional_line("代表网格", deputy.grid.as_deref(), limits::CODE)?;
    if let Some(station) = &deputy.station {
        code_of_origin("代表所在站点", station)?;
    }
    if let Some(phone) = &deputy.phone {
        mobile("代表电话", phone)?;
    }
    if let Some(since) = deputy.mediator_since {
        date_between("特邀调解员聘任日期", since, today)?;
    }
    Ok(())
}

fn check_duty_shift(shift: &DutyShift, today: NaiveDate) -> Result<()> {
    code_of_origin("值班站点", &shift.station)?;
    ahead_of("值班日期", shift.date, today)?;
    list_len("值班代表", shift.deputies.len())
}

/// Names the input field a refusal is about: `check(…).map_err(at("visitors.0.phone"))`.
pub(crate) fn at(path: impl Into<String>) -> impl FnOnce(Error) -> Error {
    move |err| err.at(path)
}

fn check_visitor(who: &str, path: &str, visitor: &Visitor) -> Result<()> {
    let f = |name: &str| format!("{path}.{name}");
    optional_line(&format!("{who}姓名"), visitor.name.as_deref(), limits::NAME)
        .map_err(at(f("name")))?;
    age(who, visitor.age).map_err(at(f("age")))?;
    if let Some(phone) = &visitor.phone {
        mobile(&format!("{who}电话"), phone).map_err(at(f("phone")))?;
    }
    if let Some(id) = &visitor.id_number {
        id_number(&format!("{who}身份证号"), id).map_err(at(f("id_number")))?;
    }
    optional_line(
        &format!("{who}住址"),
        visitor.address.as_deref(),
        limits::ADDRESS,
    )
    .map_err(at(f("address")))
}

fn check_reception(r: &Reception, now: DateTime<FixedOffset>) -> Result<()> {
    line("案件编号", &r.case_no, limits::CODE).map_err(at("case_no"))?;
    optional_line("原案件编号", r.former_case_no.as_deref(), limits::CODE)
        .map_err(at("former_case_no"))?;
    code_of_origin("接待站点", &r.station).map_err(at("station"))?;
    time_between("接待时间", r.received_at, now).map_err(at("received_at"))?;
    optional_line("接待地点", r.place.as_deref(), limits::LABEL).map_err(at("place"))?;
    optional_line("网格", r.grid.as_deref(), limits::CODE).map_err(at("grid"))?;
    list_len("接待代表", r.deputies.len()).map_err(at("deputies"))?;
    list_len("来访人", r.visitors.len()).map_err(at("visitors"))?;
    for (i, visitor) in r.visitors.iter().enumerate() {
        check_visitor(
            &format!("第{}位来访人", i + 1),
            &format!("visitors.{i}"),
            visitor,
        )?;
    }
    if r.head_count > limits::PEOPLE {
        return Err(Error::invalid(format!(
            "来访人数（{}）不合理：不能超过{}人",
            r.head_count,
            limits::PEOPLE
        ))
        .at("head_count"));
    }
    line("类别", &r.category, limits::LABEL).map_err(at("category"))?;
    optional_line("细分类别", r.subcategory.as_deref(), limits::LABEL)
        .map_err(at("subcategory"))?;
    paragraph("事由", &r.matter, limits::LONG).map_err(at("matter"))?;
    paragraph("诉求", &r.request, limits::LONG).map_err(at("request"))?;
    optional_paragraph("拟办意见", r.proposed_handling.as_deref(), limits::LONG)
        .map_err(at("proposed_handling"))?;
    ahead_of("承诺答复日期", r.reply_due, r.received_at.date_naive()).map_err(at("reply_due"))
}

fn check_case_event(event: &CaseEvent, now: DateTime<FixedOffset>) -> Result<()> {
    time_between("事件时间", event.at, now).map_err(at("at"))?;
    optional_paragraph("备注", event.note.as_deref(), limits::NOTE).map_err(at("note"))?;
    match &event.kind {
        CaseEventKind::AnsweredOnSpot { answer } => {
            paragraph("答复内容", answer, limits::LONG).map_err(at("answer"))
        }
        CaseEventKind::NotAccepted { reason, route } => {
            paragraph("不予受理的理由", reason, limits::NOTE).map_err(at("reason"))?;
            paragraph("告知的解决途径", route, limits::NOTE).map_err(at("route"))
        }
        CaseEventKind::Referred { to, deadline } => {
            line("交办单位", to, limits::LABEL).map_err(at("to"))?;
            ahead_of("办理期限", *deadline, event.at.date_naive()).map_err(at("deadline"))
        }
        CaseEventKind::ReplyReceived { from, content } => {
            optional_line("答复单位", from.as_deref(), limits::LABEL).map_err(at("from"))?;
            paragraph("答复内容", content, limits::LONG).map_err(at("content"))
        }
        CaseEventKind::SentBack { reason } | CaseEventKind::Reopened { reason } => {
            paragraph("理由", reason, limits::NOTE).map_err(at("reason"))
        }
        CaseEventKind::ToMediation { mediation_no } => {
            optional_line("调解编号", mediation_no.as_deref(), limits::CODE)
                .map_err(at("mediation_no"))
        }
        CaseEventKind::Chased { unit, by, deadline } => {
            optional_line("督办单位", unit.as_deref(), limits::LABEL).map_err(at("unit"))?;
            optional_line("督办人", by.as_deref(), limits::LABEL).map_err(at("by"))?;
            match deadline {
                Some(deadline) => ahead_of("新的办理期限", *deadline, event.at.date_naive())
                    .map_err(at("deadline")),
                None => Ok(()),
            }
        }
        CaseEventKind::Accepted
        | CaseEventKind::FedBack
        | CaseEventKind::FollowUp { .. }
        | CaseEventKind::ToCouncil
        | CaseEventKind::Closed => Ok(()),
    }
}

fn check_meeting(m: &CouncilMeeting, now: DateTime<FixedOffset>) -> Result<()> {
    code_of_origin("会议站点", &m.station).map_err(at("station"))?;
    line("村（居）名称", &m.village, limits::LABEL).map_err(at("village"))?;
    time_between("会议时间", m.held_at, now).map_err(at("held_at"))?;
    line("会议地点", &m.place, limits::LABEL).map_err(at("place"))?;
    line("主持人", &m.host, limits::NAME).map_err(at("host"))?;
    line("记录人", &m.recorder, limits::NAME).map_err(at("recorder"))?;
    list_len("参会代表", m.deputies.len()).map_err(at("deputies"))?;
    if m.expected > limits::PEOPLE || m.present > m.expected {
        return Err(Error::refused(
            ErrorKind::Quorum,
            format!(
                "应到（{}）、实到（{}）人数不合理：应到不超过{}人，实到不多于应到",
                m.expected,
                m.present,
                limits::PEOPLE
            ),
        )
        .at("present"));
    }
    crate::domain::check_households(m.kind, m.households_expected, m.households_present)?;
    if m.households_expected.is_some_and(|of| of > limits::PEOPLE) {
        return Err(Error::refused(
            ErrorKind::Quorum,
            format!("应到户数不能超过{}户", limits::PEOPLE),
        )
        .at("households_expected"));
    }
    // A council carries its own rule; the villagers' meetings follow the law's.
    if (m.kind == MeetingKind::Council) != m.quorum.is_some() {
        return Err(Error::refused(
            ErrorKind::Quorum,
            format!(
                "{}的法定人数比例{}",
                m.kind.label(),
                if m.quorum.is_some() {
                    "由法律规定，记录中不应另设"
                } else {
                    "缺失"
                }
            ),
        )
        .at("quorum"));
    }
    list_len("议题", m.items.len()).map_err(at("items"))?;
    for (i, item) in m.items.iter().enumerate() {
        check_agenda_item(i, item)?;
    }
    let held = m.held_at.date_naive();
    if let Some(from) = m.published_from {
        ahead_of("公示开始日期", from, held).map_err(at("published_from"))?;
    }
    if let Some(to) = m.published_to {
        ahead_of("公示结束日期", to, held).map_err(at("published_to"))?;
    }
    optional_line("公示地点", m.published_place.as_deref(), limits::LABEL)
        .map_err(at("published_place"))
}

fn check_agenda_item(i: usize, item: &AgendaItem) -> Result<()> {
    let number = i + 1;
    let field = |name: &str| format!("第{number}项议题的{name}");
    let path = |name: &str| format!("items.{i}.{name}");
    line(&format!("第{number}项议题"), &item.title, limits::TITLE).map_err(at(path("title")))?;
    optional_line(&field("关联案件"), item.case_no.as_deref(), limits::CODE)
        .map_err(at(path("case_no")))?;
    optional_paragraph(&field("讨论情况"), item.discussion.as_deref(), limits::LONG)
        .map_err(at(path("discussion")))?;
    optional_paragraph(&field("决议"), item.resolution.as_deref(), limits::LONG)
        .map_err(at(path("resolution")))?;
    if let Some(review) = &item.rights_review {
        optional_paragraph(&field("权益审查意见"), review.note.as_deref(), limits::NOTE)
            .map_err(at(path("rights_review.note")))?;
        optional_paragraph(
            &field("纠正后的决议"),
            review.correction.as_deref(),
            limits::LONG,
        )
        .map_err(at(path("rights_review.correction")))?;
    }
    Ok(())
}

fn check_meeting_event(event: &MeetingEvent, now: DateTime<FixedOffset>) -> Result<()> {
    time_between("事件时间", event.at, now).map_err(at("at"))?;
    optional_paragraph("备注", event.note.as_deref(), limits::NOTE).map_err(at("note"))?;
    let item = |item: Option<u32>| {
        if item.is_some_and(|n| n == 0 || usize::try_from(n).unwrap_or(usize::MAX) > limits::LIST) {
            return Err(Error::invalid("议题序号不合理").at("item"));
        }
        Ok(())
    };
    match &event.kind {
        MeetingEventKind::Published { from, to, place } => {
            ahead_of("公示开始日期", *from, event.at.date_naive()).map_err(at("from"))?;
            ahead_of("公示结束日期", *to, *from).map_err(at("to"))?;
            line("公示地点", place, limits::LABEL).map_err(at("place"))
        }
        MeetingEventKind::Objection {
            item: number,
            raised_by,
            content,
        } => {
            item(*number)?;
            optional_line("异议人", raised_by.as_deref(), limits::NAME).map_err(at("raised_by"))?;
            paragraph("异议内容", content, limits::LONG).map_err(at("content"))
        }
        MeetingEventKind::Answered { answer, .. } => {
            paragraph("答复内容", answer, limits::LONG).map_err(at("answer"))
        }
        MeetingEventKind::CarriedOut {
            item: number,
            report,
        } => {
            item(*number)?;
            paragraph("执行情况", report, limits::LONG).map_err(at("report"))
        }
    }
}

fn check_party(who: &str, path: &str, party: &Party) -> Result<()> {
    let f = |name: &str| format!("{path}.{name}");
    line(&format!("{who}姓名"), &party.name, limits::NAME).map_err(at(f("name")))?;
    age(who, party.age).map_err(at(f("age")))?;
    if let Some(phone) = &party.phone {
        mobile(&format!("{who}电话"), phone).map_err(at(f("phone")))?;
    }
    if let Some(id) = &party.id_number {
        id_number(&format!("{who}身份证号"), id).map_err(at(f("id_number")))?;
    }
    optional_line(
        &format!("{who}住址"),
        party.address.as_deref(),
        limits::ADDRESS,
    )
    .map_err(at(f("address")))?;
    optional_line(
        &format!("{who}民族"),
        party.ethnicity.as_deref(),
        limits::NAME,
    )
    .map_err(at(f("ethnicity")))?;
    optional_line(
        &format!("{who}职业"),
        party.occupation.as_deref(),
        limits::LABEL,
    )
    .map_err(at(f("occupation")))?;
    if let Some(agent) = &party.agent {
        let label = format!("{who}的{}", agent.kind.label());
        line(&format!("{label}姓名"), &agent.name, limits::NAME).map_err(at(f("agent.name")))?;
        optional_line(
            &format!("{label}与当事人关系"),
            agent.relation.as_deref(),
            limits::NAME,
        )
        .map_err(at(f("agent.relation")))?;
        if let Some(phone) = &agent.phone {
            mobile(&format!("{label}电话"), phone).map_err(at(f("agent.phone")))?;
        }
    }
    Ok(())
}

/// A list of names (participants of a session or an investigation), each a line of a name's
/// length.
fn names(field: &str, names: &[String]) -> Result<()> {
    list_len(field, names.len())?;
    for name in names {
        line(field, name, limits::NAME)?;
    }
    Ok(())
}

fn check_mediation(m: &Mediation, now: DateTime<FixedOffset>) -> Result<()> {
    line("调解编号", &m.number, limits::CODE)?;
    optional_line("原调解编号", m.former_number.as_deref(), limits::CODE)
        .map_err(at("former_number"))?;
    code_of_origin("调解站点", &m.station)?;
    optional_line("关联案件", m.case_no.as_deref(), limits::CODE).map_err(at("case_no"))?;
    line("纠纷类型", &m.dispute_type, limits::LABEL).map_err(at("dispute_type"))?;
    optional_line("纠纷细分类型", m.dispute_subtype.as_deref(), limits::LABEL)
        .map_err(at("dispute_subtype"))?;
    time_between("受理时间", m.accepted_at, now).map_err(at("accepted_at"))?;
    if m.year != m.accepted_at.year() {
        return Err(Error::invalid(format!(
            "调解编号年份（{}）与受理时间不符",
            m.year
        )));
    }
    paragraph("纠纷简要情况", &m.summary, limits::LONG).map_err(at("summary"))?;
    list_len("当事人", m.parties.len()).map_err(at("parties"))?;
    for (i, party) in m.parties.iter().enumerate() {
        check_party(
            &format!("第{}位当事人", i + 1),
            &format!("parties.{i}"),
            party,
        )?;
    }
    list_len("调解员", m.mediators.len()).map_err(at("mediators"))?;
    for mediator in &m.mediators {
        line("调解员姓名", &mediator.name, limits::NAME).map_err(at("mediators"))?;
    }
    Ok(())
}

fn check_suggestion(s: &Suggestion, now: DateTime<FixedOffset>) -> Result<()> {
    line("建议编号", &s.number, limits::CODE).map_err(at("number"))?;
    optional_line("原建议编号", s.former_number.as_deref(), limits::CODE)
        .map_err(at("former_number"))?;
    code_of_origin("建议站点", &s.station).map_err(at("station"))?;
    time_between("起草时间", s.drafted_at, now).map_err(at("drafted_at"))?;
    if s.year != s.drafted_at.year() {
        return Err(Error::invalid(format!(
            "建议编号年份（{}）与起草时间不符",
            s.year
        )));
    }
    line("案由", &s.title, limits::TITLE).map_err(at("title"))?;
    line("建议类别", &s.category, limits::LABEL).map_err(at("category"))?;
    paragraph("理由", &s.reasons, limits::LONG).map_err(at("reasons"))?;
    paragraph("具体建议", &s.proposals, limits::LONG).map_err(at("proposals"))?;
    list_len("来源案件", s.cases.len()).map_err(at("cases"))?;
    for case_no in &s.cases {
        line("来源案件编号", case_no, limits::CODE).map_err(at("cases"))?;
    }
    list_len("附议代表", s.cosigners.len()).map_err(at("cosigners"))?;
    optional_line("建议承办单位", s.unit.as_deref(), limits::LABEL).map_err(at("unit"))?;
    optional_line("起草人", s.drafted_by.as_deref(), limits::NAME).map_err(at("drafted_by"))
}

fn check_suggestion_event(event: &SuggestionEvent, now: DateTime<FixedOffset>) -> Result<()> {
    time_between("事件时间", event.at, now).map_err(at("at"))?;
    optional_paragraph("备注", event.note.as_deref(), limits::NOTE).map_err(at("note"))?;
    match &event.kind {
        SuggestionEventKind::Submitted { to, registered_no } => {
            optional_line("提交至", to.as_deref(), limits::LABEL).map_err(at("to"))?;
            optional_line("登记编号", registered_no.as_deref(), limits::CODE)
                .map_err(at("registered_no"))
        }
        SuggestionEventKind::Assigned { unit, deadline } => {
            line("承办单位", unit, limits::LABEL).map_err(at("unit"))?;
            ahead_of("答复期限", *deadline, event.at.date_naive()).map_err(at("deadline"))
        }
        SuggestionEventKind::Answered { unit, answer, .. } => {
            optional_line("答复单位", unit.as_deref(), limits::LABEL).map_err(at("unit"))?;
            paragraph("答复内容", answer, limits::LONG).map_err(at("answer"))
        }
        SuggestionEventKind::Satisfaction { opinion, .. } => {
            optional_paragraph("代表意见", opinion.as_deref(), limits::NOTE).map_err(at("opinion"))
        }
    }
}

fn check_mediation_event(event: &MediationEvent, now: DateTime<FixedOffset>) -> Result<()> {
    time_between("事件时间", event.at, now).map_err(at("at"))?;
    optional_paragraph("备注", event.note.as_deref(), limits::NOTE).map_err(at("note"))?;
    match &event.kind {
        MediationEventKind::Session {
            place,
            statements,
            facts,
            outcome,
            participants,
            recorder,
        } => {
            line("调解地点", place, limits::LABEL)?;
            paragraph("当事人陈述", statements, limits::LONG)?;
            optional_paragraph("查明的事实", facts.as_deref(), limits::LONG)?;
            optional_paragraph("调解结果", outcome.as_deref(), limits::LONG)?;
            names("参加人", participants).map_err(at("participants"))?;
            optional_line("记录人", recorder.as_deref(), limits::NAME).map_err(at("recorder"))
        }
        MediationEventKind::Investigation {
            place,
            subject,
            content,
            participants,
            recorder,
        } => {
            line("调查地点", place, limits::LABEL).map_err(at("place"))?;
            line("被调查人", subject, limits::LABEL).map_err(at("subject"))?;
            paragraph("调查内容", content, limits::LONG).map_err(at("content"))?;
            names("调查人", participants).map_err(at("participants"))?;
            optional_line("记录人", recorder.as_deref(), limits::NAME).map_err(at("recorder"))
        }
        MediationEventKind::RightsNotified {} => Ok(()),
        MediationEventKind::Agreement {
            facts,
            responsibilities,
            terms,
            performance_method,
            performance_deadline,
            performance_place,
            amount_yuan,
            copies,
        } => {
            paragraph("纠纷事实及争议事项", facts, limits::LONG)?;
            paragraph("各方责任", responsibilities, limits::LONG)?;
            paragraph("协议内容", terms, limits::LONG)?;
            paragraph("履行方式", performance_method, limits::NOTE)?;
            ahead_of("履行期限", *performance_deadline, event.at.date_naive())?;
            line("履行地点", performance_place, limits::LABEL)?;
            if amount_yuan.is_some_and(|amount| amount > limits::AMOUNT_YUAN) {
                return Err(Error::invalid(format!(
                    "涉及金额不能超过{}元（一亿元），请核对",
                    limits::AMOUNT_YUAN
                )));
            }
            if copies.is_some_and(|c| usize::try_from(c).unwrap_or(usize::MAX) > limits::LIST + 1) {
                return Err(Error::invalid("协议书份数不合理"));
            }
            Ok(())
        }
        MediationEventKind::Result {
            routes, oral_terms, ..
        } => {
            optional_paragraph("告知当事人的其他解决途径", routes.as_deref(), limits::NOTE)?;
            optional_paragraph("口头协议内容", oral_terms.as_deref(), limits::LONG)
                .map_err(at("oral_terms"))
        }
        MediationEventKind::JudicialConfirmation {
            applied_on, court, ..
        } => {
            date_between("司法确认申请日期", *applied_on, now.date_naive())?;
            line("受理法院", court, limits::LABEL)
        }
        MediationEventKind::Performance { .. } | MediationEventKind::FollowUp { .. } => Ok(()),
    }
}

/// The latest time a record typed at this PC may carry: now, with a few minutes' drift.
pub fn entry_now() -> DateTime<FixedOffset> {
    china_now() + CLOCK_TOLERANCE
}

/// `1101**********1234`: the only form of an ID number that may appear on printed or listed
/// output outside the station's own stub (the province and city stay, the county and the birth
/// date go).
pub fn mask_id_number(id: &str) -> String {
    mask_middle(id.trim(), 4, 4)
}

/// `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    mask_middle(phone.trim(), 3, 4)
}

fn mask_middle(text: &str, keep_front: usize, keep_back: usize) -> String {
    let chars: Vec<char> = text.chars().collect();
    if chars.len() <= keep_front + keep_back {
        return "*".repeat(chars.len());
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if i < keep_front || i >= chars.len() - keep_back {
                *c
            } else {
                '*'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::{Channel, MediationEventKind};
    use rstest::rstest;
    use uuid::Uuid;

    fn at(text: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(text).unwrap()
    }

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    /// "Now" for the record checks: half past midnight at the station, fixed.
    const NOW: &str = "2026-12-04T00:30:00+08:00";

    fn a_reception() -> Reception {
        Reception {
            id: Uuid::nil(),
            case_no: "BX-2026-0001".into(),
            former_case_no: None,
            kind: crate::domain::ReceptionKind::Dispute,
            station: "BX".into(),
            received_at: at("2026-12-04T00:20:00+08:00"),
            channel: Channel::StationVisit,
            place: None,
            grid: None,
            deputies: vec![],
            visitors: vec![Visitor {
                name: Some("梁秀英".into()),
                sex: None,
                age: Some(61),
                phone: Some("13800138000".into()),
                id_number: Some("11010519491231002X".into()),
                address: Some("东岭村".into()),
                representative: false,
            }],
            head_count: 1,
            category: "村务管理".into(),
            subcategory: None,
            matter: "路灯坏了".into(),
            request: "请求维修".into(),
            proposed_handling: None,
            confidential: false,
            consent: true,
            reply_due: day(2026, 12, 19),
        }
    }

    fn check(reception: Reception) -> Result<()> {
        check_change(&Change::ReceptionCreate(reception), at(NOW))
    }

    #[rstest]
    #[case::matter(|r: &mut Reception| r.matter = "路".repeat(5_001), "事由不能超过5000字（现为5001字）")]
    #[case::request(|r: &mut Reception| r.request = "修".repeat(40_000), "诉求不能超过5000字")]
    #[case::handling(|r: &mut Reception| r.proposed_handling = Some("办".repeat(5_001)), "拟办意见")]
    #[case::name(|r: &mut Reception| r.visitors[0].name = Some("梁".repeat(51)), "第1位来访人姓名不能超过50字")]
    #[case::address(|r: &mut Reception| r.visitors[0].address = Some("村".repeat(201)), "第1位来访人住址")]
    #[case::place(|r: &mut Reception| r.place = Some("站".repeat(101)), "接待地点")]
    #[case::subcategory(|r: &mut Reception| r.subcategory = Some("类".repeat(101)), "细分类别")]
    #[case::visitors(|r: &mut Reception| r.visitors = vec![r.visitors[0].clone(); 201], "来访人不能超过200项")]
    #[case::head_count(|r: &mut Reception| r.head_count = 10_001, "来访人数")]
    #[case::age(|r: &mut Reception| r.visitors[0].age = Some(121), "年龄")]
    #[case::phone(|r: &mut Reception| r.visitors[0].phone = Some("12800138000".into()), "128****8000")]
    #[case::id_number(|r: &mut Reception| r.visitors[0].id_number = Some("110105194912310021".into()), "身份证号")]
    #[case::case_no(|r: &mut Reception| r.case_no = "BX-2026-0001\n".into(), "案件编号")]
    #[case::station(|r: &mut Reception| r.station = "bx\u{1b}".into(), "接待站点不合规")]
    #[case::nul_in_matter(|r: &mut Reception| r.matter = "路\0灯".into(), "事由第2个字符")]
    #[case::escape_in_name(|r: &mut Reception| r.visitors[0].name = Some("\u{1b}[2J".into()), "第1位来访人姓名第1个字符")]
    #[case::c1_in_request(|r: &mut Reception| r.request = "修\u{9b}31m".into(), "诉求第2个字符")]
    #[case::year_0026(|r: &mut Reception| r.received_at = at("0026-11-28T09:00:00+08:00"), "接待时间（0026-11-28）早于2000年1月1日")]
    #[case::tomorrow(|r: &mut Reception| r.received_at = at("2026-12-05T09:00:00+08:00"), "接待时间（2026-12-05 09:00）晚于当前时间")]
    #[case::reply_9999(|r: &mut Reception| r.reply_due = day(9999, 12, 31), "承诺答复日期（9999-12-31）太远")]
    #[case::reply_3y_and_a_day(|r: &mut Reception| r.reply_due = day(2029, 12, 5), "最晚可定在2029-12-04")]
    fn every_reception_field_is_bounded(
        #[case] break_it: fn(&mut Reception),
        #[case] message: &str,
    ) {
        let mut reception = a_reception();
        break_it(&mut reception);
        let err = check(reception).unwrap_err();
        assert!(err.to_string().contains(message), "{err}");
    }

    #[test]
    fn a_reception_at_every_limit_passes() {
        let mut r = a_reception();
        r.matter = "路".repeat(5_000);
        r.request = "第一行\n\t第二行".into();
        r.visitors[0].name = Some("梁".repeat(50));
        r.visitors = vec![r.visitors[0].clone(); 200];
        r.head_count = 10_000;
        r.received_at = at(NOW);
        r.reply_due = day(2029, 12, 4);
        check(r).unwrap();
        let mut old = a_reception();
        old.received_at = at("2000-01-01T00:00:00+08:00");
        old.reply_due = day(2000, 1, 15);
        check(old).unwrap();
    }

    #[test]
    fn amounts_and_deadlines_of_an_agreement_are_bounded() {
        let agreement = |amount: u64, deadline: NaiveDate| {
            Change::MediationEventAppend(MediationEvent {
                id: Uuid::nil(),
                mediation: Uuid::nil(),
                at: at("2026-12-03T10:00:00+08:00"),
                deputy: None,
                note: None,
                kind: MediationEventKind::Agreement {
                    facts: "界址不清".into(),
                    responsibilities: "双方".into(),
                    terms: "重新测量".into(),
                    performance_method: "现场".into(),
                    performance_deadline: deadline,
                    performance_place: "东岭村".into(),
                    amount_yuan: Some(amount),
                    copies: Some(3),
                },
            })
        };
        check_change(&agreement(limits::AMOUNT_YUAN, day(2026, 12, 31)), at(NOW)).unwrap();
        let err = check_change(&agreement(u64::MAX, day(2026, 12, 31)), at(NOW)).unwrap_err();
        assert!(err.to_string().contains("涉及金额"), "{err}");
        let err = check_change(&agreement(100, day(9999, 1, 1)), at(NOW)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FutureDate);
        assert!(err.to_string().contains("履行期限"), "{err}");
    }

    #[test]
    fn crlf_is_made_plain_and_newlines_stay_out_of_one_line_fields() {
        assert_eq!(
            optional_text(Some(" 一\r\n二\r三 ")).as_deref(),
            Some("一\n二\n三")
        );
        assert!(paragraph("事由", "一\n\t二", 10).is_ok());
        assert!(line("姓名", "一\n二", 10).is_err());
        assert!(line("姓名", "一\t二", 10).is_err());
        assert!(paragraph("事由", "一\r二", 10).is_err());
        assert!(paragraph("事由", "\u{202e}二", 10).is_err());
        assert!(line("姓名", "张三 Zhang", 10).is_ok());
    }

    #[rstest]
    #[case("11010519491231002X")]
    #[case("11010519491231002x")]
    #[case("110101199003074477")]
    fn accepts_valid_id_numbers(#[case] id: &str) {
        assert_eq!(id_number("身份证号", id).unwrap(), id.to_ascii_uppercase());
    }

    #[rstest]
    #[case("110105194912310021", "最后一位与前17位对不上")]
    #[case("11010519491231002", "18位")]
    #[case("1101051949123100X2", "前17位")]
    #[case("110105194902300028", "出生日期不存在")]
    #[case("110105299901010028", "出生日期")]
    fn refuses_bad_id_numbers(#[case] id: &str, #[case] why: &str) {
        let err = id_number("身份证号", id).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidIdNumber);
        assert!(err.to_string().contains(why), "{err}");
        assert!(
            !err.to_string().contains(&id[6..14]) || id.len() != 18,
            "message leaks the ID: {err}"
        );
    }

    #[rstest]
    #[case("13800138000", "13800138000")]
    #[case("199 1234 5678", "19912345678")]
    #[case("150-1234-5678", "15012345678")]
    fn accepts_mobiles(#[case] raw: &str, #[case] canonical: &str) {
        assert_eq!(mobile("电话", raw).unwrap(), canonical);
    }

    #[rstest]
    #[case("12800138000")]
    #[case("1380013800")]
    #[case("138001380001")]
    #[case("0750-1234567")]
    #[case("1380013800a")]
    fn refuses_bad_mobiles(#[case] raw: &str) {
        let err = mobile("电话", raw).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidPhone);
        assert!(
            !err.to_string().contains(raw),
            "the number is masked: {err}"
        );
    }

    #[test]
    fn refuses_future_times_but_tolerates_drift() {
        assert!(not_in_future("接待时间", china_now() + TimeDelta::minutes(5)).is_ok());
        let err = not_in_future("接待时间", china_now() + TimeDelta::days(1)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::FutureDate);
        assert!(date_not_in_future("日期", china_today()).is_ok());
        assert!(date_not_in_future("日期", china_today() + TimeDelta::days(1)).is_err());
    }

    #[test]
    fn masks_keep_only_ends() {
        assert_eq!(mask_id_number("11010519491231002X"), "1101**********002X");
        assert_eq!(mask_phone("13800138000"), "138****8000");
        assert_eq!(mask_phone("123"), "***");
    }

    #[test]
    fn blank_required_text_is_refused() {
        assert!(required_text("事由", "  ").is_err());
        assert_eq!(required_text("事由", " 修路 ").unwrap(), "修路");
        assert_eq!(optional_text(Some("  ")), None);
    }
}
