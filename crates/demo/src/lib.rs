//! A fictional town for newcomers, tests and benchmarks: 清溪镇, with 1 central, 5 area and
//! 28 base grids over 21 village and residential committees, 86 deputies, and receptions with
//! realistic timelines, council meetings and mediations.
//!
//! Every name is made up. The town's roster and texts are data, in the repository's
//! `assets/demo/` (read in `src/data.rs`); this crate turns them into a story. The data goes
//! through the same write path as a deputy's input, so the demo also exercises validation,
//! numbering and the change log. The same seed on the same day gives the same records (ids
//! included).

use std::rc::Rc;

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate, NaiveTime, TimeDelta, Weekday};
use rand::prelude::*;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;
use uuid::Uuid;

use casebook::domain::*;
use casebook::store::{Book, BookKind, Writer};
use casebook::time::{CHINA, china_now, china_today};
use casebook::validate::id_check_digit;
use casebook::{Error, ErrorKind, Result};

mod data;

use data::{Topic, TopicText, TownData};

/// What `demo` should make.
#[derive(Debug, Clone)]
pub struct DemoOptions {
    /// Receptions to record.
    pub receptions: usize,
    /// Random seed.
    pub seed: u64,
}

/// What `demo` made.
#[derive(Debug, Clone, Default, Serialize)]
pub struct DemoSummary {
    /// Grids.
    pub grids: usize,
    /// Stations.
    pub stations: usize,
    /// Deputies.
    pub deputies: usize,
    /// Duty shifts.
    pub duty: usize,
    /// Receptions.
    pub receptions: usize,
    /// Case events.
    pub case_events: usize,
    /// Council meetings.
    pub meetings: usize,
    /// Mediation files.
    pub mediations: usize,
    /// Mediation events.
    pub mediation_events: usize,
}

/// The longest span of days the demo's receptions cover: about 24.6 years, so that a
/// million-reception book still starts after 2000 (validation refuses receptions before it).
const MAX_WINDOW_DAYS: i64 = 9_000;

/// Receptions written per transaction.
const BATCH: usize = 2_000;

/// A new plain station book at `path` (东岭村's station) filled with `receptions`: what the
/// benchmarks start the app on.
pub fn make_station_book(
    path: &std::path::Path,
    receptions: usize,
    seed: u64,
) -> Result<DemoSummary> {
    let mut book = Book::create(path, "DL", "东岭村人大代表联络站", BookKind::Station)?;
    fill(&mut book, &DemoOptions { receptions, seed }, |_, _| {})
}

/// Fills a book made by `init` with the demo town. `progress(done, total)` is called after each
/// batch of receptions. Refuses a book that already holds a roster or cases.
///
/// The story ends at the start of today (station time), so the same seed on the same day gives
/// the same book, ids included.
pub fn fill(
    book: &mut Book,
    options: &DemoOptions,
    progress: impl FnMut(usize, usize),
) -> Result<DemoSummary> {
    if !book.deputies()?.is_empty() || book.log_heads()?.iter().any(|(_, seq)| *seq > 0) {
        return Err(Error::refused(
            ErrorKind::AlreadyExists,
            "演示数据只能填入新建的空台账：这本台账已有名册或案件",
        ));
    }
    let midnight = china_today().and_hms_opt(0, 0, 0).unwrap_or_default();
    let cutoff = midnight
        .and_local_timezone(CHINA)
        .single()
        .unwrap_or_else(china_now);
    let cutoff_millis = cutoff.timestamp_millis();
    let mut id_rng = ChaCha8Rng::seed_from_u64(options.seed ^ 0x6c69_6169_736f_6e21);
    book.set_id_source(Some(Box::new(move |millis| {
        let mut random = [0u8; 10];
        id_rng.fill_bytes(&mut random);
        let millis = u64::try_from(millis.min(cutoff_millis)).unwrap_or(0);
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    })));
    let filled = fill_until(book, options, cutoff, progress);
    book.set_id_source(None);
    filled
}

