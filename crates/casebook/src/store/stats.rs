//! Statistics over a date range: what the weekly report and the town's monthly figures need.

use chrono::{NaiveDate, TimeDelta};
use rusqlite::params;
use serde::Serialize;

use super::Book;
use crate::domain::*;
use crate::error::Result;
use crate::time::china_today;

/// A count under a key, with the label the deputy reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
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

/// Council meeting figures.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MeetingStats {
    /// Meetings held.
    pub held: i64,
    /// Of which with a quorum.
    pub quorate: i64,
}

/// What `casebook stats` prints.
#[derive(Debug, Clone, Serialize)]
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
    /// By dispute type, in the statistics' order; zero rows left out.
    pub by_category: Vec<Count>,
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
}

fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 / whole as f64)
}

impl Book {
    /// Statistics of receptions received, mediations accepted and meetings held in
    /// `from..=to` (whole days, station time), of one station or all.
    pub fn stats(
        &self,
        station: Option<&str>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Stats> {
        if let Some(code) = station {
            let known: bool = self.conn.query_row(
                "SELECT EXISTS (SELECT 1 FROM stations WHERE code = ?1)",
                [code],
                |row| row.get(0),
            )?;
            if !known && code != self.origin().code {
                return Err(crate::Error::invalid(format!("名册中没有站点“{code}”")));
            }
        }
        let start = from.map_or_else(|| "0000".to_owned(), |d| d.to_string());
        let end = to.map_or_else(
            || "9999".to_owned(),
            |d| (d + TimeDelta::days(1)).to_string(),
        );
        let today = china_today().to_string();
        let within = |t: &str| {
            format!(
                "{t}received_at >= ?1 AND {t}received_at < ?2 AND (?3 IS NULL OR {t}station = ?3)"
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

        let categories = by_key("category")?;
        let by_category = DISPUTE_TYPES
            .iter()
            .map(|c| Count {
                key: (*c).to_owned(),
                label: (*c).to_owned(),
                count: count_of(&categories, c),
            })
            .filter(|c| c.count > 0)
            .collect();
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
        let by_deputy = to_counts(grouped(&format!(
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

        let mediation = self.mediation_stats(&start, &end, station)?;
        let meetings = MeetingStats {
            held: scalar(
                "SELECT COUNT(*) FROM meetings
                 WHERE held_at >= ?1 AND held_at < ?2 AND (?3 IS NULL OR station = ?3)",
            )?,
            quorate: scalar(
                "SELECT COUNT(*) FROM meetings
                 WHERE held_at >= ?1 AND held_at < ?2 AND (?3 IS NULL OR station = ?3) AND quorum_met",
            )?,
        };
        Ok(Stats {
            station: station.map(str::to_owned),
            from,
            to,
            receptions: scalar(&format!("SELECT COUNT(*) FROM receptions WHERE {range}"))?,
            people: scalar(&format!(
                "SELECT COALESCE(SUM(head_count), 0) FROM receptions WHERE {range}"
            ))?,
            collective_visits: scalar(&format!(
                "SELECT COUNT(*) FROM receptions WHERE {range} AND head_count >= {COLLECTIVE_VISIT_HEAD_COUNT}"
            ))?,
            by_category,
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
        })
    }

    fn mediation_stats(
        &self,
        start: &str,
        end: &str,
        station: Option<&str>,
    ) -> Result<MediationStats> {
        let today = china_today();
        let mut select = self.conn.prepare(
            "SELECT accepted_at, result FROM mediations
             WHERE accepted_at >= ?1 AND accepted_at < ?2 AND (?3 IS NULL OR station = ?3)",
        )?;
        let rows = select
            .query_map(params![start, end, station], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stats = MediationStats::default();
        for (accepted_at, result) in rows {
            stats.accepted += 1;
            match result.as_deref() {
                Some("succeeded_written" | "succeeded_oral") => stats.succeeded += 1,
                Some("failed") => stats.failed += 1,
                Some(_) => stats.terminated += 1,
                None => {
                    stats.open += 1;
                    let accepted =
                        chrono::DateTime::parse_from_rfc3339(&accepted_at).map_err(|e| {
                            crate::Error::Corrupt(format!("accepted_at {accepted_at}: {e}"))
                        })?;
                    if mediation_overdue(accepted, &MediationState::default(), today) {
                        stats.overdue += 1;
                    }
                }
            }
        }
        stats.success_rate = ratio(
            stats.succeeded,
            stats.succeeded + stats.failed + stats.terminated,
        );
        let confirmations = |condition: &str| -> Result<i64> {
            Ok(self.conn.query_row(
                &format!(
                    "SELECT COUNT(DISTINCT e.mediation_id) FROM mediation_events e
                     JOIN mediations m ON m.id = e.mediation_id
                     WHERE m.accepted_at >= ?1 AND m.accepted_at < ?2 AND (?3 IS NULL OR m.station = ?3)
                       AND e.kind = 'judicial_confirmation' {condition}"
                ),
                params![start, end, station],
                |row| row.get(0),
            )?)
        };
        stats.judicial_confirmations_applied = confirmations("")?;
        stats.judicial_confirmations_confirmed =
            confirmations("AND json_extract(e.body, '$.result') = 'confirmed'")?;
        Ok(stats)
    }
}
