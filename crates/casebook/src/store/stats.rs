//! Statistics over a date range: what the weekly report and the town's monthly figures need.

use std::collections::HashMap;

use chrono::{NaiveDate, TimeDelta};
use rusqlite::params;
use serde::Serialize;

use super::apply::decode;
use super::{Book, BookKind};
use crate::domain::*;
use crate::error::{Error, Result};
use crate::time::china_today;

/// A count under a key, with the label the deputy reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Count {
    /// Stable key (status name, category, grid code, deputy id).
    pub key: String,
    /// What the deputy reads.
    pub label: String,
    /// How many.
    pub count: i64,
}

/// Follow-up satisfaction of cases.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SatisfactionStats {
    /// 满意
    pub satisfied: i64,
    /// 基本满意
    pub basically_satisfied: i64,
    /// 不满意
    pub dissatisfied: i64,
    /// (satisfied + basically) / all followed up; `None` with no follow-ups.
    pub rate: Option<f64>,
}

/// Mediation figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MediationStats {
    /// Files accepted in the range.
    pub accepted: i64,
    /// Succeeded (written or oral).
    pub succeeded: i64,
    /// Failed.
    pub failed: i64,
    /// Terminated.
    pub terminated: i64,
    /// Still open.
    pub open: i64,
    /// Open for more than one month.
    pub overdue: i64,
    /// succeeded / (succeeded + failed + terminated); `None` before any result.
    pub success_rate: Option<f64>,
    /// Applications for judicial confirmation.
    pub judicial_confirmations_applied: i64,
    /// Confirmed by a court.
    pub judicial_confirmations_confirmed: i64,
}

/// One row of the Ministry of Justice's mediation statistics: the files of one dispute type
/// accepted in the range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DisputeTypeRow {
    /// The dispute type (纠纷类型).
    pub dispute_type: String,
    /// 受理
    pub accepted: i64,
    /// 调解成功 (written or oral).
    pub succeeded: i64,
    /// 履行: the latest performance recorded is full.
    pub performed: i64,
    /// 司法确认: confirmed by a court.
    pub judicially_confirmed: i64,
    /// 涉及金额 in yuan: the latest agreement's amount.
    pub amount_yuan: u64,
}

/// A deputy's work in the range (履职档案).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DeputyRecord {
    /// Deputy id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Station code.
    pub station: Option<String>,
    /// Congress label (市/县/镇人大代表).
    pub congress: &'static str,
    /// Receptions received (the same count as `by_deputy`).
    pub receptions: i64,
    /// Days on the duty roster.
    pub duty_days: i64,
    /// Cases the deputy received that are closed now, whose latest 办结 falls in the range
    /// (跟踪办结, as in the deputy's file).
    pub concluded: i64,
    /// Mediation files accepted in the range with the deputy as a mediator.
    pub mediations: i64,
    /// Meetings held in the range with the deputy among the deputies present, or hosted by the
    /// deputy (the host's name is the deputy's).
    pub meetings: i64,
    /// Reports to the voters (向选民述职) dated in the range.
    pub reports_to_voters: i64,
    /// Trainings (培训) dated in the range.
    pub trainings: i64,
    /// Voters' satisfaction with the deputy, asked at the follow-up visits (in the range) of
    /// the cases the deputy received: 满意.
    pub satisfied: i64,
    /// 基本满意.
    pub basically_satisfied: i64,
    /// 不满意.
    pub dissatisfied: i64,
}

/// Meeting figures: every kind together, and each kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MeetingStats {
    /// Meetings held.
    pub held: i64,
    /// Of which with a quorum.
    pub quorate: i64,
    /// Each kind (村民会议, 村民代表会议, 村民小组会议, 民主议事会), all four in order, zero
    /// rows kept.
    pub by_kind: Vec<MeetingKindRow>,
}

/// The meetings of one kind.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct MeetingKindRow {
    /// `villagers_assembly`, `representatives`, `group`, `council`.
    pub key: String,
    /// What the deputy reads.
    pub label: String,
    /// Held.
    pub held: i64,
    /// Of which with a quorum.
    pub quorate: i64,
}