fn fill_until(
    book: &mut Book,
    options: &DemoOptions,
    cutoff: DateTime<FixedOffset>,
    mut progress: impl FnMut(usize, usize),
) -> Result<DemoSummary> {
    let mut town = Town::new(book, TownData::load()?, options.seed, cutoff);
    let roster = town.roster(book.origin().kind);
    let mut summary = DemoSummary::default();
    let imported = book.import_roster(&roster)?;
    summary.grids = imported.grids;
    summary.stations = imported.stations;
    summary.deputies = imported.deputies;
    summary.duty = imported.duty;
    town.load_deputies(book)?;

    // About 60 receptions a day, over at least a year; a book too large for that to start after
    // 2000 (the earliest reception time accepted) gets more a day instead (a million: about 110).
    let window_days = (options.receptions as i64 / 60).clamp(365, MAX_WINDOW_DAYS);
    let start = cutoff - TimeDelta::days(window_days);
    let mut done = 0;
    while done < options.receptions {
        let batch = BATCH.min(options.receptions - done);
        book.write(|writer| {
            for i in done..done + batch {
                let offset = window_days as f64 * i as f64 / options.receptions as f64;
                let day = start + TimeDelta::seconds((offset * 86_400.0) as i64);
                town.reception(writer, day, &mut summary)?;
            }
            Ok(())
        })?;
        done += batch;
        progress(done, options.receptions);
    }
    Ok(summary)
}

/// The demo generator's state.
struct Town {
    data: Rc<TownData>,
    rng: ChaCha8Rng,
    /// The story's end: nothing happens at or after it.
    now: DateTime<FixedOffset>,
    station: String,
    station_name: String,
    committee: usize,
    local_deputies: Vec<Uuid>,
    mediators: Vec<Uuid>,
}

impl Town {
    fn new(book: &Book, data: TownData, seed: u64, now: DateTime<FixedOffset>) -> Town {
        let station = book.origin().code.clone();
        let committee = data
            .committees
            .iter()
            .position(|c| c.station == station)
            .unwrap_or(0);
        Town {
            data: Rc::new(data),
            rng: ChaCha8Rng::seed_from_u64(seed),
            now,
            station,
            station_name: book.origin().name.clone(),
            committee,
            local_deputies: Vec::new(),
            mediators: Vec::new(),
        }
    }

    fn name(&mut self) -> String {
        let names = &self.data;
        let surname = pick(&mut self.rng, &names.surnames);
        let first = pick(&mut self.rng, &names.given_names);
        if self.rng.random_bool(0.25) {
            format!("{surname}{first}")
        } else {
            let second = pick(&mut self.rng, &names.given_names);
            format!("{surname}{first}{second}")
        }
    }

    fn mobile(&mut self) -> String {
        let second = self.rng.random_range(3..=9);
        format!("1{second}{:09}", self.rng.random_range(0..1_000_000_000u32))
    }

    /// A valid 18-digit ID number (fictional area code 449901).
    fn id_number(&mut self, age: u8) -> Result<String> {
        let born = self.now.date_naive()
            - TimeDelta::days(i64::from(age) * 365 + self.rng.random_range(0..365));
        let body = format!(
            "449901{}{:03}",
            born.format("%Y%m%d"),
            self.rng.random_range(0..1000)
        );
        let check = id_check_digit(&body).ok_or_else(|| {
            Error::Internal(format!(
                "演示数据无法生成身份证号码：前17位“{body}”不是17位数字"
            ))
        })?;
        Ok(format!("{body}{check}"))
    }

    fn roster(&mut self, kind: BookKind) -> RosterFile {
        let data = Rc::clone(&self.data);
        let town = &data.town;
        let mut roster = RosterFile::default();
        roster.grids.push(GridInput {
            code: "C".into(),
            name: format!("{town}中心网格"),
            level: GridLevel::Center,
            parent: None,
            committees: Vec::new(),
        });
        for (i, area) in data.areas.iter().enumerate() {
            roster.grids.push(GridInput {
                code: format!("A{}", i + 1),
                name: format!("{town}{area}片区网格"),
                level: GridLevel::Area,
                parent: Some("C".into()),
                committees: data
                    .committees
                    .iter()
                    .filter(|c| c.area == i)
                    .map(|c| c.name.clone())
                    .collect(),
            });
        }
        let mut base = 0;
        for (i, committee) in data.committees.iter().enumerate() {
            let (name, area) = (&committee.name, committee.area);
            let parts: &[&str] = if i < 7 { &["第一", "第二"] } else { &[""] };
            for part in parts {
                base += 1;
                roster.grids.push(GridInput {
                    code: format!("B{base:02}"),
                    name: format!("{name}{part}网格"),
                    level: GridLevel::Base,
                    parent: Some(format!("A{}", area + 1)),
                    committees: vec![name.clone()],
                });
            }
        }
        let own_is_demo = data.committees.iter().any(|c| c.station == self.station)
            || self.station == "ZX"
            || (1..=data.areas.len()).any(|i| self.station == format!("P{i}"));
        let mut stations = vec![(
            "ZX".to_owned(),
            format!("{town}人大代表中心联络站"),
            GridLevel::Center,
            "C".to_owned(),
        )];
        for (i, area) in data.areas.iter().enumerate() {
            stations.push((
                format!("P{}", i + 1),
                format!("{town}{area}片区人大代表联络站"),
                GridLevel::Area,
                format!("A{}", i + 1),
            ));
        }
        for (i, committee) in data.committees.iter().enumerate() {
            let name = &committee.name;
            let replaced_by_own = !own_is_demo && i == self.committee && kind == BookKind::Station;
            let code = if replaced_by_own {
                self.station.clone()
            } else {
                committee.station.clone()
            };
            stations.push((
                code,
                format!("{name}人大代表联络站"),
                GridLevel::Base,
                grid_of_committee(i),
            ));
        }
        if !own_is_demo && kind == BookKind::Town {
            stations[0].0 = self.station.clone();
        }
        for (code, name, level, grid) in stations {
            let name = if code == self.station {
                self.station_name.clone()
            } else {
                name
            };
            roster.stations.push(StationInput {
                phone: Some(format!("0750-55{:05}", self.rng.random_range(0..100_000))),
                address: Some(format!("{town}{}", name.trim_end_matches("人大代表联络站"))),
                code,
                name,
                level,
                grid: Some(grid),
                // The demo's mediations keep the numbers by station code that its tests and
                // screenshots show; a town's roster names its committees.
                committee: None,
            });
        }
        let mut names = std::collections::BTreeSet::new();
        let mut deputies = 0;
        while deputies < 86 {
            let name = self.name();
            if name.chars().count() < 2 || !names.insert(name.clone()) {
                continue;
            }
            let congress = match deputies {
                0..6 => CongressLevel::City,
                6..28 => CongressLevel::County,
                _ => CongressLevel::Town,
            };
            // The book's own station gets one deputy in eight, so its receptions have a team.
            let committee = if deputies % 8 == 0 {
                self.committee
            } else {
                deputies % data.committees.len()
            };
            // After the centre's station and one per area.
            let station = &roster.stations[1 + data.areas.len() + committee];
            roster.deputies.push(DeputyInput {
                id: None,
                name,
                congress,
                grid: station.grid.clone(),
                station: Some(station.code.clone()),
                phone: Some(self.mobile()),
                mediator_since: self
                    .rng
                    .random_bool(0.35)
                    .then(|| NaiveDate::from_ymd_opt(2023, 3, 1))
                    .flatten(),
                active: true,
            });
            deputies += 1;
        }
        let own = self.station.clone();
        let team: Vec<String> = roster
            .deputies
            .iter()
            .filter(|d| d.station.as_deref() == Some(own.as_str()))
            .map(|d| d.name.clone())
            .collect();
        if !team.is_empty() {
            let today = self.now.date_naive();
            for offset in -28..=14 {
                let date = today + TimeDelta::days(offset);
                if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
                    continue;
                }
                let first = team[(offset.rem_euclid(team.len() as i64)) as usize].clone();
                let second = team[((offset + 1).rem_euclid(team.len() as i64)) as usize].clone();
                let mut on_duty = vec![first];
                if second != on_duty[0] {
                    on_duty.push(second);
                }
                roster.duty.push(DutyInput {
                    station: own.clone(),
                    date,
                    from: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
                    to: NaiveTime::from_hms_opt(12, 0, 0).unwrap_or_default(),
                    deputies: on_duty,
                });
            }
        }
        roster
    }

    fn load_deputies(&mut self, book: &Book) -> Result<()> {
        for listing in book.deputies()? {
            let deputy = listing.deputy;
            if deputy.station.as_deref() == Some(self.station.as_str()) {
                self.local_deputies.push(deputy.id);
            }
            if deputy.mediator_since.is_some() {
                self.mediators.push(deputy.id);
            }
        }
        if self.local_deputies.is_empty() {
            self.local_deputies = self.mediators.clone();
        }
        Ok(())
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        pick(&mut self.rng, items)
    }

    fn visitor(&mut self, village: &str, representative: bool) -> Result<Visitor> {
        let age = self.rng.random_range(22..=82);
        Ok(Visitor {
            name: Some(self.name()),
            sex: Some(if self.rng.random_bool(0.5) {
                Sex::Male
            } else {
                Sex::Female
            }),
            age: Some(age),
            phone: self.rng.random_bool(0.85).then(|| self.mobile()),
            id_number: self
                .rng
                .random_bool(0.3)
                .then(|| self.id_number(age))
                .transpose()?,
            address: Some(format!(
                "{village}第{}村民小组",
                self.rng.random_range(1..=12)
            )),
            representative,
        })
    }

    /// One reception and whatever of its life has already happened by now.
    fn reception(
        &mut self,
        writer: &mut Writer<'_>,
        day: DateTime<FixedOffset>,
        summary: &mut DemoSummary,
    ) -> Result<()> {
        let minutes = self.rng.random_range(8 * 60 + 30..17 * 60 + 30);
        let midnight = day.date_naive().and_hms_opt(0, 0, 0).unwrap_or_default();
        let mut received_at = midnight.and_local_timezone(CHINA).single().unwrap_or(day)
            + TimeDelta::minutes(minutes);
        if received_at >= self.now {
            received_at = self.now - TimeDelta::minutes(self.rng.random_range(5..240));
        }
        let data = Rc::clone(&self.data);
        let village = data.committees[self.committee].name.as_str();
        let (topic, text) = topic(&mut self.rng, &data.topics);
        let (category, request) = (topic.category.as_str(), &text.request);
        let group = format!("第{}村民小组", self.rng.random_range(1..=12));
        let detail = self.pick(&data.details);
        let matter = text
            .matter
            .replace("{v}", village)
            .replace("{g}", &group)
            .replace("{x}", detail);
        let collective = self.rng.random_bool(0.06);
        let visitors: Vec<Visitor> = if collective {
            (0..self.rng.random_range(2..=3))
                .map(|_| self.visitor(village, true))
                .collect::<Result<_>>()?
        } else {
            (0..if self.rng.random_bool(0.9) { 1 } else { 2 })
                .map(|_| self.visitor(village, false))
                .collect::<Result<_>>()?
        };
        let head_count = collective.then(|| self.rng.random_range(5..=30));
        let channel = match self.rng.random_range(0..100) {
            0..50 => Channel::StationVisit,
            50..75 => Channel::GridVisit,
            75..87 => Channel::Phone,
            87..97 => Channel::Wechat,
            _ => Channel::Letter,
        };
        let mut deputies = vec![self.pick(&self.local_deputies.clone()).to_string()];
        if self.rng.random_bool(0.4) {
            let second = self.pick(&self.local_deputies.clone()).to_string();
            if second != deputies[0] {
                deputies.push(second);
            }
        }
        let subcategory = (matter.contains("出嫁")).then(|| "出嫁女土地权益".to_owned());
        let input = ReceptionInput {
            received_at,
            channel,
            deputies: deputies.clone(),
            visitors,
            head_count,
            kind: None,
            category: category.to_owned(),
            subcategory,
            matter,
            request: request.clone(),
            proposed_handling: Some("登记后交有关部门办理，按期答复".into()),
            place: Some(if channel == Channel::GridVisit {
                format!("{village}{group}")
            } else {
                self.station_name.clone()
            }),
            grid: None,
            reply_due: None,
            confidential: self.rng.random_bool(0.03),
            consent: true,
        };
        let added = writer.add_reception(input)?;
        summary.receptions += 1;
        let deputy = deputies[0].clone();
        self.timeline(
            writer,
            &added.case_no,
            category,
            received_at,
            &deputy,
            summary,
        )
    }

    fn event(
        &mut self,
        writer: &mut Writer<'_>,
        case_no: &str,
        at: DateTime<FixedOffset>,
        deputy: &str,
        kind: CaseEventKind,
        summary: &mut DemoSummary,
    ) -> Result<bool> {
        if at > self.now {
            return Ok(false);
        }
        let input = CaseEventInput {
            at: Some(at),
            deputy: Some(deputy.to_owned()),
            note: None,
            kind,
        };
        writer.add_case_event(case_no, input)?;
        summary.case_events += 1;
        Ok(true)
    }

    fn timeline(
        &mut self,
        writer: &mut Writer<'_>,
        case_no: &str,
        category: &str,
        received_at: DateTime<FixedOffset>,
        deputy: &str,
        summary: &mut DemoSummary,
    ) -> Result<()> {
        let mut at = received_at;
        let path = self.rng.random_range(0..100);
        if path < 4 {
            let when = advance(&mut self.rng, &mut at, 0..=0);
            let kind = CaseEventKind::NotAccepted {
                reason: "该事项已进入诉讼程序".into(),
                route: "已告知依法通过诉讼途径解决".into(),
            };
            self.event(writer, case_no, when, deputy, kind, summary)?;
            return Ok(());
        }
        if path < 19 {
            let when = advance(&mut self.rng, &mut at, 0..=0);
            let kind = CaseEventKind::AnsweredOnSpot {
                answer: "已当场解释有关政策，来访人表示理解".into(),
            };
            if self.event(writer, case_no, when, deputy, kind, summary)? {
                let when = advance(&mut self.rng, &mut at, 0..=2);
                self.event(
                    writer,
                    case_no,
                    when,
                    deputy,
                    CaseEventKind::Closed,
                    summary,
                )?;
            }
            return Ok(());
        }
        if path < 24 {
            let when = advance(&mut self.rng, &mut at, 0..=1);
            if path < 22 {
                self.event(
                    writer,
                    case_no,
                    when,
                    deputy,
                    CaseEventKind::Accepted,
                    summary,
                )?;
            }
            return Ok(());
        }
        let when = advance(&mut self.rng, &mut at, 0..=1);
        if !self.event(
            writer,
            case_no,
            when,
            deputy,
            CaseEventKind::Accepted,
            summary,
        )? {
            return Ok(());
        }
        let handled = if path < 30 {
            let when = advance(&mut self.rng, &mut at, 1..=5);
            if !self.event(
                writer,
                case_no,
                when,
                deputy,
                CaseEventKind::ToCouncil,
                summary,
            )? {
                return Ok(());
            }
            let meeting_at = advance(&mut self.rng, &mut at, 3..=10);
            self.meeting(writer, case_no, category, meeting_at, deputy, summary)?
        } else if path < 38 {
            let when = advance(&mut self.rng, &mut at, 1..=3);
            self.mediation(writer, case_no, category, when, summary)?
        } else {
            self.referral(writer, case_no, &mut at, deputy, summary)?
        };
        if !handled {
            return Ok(());
        }
        let when = advance(&mut self.rng, &mut at, 1..=3);
        if !self.event(
            writer,
            case_no,
            when,
            deputy,
            CaseEventKind::FedBack,
            summary,
        )? {
            return Ok(());
        }
        let satisfaction = match self.rng.random_range(0..100) {
            0..70 => Satisfaction::Satisfied,
            70..92 => Satisfaction::BasicallySatisfied,
            _ => Satisfaction::Dissatisfied,
        };
        let when = advance(&mut self.rng, &mut at, 3..=10);
        if !self.event(
            writer,
            case_no,
            when,
            deputy,
            CaseEventKind::FollowUp {
                satisfaction,
                deputy_satisfaction: Some(satisfaction),
            },
            summary,
        )? {
            return Ok(());
        }
        if satisfaction == Satisfaction::Dissatisfied {
            if !self.referral(writer, case_no, &mut at, deputy, summary)? {
                return Ok(());
            }
            let when = advance(&mut self.rng, &mut at, 1..=3);
            if !self.event(
                writer,
                case_no,
                when,
                deputy,
                CaseEventKind::FedBack,
                summary,
            )? {
                return Ok(());
            }
            let when = advance(&mut self.rng, &mut at, 3..=7);
            let kind = CaseEventKind::FollowUp {
                satisfaction: Satisfaction::BasicallySatisfied,
                deputy_satisfaction: Some(Satisfaction::Satisfied),
            };
            if !self.event(writer, case_no, when, deputy, kind, summary)? {
                return Ok(());
            }
        }
        let when = advance(&mut self.rng, &mut at, 1..=5);
        self.event(
            writer,
            case_no,
            when,
            deputy,
            CaseEventKind::Closed,
            summary,
        )?;
        Ok(())
    }

    /// Refers the case and records the reply; `false` when the story reaches today first.
    fn referral(
        &mut self,
        writer: &mut Writer<'_>,
        case_no: &str,
        at: &mut DateTime<FixedOffset>,
        deputy: &str,
        summary: &mut DemoSummary,
    ) -> Result<bool> {
        *at += TimeDelta::days(self.rng.random_range(0..=2)) + TimeDelta::minutes(30);
        let data = Rc::clone(&self.data);
        let to = self.pick(&data.departments).clone();
        let deadline = at.date_naive() + TimeDelta::days(15);
        if !self.event(
            writer,
            case_no,
            *at,
            deputy,
            CaseEventKind::Referred {
                to: to.clone(),
                deadline,
            },
            summary,
        )? {
            return Ok(false);
        }
        let reply_days = if self.rng.random_bool(0.15) {
            self.rng.random_range(16..=30)
        } else {
            self.rng.random_range(3..=14)
        };
        if reply_days > 12 {
            let chase_at = *at + TimeDelta::days(12);
            self.event(
                writer,
                case_no,
                chase_at,
                deputy,
                CaseEventKind::Chased {
                    unit: None,
                    by: None,
                    deadline: None,
                },
                summary,
            )?;
        }
        *at += TimeDelta::days(reply_days);
        let kind = CaseEventKind::ReplyReceived {
            from: Some(to),
            content: "已现场核查，正在按程序处理，预计近期办结".into(),
        };
        self.event(writer, case_no, *at, deputy, kind, summary)
    }

    fn meeting(
        &mut self,
        writer: &mut Writer<'_>,
        case_no: &str,
        category: &str,
        held_at: DateTime<FixedOffset>,
        deputy: &str,
        summary: &mut DemoSummary,
    ) -> Result<bool> {
        if held_at > self.now {
            return Ok(false);
        }
        let expected = self.rng.random_range(25..=45);
        let quorate = self.rng.random_bool(0.9);
        let minimum = QuorumRule::default().minimum_present(expected);
        let present = if quorate {
            self.rng.random_range(minimum..=expected)
        } else {
            self.rng.random_range(expected / 3..minimum)
        };
        let in_favour = self.rng.random_range(present / 2..=present);
        let against = self.rng.random_range(0..=(present - in_favour));
        let abstain = present - in_favour - against;
        // A land matter (出嫁女分红) goes to the villagers' representatives, needs two thirds of
        // all of them, and its corrected text is voted again (the same tally: no new draw, so
        // the demo's other records stay as they were).
        let land_rights = category == "山林土地";
        let votes = Votes {
            in_favour,
            against,
            abstain,
        };
        let rights_review = land_rights.then(|| RightsReview {
            infringes: true,
            note: Some("原方案取消出嫁女分红资格，侵害其合法财产权益".into()),
            correction: Some("修改为出嫁女户口在本村的，与其他村民同等享受分红".into()),
            revote: Some(votes),
        });
        let village = self.data.committees[self.committee].name.clone();
        let input = MeetingInput {
            kind: land_rights.then_some(MeetingKind::Representatives),
            households_expected: None,
            households_present: None,
            published_place: Some(format!("{village}村务公开栏")),
            village: village.clone(),
            held_at,
            place: format!("{village}村委会议室"),
            host: self.name(),
            recorder: self.name(),
            deputies: vec![deputy.to_owned()],
            expected,
            present,
            quorum: None,
            items: vec![AgendaItemInput {
                title: format!("关于{case_no}号群众诉求的处理方案"),
                case_no: Some(case_no.to_owned()),
                topic: land_rights.then_some(ItemTopic::IncomeDistribution),
                approval: land_rights.then_some(Approval::TwoThirdsOfAll),
                discussion: Some("与会村民代表充分讨论，代表介绍了有关法律政策".into()),
                votes,
                method: Some(if self.rng.random_bool(0.7) {
                    VoteMethod::ShowOfHands
                } else {
                    VoteMethod::SecretBallot
                }),
                resolution: Some("按讨论通过的方案办理，并予以公示".into()),
                rights_review,
            }],
            published_from: Some(held_at.date_naive() + TimeDelta::days(1)),
            published_to: Some(held_at.date_naive() + TimeDelta::days(7)),
        };
        writer.add_meeting(input)?;
        summary.meetings += 1;
        Ok(true)
    }

    fn mediation(
        &mut self,
        writer: &mut Writer<'_>,
        case_no: &str,
        category: &str,
        accepted_at: DateTime<FixedOffset>,
        summary: &mut DemoSummary,
    ) -> Result<bool> {
        if accepted_at > self.now {
            return Ok(false);
        }
        let data = Rc::clone(&self.data);
        let village = data.committees[self.committee].name.as_str();
        let party = |town: &mut Town, role| -> Result<Party> {
            let visitor = town.visitor(village, false)?;
            Ok(Party {
                role,
                name: visitor.name.unwrap_or_default(),
                sex: visitor.sex,
                age: visitor.age,
                phone: visitor.phone,
                id_number: visitor.id_number,
                address: visitor.address,
                ethnicity: Some("汉族".into()),
                occupation: None,
                agent: None,
            })
        };
        let parties = vec![
            party(self, PartyRole::Applicant)?,
            party(self, PartyRole::Respondent)?,
        ];
        let mut mediators = Vec::new();
        if !self.mediators.is_empty() {
            mediators.push(MediatorInput::Deputy(
                self.pick(&self.mediators.clone()).to_string(),
            ));
        }
        mediators.push(MediatorInput::Other(OtherMediator {
            name: format!("{}（村调委会）", self.name()),
        }));
        let input = MediationInput {
            case_no: Some(case_no.to_owned()),
            source: if self.rng.random_bool(0.6) {
                MediationSource::Transferred
            } else {
                MediationSource::Application
            },
            dispute_type: category.to_owned(),
            dispute_subtype: None,
            accepted_at: Some(accepted_at),
            summary: "双方因上述事项发生纠纷，经代表联络站转入人民调解".into(),
            parties,
            mediators,
            consent: true,
            agreed_to_mediation: true,
        };
        let participants = input.parties.iter().map(|p| p.name.clone()).collect();
        let added = writer.add_mediation(input)?;
        summary.mediations += 1;
        summary.case_events += 1;
        let mut at = accepted_at + TimeDelta::days(self.rng.random_range(1..=5));
        // The rights notice is handed over at the intake (人民调解法 Arts. 23 and 24).
        let notified = MediationEventKind::RightsNotified {};
        let notified_at = accepted_at + TimeDelta::minutes(10);
        if !self.mediation_event(writer, &added.number, notified_at, notified, summary)? {
            return Ok(false);
        }
        let session = MediationEventKind::Session {
            place: format!("{village}人民调解室"),
            statements: "申请人陈述了诉求及理由，被申请人陈述了答辩意见".into(),
            facts: Some("经调查核实，双方陈述的基本事实属实".into()),
            outcome: Some("双方同意在调解员主持下继续协商".into()),
            participants,
            recorder: None,
        };
        if !self.mediation_event(writer, &added.number, at, session, summary)? {
            return Ok(false);
        }
        at += TimeDelta::days(self.rng.random_range(1..=20));
        let roll = self.rng.random_range(0..100);
        let result = match roll {
            0..70 => MediationResult::SucceededWritten,
            70..80 => MediationResult::SucceededOral,
            80..92 => MediationResult::Failed,
            _ => MediationResult::Terminated,
        };
        if result == MediationResult::SucceededWritten {
            let agreement = MediationEventKind::Agreement {
                facts: "双方因上述事项产生争议，经调解员多次调解".into(),
                responsibilities: "双方对纠纷的发生均负有一定责任".into(),
                terms: "被申请人于履行期限内一次性支付申请人补偿款，双方不再就此事发生争执".into(),
                performance_method: "现金或银行转账".into(),
                performance_deadline: at.date_naive() + TimeDelta::days(30),
                performance_place: format!("{village}村委会"),
                amount_yuan: Some(self.rng.random_range(5..=300) * 100),
                copies: None,
            };
            if !self.mediation_event(writer, &added.number, at, agreement, summary)? {
                return Ok(false);
            }
        }
        let routes = (result == MediationResult::Failed)
            .then(|| "已告知当事人可依法向人民法院提起诉讼".to_owned());
        let oral_terms = (result == MediationResult::SucceededOral)
            .then(|| "被申请人当场向申请人赔礼道歉，双方不再就此事发生争执".to_owned());
        let result_event = MediationEventKind::Result {
            result,
            routes,
            oral_terms,
        };
        if !self.mediation_event(
            writer,
            &added.number,
            at + TimeDelta::minutes(30),
            result_event,
            summary,
        )? {
            return Ok(false);
        }
        if result == MediationResult::SucceededWritten && self.rng.random_bool(0.3) {
            at += TimeDelta::days(self.rng.random_range(1..=10));
            let applied = at;
            let confirmation = MediationEventKind::JudicialConfirmation {
                applied_on: applied.date_naive(),
                court: "县人民法院".into(),
                result: ConfirmationResult::Confirmed,
            };
            self.mediation_event(writer, &added.number, applied, confirmation, summary)?;
        }
        if result.is_success() {
            let performed = at + TimeDelta::days(self.rng.random_range(1..=20));
            let performance = MediationEventKind::Performance {
                performance: Performance::Full,
            };
            self.mediation_event(writer, &added.number, performed, performance, summary)?;
        }
        Ok(true)
    }

    fn mediation_event(
        &mut self,
        writer: &mut Writer<'_>,
        number: &str,
        at: DateTime<FixedOffset>,
        kind: MediationEventKind,
        summary: &mut DemoSummary,
    ) -> Result<bool> {
        if at > self.now {
            return Ok(false);
        }
        let input = MediationEventInput {
            at: Some(at),
            deputy: None,
            note: None,
            kind,
        };
        writer.add_mediation_event(number, input)?;
        summary.mediation_events += 1;
        Ok(true)
    }
}