/// Deputies' suggestions drafted in the range, with where their life stands now.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SuggestionStats {
    /// Drafted in the range.
    pub drafted: i64,
    /// By category, in the order of the classes of deputies' suggestions; zero rows left out.
    pub by_category: Vec<Count>,
    /// Of them handed in.
    pub submitted: i64,
    /// Of them answered.
    pub answered: i64,
    /// The latest answer's class (A, B, C); zero rows left out.
    pub by_class: Vec<Count>,
    /// The lead's opinion of the latest answer: 满意.
    pub satisfied: i64,
    /// 基本满意.
    pub basically_satisfied: i64,
    /// 不满意.
    pub dissatisfied: i64,
    /// An assignment's deadline passed without an answer.
    pub overdue: i64,
}

/// What `casebook stats` prints.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Stats {
    /// The station counted, or all.
    pub station: Option<String>,
    /// First day counted.
    pub from: Option<NaiveDate>,
    /// Last day counted.
    pub to: Option<NaiveDate>,
    /// Receptions.
    pub receptions: i64,
    /// People received (head counts).
    pub people: i64,
    /// Collective visits (≥ 5 people).
    pub collective_visits: i64,
    /// By what the visitor came with (dispute, suggestion, …); zero rows left out.
    pub by_kind: Vec<Count>,
    /// The disputes by dispute type, in the statistics' order; zero rows left out.
    pub by_category: Vec<Count>,
    /// The other receptions by class, in the order of the classes of deputies' suggestions;
    /// zero rows left out.
    pub by_suggestion_category: Vec<Count>,
    /// By status.
    pub by_status: Vec<Count>,
    /// By channel.
    pub by_channel: Vec<Count>,
    /// By grid.
    pub by_grid: Vec<Count>,
    /// By receiving deputy.
    pub by_deputy: Vec<Count>,
    /// Awaiting an answer past the due date.
    pub overdue: i64,
    /// Satisfaction.
    pub satisfaction: SatisfactionStats,
    /// Mediation.
    pub mediation: MediationStats,
    /// Meetings.
    pub meetings: MeetingStats,
    /// Deputies' suggestions drafted in the range.
    pub suggestions: SuggestionStats,
    /// The Ministry of Justice's mediation table: one row per dispute type, all 19 in order,
    /// zero rows kept (the printed form lists every type). Made in the same pass as
    /// `mediation`, so its columns add up to those figures.
    pub mediation_by_type: Vec<DisputeTypeRow>,
    /// Every serving deputy (of the station, with `station`) and anyone else with work in the
    /// range, in roster order.
    pub deputies: Vec<DeputyRecord>,
}