/// One of `items`, at random.
fn pick<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T]) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// A dispute type by its weight, and one of its texts.
fn topic<'a>(rng: &mut ChaCha8Rng, topics: &'a [Topic]) -> (&'a Topic, &'a TopicText) {
    let total: u32 = topics.iter().map(|t| t.weight).sum();
    let mut roll = rng.random_range(0..total);
    for topic in topics {
        if roll < topic.weight {
            return (topic, pick(rng, &topic.texts));
        }
        roll -= topic.weight;
    }
    (&topics[0], &topics[0].texts[0])
}

/// Moves a story's clock on by some days and minutes.
fn advance(
    rng: &mut ChaCha8Rng,
    at: &mut DateTime<FixedOffset>,
    days: std::ops::RangeInclusive<i64>,
) -> DateTime<FixedOffset> {
    *at += TimeDelta::days(rng.random_range(days)) + TimeDelta::minutes(rng.random_range(10..300));
    *at = office_hours(*at, rng);
    *at
}

/// The same moment if it falls in office hours, else a morning time the next working day.
fn office_hours(at: DateTime<FixedOffset>, rng: &mut ChaCha8Rng) -> DateTime<FixedOffset> {
    use chrono::Timelike;
    if (8..18).contains(&at.hour()) {
        return at;
    }
    let day = if at.hour() >= 18 {
        at.date_naive() + TimeDelta::days(1)
    } else {
        at.date_naive()
    };
    let morning = day.and_hms_opt(8, 30, 0).unwrap_or_default()
        + TimeDelta::minutes(rng.random_range(0..180));
    morning.and_local_timezone(CHINA).single().unwrap_or(at)
}

/// Code of the (first) base grid of committee `index`.
fn grid_of_committee(index: usize) -> String {
    let base = if index < 7 { index * 2 + 1 } else { index + 8 };
    format!("B{base:02}")
}