/// The text bounds of `from..=to` in station time, for `column >= start AND column < end` on
/// stored times and dates: what every count over a range uses, so figures agree.
pub fn day_bounds(from: Option<NaiveDate>, to: Option<NaiveDate>) -> (String, String) {
    let start = from.map_or_else(|| "0000".to_owned(), |d| d.to_string());
    let end = to.map_or_else(
        || "9999".to_owned(),
        |d| (d + TimeDelta::days(1)).to_string(),
    );
    (start, end)
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

/// One mediation file as the figures fold it: its type, when it was accepted and its events in
/// order.
#[derive(Debug, Clone)]
pub struct MediationFile {
    /// 纠纷类型, one of [`DISPUTE_TYPES`].
    pub dispute_type: String,
    /// When it was accepted (RFC 3339).
    pub accepted_at: String,
    /// Its events, oldest first.
    pub events: Vec<MediationEvent>,
}

/// Folds mediation files into the figures and the Ministry of Justice's table (one row per
/// dispute type, all 19 in order), in one pass so that they add up: the one fold of every
/// store (a book's, or a hub's shared store). `today` decides which open files are overdue.
///
/// # Errors
/// `storage` for a dispute type the table does not have.
pub fn fold_mediations(
    files: impl IntoIterator<Item = MediationFile>,
    today: NaiveDate,
) -> Result<(MediationStats, Vec<DisputeTypeRow>)> {
    let mut stats = MediationStats::default();
    let mut by_type: Vec<DisputeTypeRow> = DISPUTE_TYPES
        .iter()
        .map(|t| DisputeTypeRow {
            dispute_type: (*t).to_owned(),
            ..DisputeTypeRow::default()
        })
        .collect();
    for file in files {
        let MediationFile {
            dispute_type,
            accepted_at,
            events,
        } = file;
        let state = MediationState::derive(events.iter().map(|e| (&e.at, &e.kind)));
        let amount = events
            .iter()
            .rev()
            .find_map(|e| match &e.kind {
                MediationEventKind::Agreement { amount_yuan, .. } => Some(*amount_yuan),
                _ => None,
            })
            .flatten()
            .unwrap_or(0);
        let applied = events
            .iter()
            .any(|e| matches!(e.kind, MediationEventKind::JudicialConfirmation { .. }));
        let row = DISPUTE_TYPES
            .iter()
            .position(|t| *t == dispute_type)
            .and_then(|i| by_type.get_mut(i))
            .ok_or_else(|| Error::Corrupt(format!("调解案件的纠纷类型“{dispute_type}”")))?;
        let succeeded = state.result.is_some_and(MediationResult::is_success);
        let performed = state.performance == Some(Performance::Full);
        let confirmed = state.confirmation == Some(ConfirmationResult::Confirmed);
        row.accepted += 1;
        row.succeeded += i64::from(succeeded);
        row.performed += i64::from(performed);
        row.judicially_confirmed += i64::from(confirmed);
        // Amounts are capped at entry and on import; a book from before the cap may hold a
        // larger one, which must not wrap the total or panic.
        row.amount_yuan = row.amount_yuan.saturating_add(amount);
        stats.accepted += 1;
        stats.judicial_confirmations_applied += i64::from(applied);
        stats.judicial_confirmations_confirmed += i64::from(confirmed);
        match state.result {
            Some(result) if result.is_success() => stats.succeeded += 1,
            Some(MediationResult::Failed) => stats.failed += 1,
            Some(_) => stats.terminated += 1,
            None => {
                stats.open += 1;
                let accepted = chrono::DateTime::parse_from_rfc3339(&accepted_at)
                    .map_err(|e| Error::Corrupt(format!("accepted_at {accepted_at}: {e}")))?;
                if mediation_overdue(accepted, &state, today) {
                    stats.overdue += 1;
                }
            }
        }
    }
    stats.success_rate = ratio(
        stats.succeeded,
        stats.succeeded + stats.failed + stats.terminated,
    );
    Ok((stats, by_type))
}

impl Book {
    /// The stations that statistics "of `code`" count: that station; at a county, every
    /// station the town `code` relays.
    fn stations_counted(&self, code: &str) -> Result<Vec<String>> {
        let known: bool = self.conn.query_row(
            "SELECT EXISTS (SELECT 1 FROM stations WHERE code = ?1)",
            [code],
            |row| row.get(0),
        )?;
        if known || code == self.origin().code {
            return Ok(vec![code.to_owned()]);
        }
        if self.origin().kind == BookKind::County && self.peer(code)?.is_some() {
            return self.stations_relayed_by(code);
        }
        Err(crate::Error::invalid(format!("名册中没有站点“{code}”")))
    }

    /// The stations counted for `station` ([`Book::stations_counted`]), and the same as the JSON
    /// array every query of the figures reads (`json_each(?3)`); both `None` for all.
    fn scope(&self, station: Option<&str>) -> Result<(Option<Vec<String>>, Option<String>)> {
        let members = station
            .map(|code| self.stations_counted(code))
            .transpose()?;
        let scope = members
            .as_ref()
            .map(serde_json::to_string)
            .transpose()
            .map_err(|err| Error::Internal(err.to_string()))?;
        Ok((members, scope))
    }

    /// Statistics of receptions received, mediations accepted and meetings held in
    /// `from..=to` (whole days, station time), of one station or all; at a county, of one
    /// town's stations when `station` is a town's code.
    pub fn stats(
        &self,
        station: Option<&str>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Stats> {
        let (members, scope) = self.scope(station)?;
        let requested = station;
        let station = scope.as_deref();
        let (start, end) = day_bounds(from, to);
        let today = china_today().to_string();
        let within = |t: &str| {
            format!(
                "{t}received_at >= ?1 AND {t}received_at < ?2 AND (?3 IS NULL OR {t}station IN (SELECT value FROM json_each(?3)))"
            )
        };
        let range = within("");
        let scalar = |sql: &str| -> Result<i64> {
            Ok(self
                .conn
                .query_row(sql, params![start, end, station], |row| row.get(0))?)
        };
        let grouped = |sql: &str| -> Result<Vec<(String, String, i64)>> {
            let mut select = self.conn.prepare(sql)?;
            let rows = select
                .query_map(params![start, end, station], |row| {
                    Ok((
                        row.get(0)?,
                        row.get::<_, Option<String>>(1)?.unwrap_or_default(),
                        row.get(2)?,
                    ))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(rows)
        };
        let by_key = |column: &str| -> Result<Vec<(String, String, i64)>> {
            grouped(&format!(
                "SELECT {column}, NULL, COUNT(*) FROM receptions WHERE {range} AND {column} IS NOT NULL GROUP BY {column}"
            ))
        };
        let count_of = |rows: &[(String, String, i64)], key: &str| {
            rows.iter().find(|r| r.0 == key).map_or(0, |r| r.2)
        };

        let kinds = by_key("kind")?;
        let by_kind = ReceptionKind::ALL
            .iter()
            .map(|k| Count {
                key: k.as_str().to_owned(),
                label: k.label().to_owned(),
                count: count_of(&kinds, k.as_str()),
            })
            .filter(|c| c.count > 0)
            .collect();
        let categories_of = |disputes: bool, listed: &[&str]| -> Result<Vec<Count>> {
            let rows = grouped(&format!(
                "SELECT category, NULL, COUNT(*) FROM receptions
                 WHERE {range} AND (kind = 'dispute') = {} GROUP BY category",
                i32::from(disputes)
            ))?;
            Ok(listed
                .iter()
                .map(|c| Count {
                    key: (*c).to_owned(),
                    label: (*c).to_owned(),
                    count: count_of(&rows, c),
                })
                .filter(|c| c.count > 0)
                .collect())
        };
        let by_category = categories_of(true, &DISPUTE_TYPES)?;
        let by_suggestion_category = categories_of(false, &SUGGESTION_CATEGORIES)?;
        let statuses = by_key("status")?;
        let by_status = CaseStatus::ALL
            .iter()
            .map(|s| Count {
                key: s.as_str().to_owned(),
                label: s.label().to_owned(),
                count: count_of(&statuses, s.as_str()),
            })
            .filter(|c| c.count > 0)
            .collect();
        let channels = by_key("channel")?;
        let by_channel = Channel::ALL
            .iter()
            .map(|c| Count {
                key: c.as_str().to_owned(),
                label: c.label().to_owned(),
                count: count_of(&channels, c.as_str()),
            })
            .filter(|c| c.count > 0)
            .collect();
        let to_counts = |rows: Vec<(String, String, i64)>| {
            rows.into_iter()
                .map(|(key, label, count)| Count {
                    label: if label.is_empty() { key.clone() } else { label },
                    key,
                    count,
                })
                .collect()
        };
        let by_grid = to_counts(grouped(&format!(
            "SELECT COALESCE(r.grid, ''), g.name, COUNT(*) FROM receptions r
             LEFT JOIN grids g ON g.code = r.grid
             WHERE {} GROUP BY r.grid ORDER BY COUNT(*) DESC, r.grid",
            within("r.")
        ))?);
        let by_deputy: Vec<Count> = to_counts(grouped(&format!(
            "SELECT rd.deputy_id, d.name, COUNT(*) FROM receptions r
             JOIN reception_deputies rd ON rd.reception_rid = r.rid
             LEFT JOIN deputies d ON d.id = rd.deputy_id
             WHERE {} GROUP BY rd.deputy_id ORDER BY COUNT(*) DESC, d.name",
            within("r.")
        ))?);
        let awaiting: Vec<String> = CaseStatus::ALL
            .into_iter()
            .filter(|s| s.awaits_answer())
            .map(|s| format!("'{}'", s.as_str()))
            .collect();
        let satisfactions = by_key("satisfaction")?;
        let satisfied = count_of(&satisfactions, Satisfaction::Satisfied.as_str());
        let basically = count_of(&satisfactions, Satisfaction::BasicallySatisfied.as_str());
        let dissatisfied = count_of(&satisfactions, Satisfaction::Dissatisfied.as_str());

        let (mediation, mediation_by_type) = self.mediation_stats(&start, &end, station)?;
        let meetings = MeetingStats {
            held: scalar(
                "SELECT COUNT(*) FROM meetings
                 WHERE held_at >= ?1 AND held_at < ?2 AND (?3 IS NULL OR station IN (SELECT value FROM json_each(?3)))",
            )?,
            quorate: scalar(
                "SELECT COUNT(*) FROM meetings
                 WHERE held_at >= ?1 AND held_at < ?2 AND (?3 IS NULL OR station IN (SELECT value FROM json_each(?3))) AND quorum_met",
            )?,
            by_kind: self.meetings_by_kind(&start, &end, station)?,
        };
        let deputies =
            self.deputy_records(&start, &end, station, members.as_deref(), &by_deputy)?;
        let suggestions = self.suggestion_stats(&start, &end, station)?;
        Ok(Stats {
            station: requested.map(str::to_owned),
            from,
            to,
            receptions: scalar(&format!("SELECT COUNT(*) FROM receptions WHERE {range}"))?,
            people: scalar(&format!(
                "SELECT COALESCE(SUM(head_count), 0) FROM receptions WHERE {range}"
            ))?,
            collective_visits: scalar(&format!(
                "SELECT COUNT(*) FROM receptions WHERE {range} AND head_count >= {COLLECTIVE_VISIT_HEAD_COUNT}"
            ))?,
            by_kind,
            by_category,
            by_suggestion_category,
            by_status,
            by_channel,
            by_grid,
            by_deputy,
            overdue: self.conn.query_row(
                &format!(
                    "SELECT COUNT(*) FROM receptions WHERE {range} AND status IN ({}) AND due < ?4",
                    awaiting.join(", ")
                ),
                params![start, end, station, today],
                |row| row.get(0),
            )?,
            satisfaction: SatisfactionStats {
                satisfied,
                basically_satisfied: basically,
                dissatisfied,
                rate: ratio(satisfied + basically, satisfied + basically + dissatisfied),
            },
            mediation,
            meetings,
            suggestions,
            mediation_by_type,
            deputies,
        })
    }

    /// The suggestions drafted in the range, each with its life folded as it stands today.
    fn suggestion_stats(
        &self,
        start: &str,
        end: &str,
        station: Option<&str>,
    ) -> Result<SuggestionStats> {
        let mut select = self.conn.prepare_cached(
            "SELECT id, category FROM suggestions
             WHERE drafted_at >= ?1 AND drafted_at < ?2 AND (?3 IS NULL OR station IN (SELECT value FROM json_each(?3)))",
        )?;
        let rows = select
            .query_map(params![start, end, station], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let today = china_today();
        let mut stats = SuggestionStats::default();
        let mut categories: HashMap<String, i64> = HashMap::new();
        let mut classes: HashMap<&'static str, i64> = HashMap::new();
        for (id, category) in rows {
            stats.drafted += 1;
            *categories.entry(category).or_default() += 1;
            let events = super::apply::suggestion_events(&self.conn, &id)?;
            let state = SuggestionState::derive(events.iter().map(|e| (&e.at, &e.kind)));
            stats.submitted += i64::from(state.submitted_on.is_some());
            stats.answered += i64::from(state.answered_on.is_some());
            stats.overdue += i64::from(state.overdue(today));
            if let Some(class) = state.answer_class {
                *classes.entry(class.as_str()).or_default() += 1;
            }
            match state.satisfaction {
                Some(Satisfaction::Satisfied) => stats.satisfied += 1,
                Some(Satisfaction::BasicallySatisfied) => stats.basically_satisfied += 1,
                Some(Satisfaction::Dissatisfied) => stats.dissatisfied += 1,
                None => {}
            }
        }
        let known = SUGGESTION_CATEGORIES.map(str::to_owned);
        let mut keys: Vec<String> = known.to_vec();
        let mut others: Vec<String> = categories
            .keys()
            .filter(|key| !known.contains(key))
            .cloned()
            .collect();
        others.sort();
        keys.extend(others);
        stats.by_category = keys
            .into_iter()
            .filter_map(|key| {
                let count = *categories.get(&key)?;
                Some(Count {
                    label: key.clone(),
                    key,
                    count,
                })
            })
            .collect();
        stats.by_class = AnswerClass::ALL
            .into_iter()
            .filter_map(|class| {
                Some(Count {
                    key: class.as_str().to_owned(),
                    label: class.label().to_owned(),
                    count: *classes.get(class.as_str())?,
                })
            })
            .collect();
        Ok(stats)
    }

    /// The mediation figures and the Ministry of Justice's table of `from..=to` (files accepted
    /// in the range), of one station or all (at a county, of one town's stations): what
    /// [`Book::stats`] carries as `mediation` and `mediation_by_type`.
    pub fn mediation_table(
        &self,
        station: Option<&str>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<(MediationStats, Vec<DisputeTypeRow>)> {
        let (_, scope) = self.scope(station)?;
        let (start, end) = day_bounds(from, to);
        self.mediation_stats(&start, &end, scope.as_deref())
    }

    /// Reads every file accepted in the range with its events, in order, for
    /// [`fold_mediations`].
    fn mediation_stats(
        &self,
        start: &str,
        end: &str,
        station: Option<&str>,
    ) -> Result<(MediationStats, Vec<DisputeTypeRow>)> {
        let mut select = self.conn.prepare(
            "SELECT m.id, m.dispute_type, m.accepted_at, e.body FROM mediations m
             LEFT JOIN mediation_events e ON e.mediation_id = m.id
             WHERE m.accepted_at >= ?1 AND m.accepted_at < ?2 AND (?3 IS NULL OR m.station IN (SELECT value FROM json_each(?3)))
             ORDER BY m.id, e.at, e.id",
        )?;
        let rows = select
            .query_map(params![start, end, station], |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(3)?,
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut files = Vec::new();
        let mut rest = rows.as_slice();
        while let Some((id, dispute_type, accepted_at, _)) = rest.first() {
            let end_of_file = rest.iter().position(|r| &r.0 != id).unwrap_or(rest.len());
            let events = rest[..end_of_file]
                .iter()
                .filter_map(|r| r.3.as_deref())
                .map(|body| decode::<MediationEvent>("mediation event", body))
                .collect::<Result<Vec<_>>>()?;
            rest = &rest[end_of_file..];
            files.push(MediationFile {
                dispute_type: dispute_type.clone(),
                accepted_at: accepted_at.clone(),
                events,
            });
        }
        fold_mediations(files, china_today())
    }

    /// Meetings held in the range by kind; a meeting recorded without a kind is a 民主议事会.
    fn meetings_by_kind(
        &self,
        start: &str,
        end: &str,
        station: Option<&str>,
    ) -> Result<Vec<MeetingKindRow>> {
        let mut select = self.conn.prepare(
            "SELECT COALESCE(json_extract(body, '$.kind'), 'council'), COUNT(*),
                    COALESCE(SUM(quorum_met), 0)
             FROM meetings
             WHERE held_at >= ?1 AND held_at < ?2 AND (?3 IS NULL OR station IN (SELECT value FROM json_each(?3)))
             GROUP BY 1",
        )?;
        let rows: HashMap<String, (i64, i64)> = select
            .query_map(params![start, end, station], |row| {
                Ok((row.get(0)?, (row.get(1)?, row.get(2)?)))
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(MeetingKind::ALL
            .iter()
            .map(|kind| {
                let (held, quorate) = rows.get(kind.as_str()).copied().unwrap_or((0, 0));
                MeetingKindRow {
                    key: kind.as_str().to_owned(),
                    label: kind.label().to_owned(),
                    held,
                    quorate,
                }
            })
            .collect())
    }

    /// Each deputy's receptions (`by_deputy`), duty days, cases followed to the end, mediations,
    /// meetings, reports to voters and trainings in the range.
    fn deputy_records(
        &self,
        start: &str,
        end: &str,
        station: Option<&str>,
        members: Option<&[String]>,
        by_deputy: &[Count],
    ) -> Result<Vec<DeputyRecord>> {
        let per_deputy = |sql: &str| -> Result<HashMap<String, i64>> {
            let mut select = self.conn.prepare(sql)?;
            let counts = select
                .query_map(params![start, end, station], |row| {
                    Ok((row.get(0)?, row.get(1)?))
                })?
                .collect::<rusqlite::Result<HashMap<_, _>>>()?;
            Ok(counts)
        };
        let duty_days = per_deputy(
            "SELECT j.value, COUNT(DISTINCT s.date) FROM duty_shifts s, json_each(s.deputies) j
             WHERE s.date >= ?1 AND s.date < ?2 AND (?3 IS NULL OR s.station IN (SELECT value FROM json_each(?3)))
             GROUP BY j.value",
        )?;
        let mediations = per_deputy(
            "SELECT json_extract(j.value, '$.deputy'), COUNT(*)
             FROM mediations m, json_each(m.body, '$.mediators') j
             WHERE m.accepted_at >= ?1 AND m.accepted_at < ?2 AND (?3 IS NULL OR m.station IN (SELECT value FROM json_each(?3)))
               AND json_extract(j.value, '$.deputy') IS NOT NULL
             GROUP BY 1",
        )?;
        let meetings = per_deputy(
            "SELECT d.id, COUNT(*) FROM meetings m JOIN deputies d
               ON EXISTS (SELECT 1 FROM json_each(m.body, '$.deputies') j WHERE j.value = d.id)
                  OR json_extract(m.body, '$.host') = d.name
             WHERE m.held_at >= ?1 AND m.held_at < ?2 AND (?3 IS NULL OR m.station IN (SELECT value FROM json_each(?3)))
             GROUP BY d.id",
        )?;
        let concluded = per_deputy(
            // A closed case counts in the range of its latest 办结: one closed in the range
            // and not again after it. The cases closed in the range come from the index of
            // events by kind (migration 016); whether one was closed again later is asked of
            // that case's own events (`+` keeps SQLite from the kind index there, which would
            // read every later 办结 of the book for each case).
            "SELECT rd.deputy_id, COUNT(*) FROM receptions r
             JOIN reception_deputies rd ON rd.reception_rid = r.rid
             WHERE r.status = 'closed' AND (?3 IS NULL OR r.station IN (SELECT value FROM json_each(?3)))
               AND r.rid IN (SELECT reception_rid FROM case_events
                             WHERE kind = 'closed' AND at >= ?1 AND at < ?2)
               AND NOT EXISTS (SELECT 1 FROM case_events later
                               WHERE later.reception_rid = r.rid AND +later.kind = 'closed'
                                 AND later.at >= ?2)
             GROUP BY rd.deputy_id",
        )?;
        let activities = |kind: DeputyActivityKind| {
            per_deputy(&format!(
                "SELECT deputy_id, COUNT(*) FROM deputy_activities
                 WHERE held_on >= ?1 AND held_on < ?2 AND (?3 IS NULL OR station IN (SELECT value FROM json_each(?3)))
                   AND kind = '{}'
                 GROUP BY deputy_id",
                kind.as_str()
            ))
        };
        let reports = activities(DeputyActivityKind::ReportToVoters)?;
        let trainings = activities(DeputyActivityKind::Training)?;
        let mut satisfaction: HashMap<(String, String), i64> = HashMap::new();
        {
            let mut select = self.conn.prepare(
                "SELECT rd.deputy_id, json_extract(e.body, '$.deputy_satisfaction'), COUNT(*)
                 FROM case_events e
                 JOIN receptions r ON r.rid = e.reception_rid
                 JOIN reception_deputies rd ON rd.reception_rid = e.reception_rid
                 WHERE e.kind = 'follow_up' AND e.at >= ?1 AND e.at < ?2
                   AND (?3 IS NULL OR r.station IN (SELECT value FROM json_each(?3)))
                   AND json_extract(e.body, '$.deputy_satisfaction') IS NOT NULL
                 GROUP BY 1, 2",
            )?;
            let rows = select.query_map(params![start, end, station], |row| {
                Ok(((row.get(0)?, row.get(1)?), row.get(2)?))
            })?;
            for row in rows {
                let (key, count) = row?;
                satisfaction.insert(key, count);
            }
        }
        let with = |id: &str, level: Satisfaction| {
            satisfaction
                .get(&(id.to_owned(), level.as_str().to_owned()))
                .copied()
                .unwrap_or(0)
        };
        let receptions: HashMap<&str, i64> = by_deputy
            .iter()
            .map(|c| (c.key.as_str(), c.count))
            .collect();
        let count = |map: &HashMap<String, i64>, id: &str| map.get(id).copied().unwrap_or(0);
        let records = self
            .deputies()?
            .into_iter()
            .filter_map(|listing| {
                let id = listing.deputy.id.to_string();
                DeputyRecord {
                    receptions: receptions.get(id.as_str()).copied().unwrap_or(0),
                    duty_days: count(&duty_days, &id),
                    concluded: count(&concluded, &id),
                    mediations: count(&mediations, &id),
                    meetings: count(&meetings, &id),
                    reports_to_voters: count(&reports, &id),
                    trainings: count(&trainings, &id),
                    satisfied: with(&id, Satisfaction::Satisfied),
                    basically_satisfied: with(&id, Satisfaction::BasicallySatisfied),
                    dissatisfied: with(&id, Satisfaction::Dissatisfied),
                    name: listing.deputy.name,
                    station: listing.deputy.station.clone(),
                    congress: listing.congress_label,
                    id,
                }
                .keep_if(
                    listing.deputy.active
                        && members.is_none_or(|members| {
                            listing
                                .deputy
                                .station
                                .as_ref()
                                .is_some_and(|own| members.contains(own))
                        }),
                )
            })
            .collect();
        Ok(records)
    }
}

impl Stats {
    /// The total row of the Ministry of Justice's table (合计).
    pub fn mediation_total(&self) -> DisputeTypeRow {
        self.mediation_by_type.iter().fold(
            DisputeTypeRow {
                dispute_type: "合计".to_owned(),
                ..DisputeTypeRow::default()
            },
            |total, row| DisputeTypeRow {
                accepted: total.accepted + row.accepted,
                succeeded: total.succeeded + row.succeeded,
                performed: total.performed + row.performed,
                judicially_confirmed: total.judicially_confirmed + row.judicially_confirmed,
                amount_yuan: total.amount_yuan.saturating_add(row.amount_yuan),
                ..total
            },
        )
    }
}

impl DeputyRecord {
    /// The record if the deputy is listed anyway or did something in the range.
    fn keep_if(self, listed: bool) -> Option<DeputyRecord> {
        let worked = self.receptions
            + self.duty_days
            + self.concluded
            + self.mediations
            + self.meetings
            + self.reports_to_voters
            + self.trainings
            > 0;
        (listed || worked).then_some(self)
    }
}
