//! Applying a change to the tables. Idempotent per record id, and deterministic: the same log
//! applied to an empty book gives the same book.
//!
//! A case's status and its search terms depend on its whole timeline, so they are derived once
//! per transaction ([`Applier::flush`]) for the cases it touched, not once per event.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;

use rusqlite::{OptionalExtension, Transaction, params};
use uuid::Uuid;

use crate::change::Change;
use crate::domain::{
    AuditEntry, CaseEvent, CaseState, CaseStatus, CouncilMeeting, Deputy, DutyShift, Grid,
    Mediation, MediationEvent, MediationResult, MediationState, MeetingEvent, Reception,
    Satisfaction, Station, Suggestion, SuggestionEvent, SuggestionState, timeline_state,
};
use crate::error::{Error, Result};
use crate::hlc::{Hlc, MAX_AHEAD_MS};
use crate::search;
use crate::time::stored;

/// The serialised parts of a change as the change log stores them: `(op, record JSON)`.
pub fn change_to_parts(change: &Change) -> Result<(&'static str, String)> {
    let data = match change {
        Change::GridUpsert(r) => serde_json::to_string(r),
        Change::StationUpsert(r) => serde_json::to_string(r),
        Change::DeputyUpsert(r) => serde_json::to_string(r),
        Change::DutyShiftUpsert(r) => serde_json::to_string(r),
        Change::ReceptionCreate(r) => serde_json::to_string(r),
        Change::CaseEventAppend(r) => serde_json::to_string(r),
        Change::MeetingCreate(r) => serde_json::to_string(r),
        Change::MeetingEventAppend(r) => serde_json::to_string(r),
        Change::MediationCreate(r) => serde_json::to_string(r),
        Change::MediationEventAppend(r) => serde_json::to_string(r),
        Change::SuggestionCreate(r) => serde_json::to_string(r),
        Change::SuggestionEventAppend(r) => serde_json::to_string(r),
        Change::AuditAppend(r) => serde_json::to_string(r),
        Change::DeputyActivityAppend(r) => serde_json::to_string(r),
    }
    .map_err(|err| Error::Internal(format!("cannot encode {}: {err}", change.entity())))?;
    Ok((change.op(), data))
}

/// The inverse of [`change_to_parts`].
pub(crate) fn change_from_parts(op: &str, data: &str) -> Result<Change> {
    let tagged = format!(
        r#"{{"type":{},"record":{data}}}"#,
        serde_json::Value::from(op)
    );
    serde_json::from_str(&tagged).map_err(|err| Error::Corrupt(format!("change {op}: {err}")))
}

/// Decodes a stored JSON body.
pub(crate) fn decode<T: serde::de::DeserializeOwned>(what: &str, json: &str) -> Result<T> {
    serde_json::from_str(json).map_err(|err| Error::Corrupt(format!("{what}: {err}")))
}

fn encode<T: serde::Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|err| Error::Internal(err.to_string()))
}

/// The cases touched in the current transaction, with their timelines in memory: a case's
/// status is checked before each event and derived again at commit without re-reading it.
#[derive(Debug, Default)]
pub(crate) struct Applier {
    touched: BTreeMap<i64, Timeline>,
    /// Row numbers of the receptions created in this transaction, by id.
    created: HashMap<Uuid, i64>,
    /// Search index writes, in order, made at commit: FTS5 writes what it holds to a new
    /// segment at every savepoint, so writing as each bundle of a batch is applied made one
    /// segment (and merge work) per bundle.
    search: Vec<SearchWrite>,
}

/// A write to the search index, waiting for the commit.
#[derive(Debug)]
enum SearchWrite {
    Remove(i64),
    Add(i64, String),
}

impl SearchWrite {
    fn rid(&self) -> i64 {
        match self {
            SearchWrite::Remove(rid) | SearchWrite::Add(rid, _) => *rid,
        }
    }
}

#[derive(Debug)]
struct Timeline {
    reply_due: NaiveDate,
    /// In order: by time, then id.
    events: Vec<CaseEvent>,
    /// Created in this transaction: not in the search index yet; its terms are ready.
    new_terms: Option<String>,
    /// Events were appended in this transaction.
    grew: bool,
}

impl Timeline {
    fn state(&self) -> CaseState {
        timeline_state(self.reply_due, &self.events)
    }
}

impl Applier {
    /// Writes one change's rows; `body` is the record's JSON (from [`change_to_parts`]),
    /// `version` the origin and clock of the change.
    pub(crate) fn apply(
        &mut self,
        tx: &Transaction<'_>,
        change: &Change,
        body: &str,
        version: Version<'_>,
    ) -> Result<()> {
        let is_upsert = matches!(
            change,
            Change::GridUpsert(_)
                | Change::StationUpsert(_)
                | Change::DeputyUpsert(_)
                | Change::DutyShiftUpsert(_)
        );
        if is_upsert && !upsert_wins(tx, change, body, version)? {
            return Ok(());
        }
        match change {
            Change::GridUpsert(grid) => upsert_grid(tx, grid),
            Change::StationUpsert(station) => upsert_station(tx, station),
            Change::DeputyUpsert(deputy) => upsert_deputy(tx, deputy),
            Change::DutyShiftUpsert(shift) => upsert_duty_shift(tx, shift),
            Change::ReceptionCreate(reception) => self.create_reception(tx, reception, body),
            Change::CaseEventAppend(event) => self.append_case_event(tx, event, body),
            Change::MeetingCreate(meeting) => create_meeting(tx, meeting, body),
            Change::MeetingEventAppend(event) => append_meeting_event(tx, event, body),
            Change::MediationCreate(mediation) => create_mediation(tx, mediation, body),
            Change::MediationEventAppend(event) => append_mediation_event(tx, event, body),
            Change::SuggestionCreate(suggestion) => create_suggestion(tx, suggestion, body),
            Change::SuggestionEventAppend(event) => append_suggestion_event(tx, event, body),
            Change::AuditAppend(entry) => append_audit(tx, entry, body),
            Change::DeputyActivityAppend(activity) => append_deputy_activity(tx, activity, body),
        }
    }

    /// Removes the rows that [`Self::apply`] wrote for a station's create-once record, to be
    /// applied again later in the same transaction (under another seq, perhaps another
    /// number: [`super::Writer::set_aside_own_from`]). Children go before their parents: a
    /// case's events, a meeting's, a mediation's. Upserts keep their rows: their winner is decided
    /// by clock, not by seq.
    pub(crate) fn forget(&mut self, tx: &Transaction<'_>, change: &Change) -> Result<()> {
        let delete = |sql: &str, id: &Uuid| -> Result<()> {
            tx.prepare_cached(sql)?.execute([id.to_string()])?;
            Ok(())
        };
        match change {
            Change::ReceptionCreate(reception) => {
                let rid: Option<i64> = tx
                    .prepare_cached("SELECT rid FROM receptions WHERE id = ?1")?
                    .query_row([reception.id.to_string()], |row| row.get(0))
                    .optional()?;
                if let Some(rid) = rid {
                    tx.prepare_cached("DELETE FROM reception_search WHERE rowid = ?1")?
                        .execute([rid])?;
                    tx.prepare_cached("DELETE FROM reception_deputies WHERE reception_rid = ?1")?
                        .execute([rid])?;
                    tx.prepare_cached("DELETE FROM receptions WHERE rid = ?1")?
                        .execute([rid])?;
                    self.touched.remove(&rid);
                    self.search.retain(|write| write.rid() != rid);
                }
                self.created.remove(&reception.id);
            }
            Change::CaseEventAppend(event) => {
                let rid: Option<i64> = tx
                    .prepare_cached("SELECT reception_rid FROM case_events WHERE id = ?1")?
                    .query_row([event.id.to_string()], |row| row.get(0))
                    .optional()?;
                delete("DELETE FROM case_events WHERE id = ?1", &event.id)?;
                if let Some(rid) = rid {
                    self.touched.remove(&rid);
                }
            }
            Change::MeetingCreate(meeting) => {
                delete(
                    "DELETE FROM meeting_cases WHERE meeting_id = ?1",
                    &meeting.id,
                )?;
                delete("DELETE FROM meetings WHERE id = ?1", &meeting.id)?;
            }
            Change::MeetingEventAppend(event) => {
                delete("DELETE FROM meeting_events WHERE id = ?1", &event.id)?;
            }
            Change::MediationCreate(mediation) => {
                delete("DELETE FROM mediations WHERE id = ?1", &mediation.id)?;
            }
            Change::MediationEventAppend(event) => {
                delete("DELETE FROM mediation_events WHERE id = ?1", &event.id)?;
            }
            Change::SuggestionCreate(suggestion) => {
                delete("DELETE FROM suggestions WHERE id = ?1", &suggestion.id)?;
            }
            Change::SuggestionEventAppend(event) => {
                delete("DELETE FROM suggestion_events WHERE id = ?1", &event.id)?;
                update_suggestion_state(tx, &event.suggestion.to_string())?;
            }
            Change::AuditAppend(entry) => delete("DELETE FROM audit WHERE id = ?1", &entry.id)?,
            Change::DeputyActivityAppend(activity) => {
                delete("DELETE FROM deputy_activities WHERE id = ?1", &activity.id)?;
            }
            Change::GridUpsert(_)
            | Change::StationUpsert(_)
            | Change::DeputyUpsert(_)
            | Change::DutyShiftUpsert(_) => {}
        }
        Ok(())
    }

    /// Where the search writes stand, for [`Self::discard`].
    pub(crate) fn search_mark(&self) -> usize {
        self.search.len()
    }

    /// Forgets what was touched and the search writes queued since `search_mark` (their rows
    /// were rolled back).
    pub(crate) fn discard(&mut self, search_mark: usize) {
        self.touched.clear();
        self.created.clear();
        self.search.truncate(search_mark);
    }

    /// Makes the queued search index writes; the last step before the commit.
    pub(crate) fn write_search_index(&mut self, tx: &Transaction<'_>) -> Result<()> {
        for write in self.search.drain(..) {
            match write {
                SearchWrite::Remove(rid) => {
                    tx.prepare_cached("DELETE FROM reception_search WHERE rowid = ?1")?
                        .execute([rid])?;
                }
                SearchWrite::Add(rid, terms) => {
                    tx.prepare_cached(
                        "INSERT INTO reception_search (rowid, terms) VALUES (?1, ?2)",
                    )?
                    .execute(params![rid, terms])?;
                }
            }
        }
        Ok(())
    }

    /// The current state of case `rid`, including events recorded earlier in this transaction.
    pub(crate) fn case_state(&mut self, tx: &Transaction<'_>, rid: i64) -> Result<CaseState> {
        Ok(self.timeline(tx, rid)?.state())
    }

    fn timeline(&mut self, tx: &Transaction<'_>, rid: i64) -> Result<&mut Timeline> {
        Ok(match self.touched.entry(rid) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let reply_due: String = tx
                    .prepare_cached("SELECT reply_due FROM receptions WHERE rid = ?1")?
                    .query_row([rid], |row| row.get(0))?;
                entry.insert(Timeline {
                    reply_due: parse_date(&reply_due)?,
                    events: case_events(tx, rid)?,
                    new_terms: None,
                    grew: false,
                })
            }
        })
    }

    /// The latest event of case `rid` so far.
    pub(crate) fn last_case_event(
        &mut self,
        tx: &Transaction<'_>,
        rid: i64,
    ) -> Result<Option<&CaseEvent>> {
        Ok(self.timeline(tx, rid)?.events.last())
    }

    fn create_reception(
        &mut self,
        tx: &Transaction<'_>,
        reception: &Reception,
        body: &str,
    ) -> Result<()> {
        let (year, seq) = parse_case_no(&reception.case_no)?;
        let mut insert = tx.prepare_cached(
            "INSERT INTO receptions
                 (id, case_no, station, case_year, case_seq, received_at, channel, grid, category,
                  subcategory, head_count, reply_due, status, due, satisfaction, body, kind)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 'pending', ?12, NULL, ?13,
                     ?14)
             ON CONFLICT (id) DO NOTHING",
        )?;
        let inserted = insert.execute(params![
            reception.id.to_string(),
            reception.case_no,
            reception.station,
            year,
            seq,
            stored(reception.received_at),
            reception.channel.as_str(),
            reception.grid,
            reception.category,
            reception.subcategory,
            reception.head_count,
            reception.reply_due.to_string(),
            body,
            reception.kind.as_str(),
        ])?;
        if inserted == 0 {
            return Ok(());
        }
        let rid = tx.last_insert_rowid();
        self.created.insert(reception.id, rid);
        let mut link = tx.prepare_cached(
            "INSERT OR IGNORE INTO reception_deputies (reception_rid, deputy_id) VALUES (?1, ?2)",
        )?;
        for deputy in &reception.deputies {
            link.execute(params![rid, deputy.to_string()])?;
        }
        self.touched.insert(
            rid,
            Timeline {
                reply_due: reception.reply_due,
                events: Vec::new(),
                new_terms: Some(search::reception_terms(reception)),
                grew: false,
            },
        );
        Ok(())
    }

    fn append_case_event(
        &mut self,
        tx: &Transaction<'_>,
        event: &CaseEvent,
        body: &str,
    ) -> Result<()> {
        let rid = match self.created.get(&event.reception) {
            Some(rid) => *rid,
            None => tx
                .prepare_cached("SELECT rid FROM receptions WHERE id = ?1")?
                .query_row([event.reception.to_string()], |row| row.get(0))
                .optional()?
                .ok_or_else(|| {
                    Error::Corrupt(format!("case event {} for an unknown case", event.id))
                })?,
        };
        let inserted = tx
            .prepare_cached(
                "INSERT INTO case_events (id, reception_rid, at, kind, body)
                 VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO NOTHING",
            )?
            .execute(params![
                event.id.to_string(),
                rid,
                stored(event.at),
                event.kind.as_str(),
                body,
            ])?;
        if inserted > 0 {
            let timeline = self.timeline(tx, rid)?;
            if !timeline.events.iter().any(|e| e.id == event.id) {
                let at = timeline
                    .events
                    .partition_point(|e| (e.at, e.id) < (event.at, event.id));
                timeline.events.insert(at, event.clone());
            }
            timeline.grew = true;
        }
        Ok(())
    }

    /// Stores status and due date of every case touched in this transaction, and queues what
    /// brings the search index up to date.
    pub(crate) fn flush(&mut self, tx: &Transaction<'_>) -> Result<()> {
        self.created.clear();
        for (rid, timeline) in std::mem::take(&mut self.touched) {
            let state = timeline.state();
            let terms = match (timeline.new_terms, timeline.grew) {
                (Some(terms), false) => terms,
                (Some(terms), true) => {
                    store_state(tx, rid, &state)?;
                    terms
                }
                (None, false) => continue,
                (None, true) => {
                    let (old_status, body): (String, String) = tx
                        .prepare_cached("SELECT status, body FROM receptions WHERE rid = ?1")?
                        .query_row([rid], |row| Ok((row.get(0)?, row.get(1)?)))?;
                    store_state(tx, rid, &state)?;
                    if old_status == state.status.as_str() {
                        continue;
                    }
                    self.search.push(SearchWrite::Remove(rid));
                    search::reception_terms(&decode::<Reception>("reception", &body)?)
                }
            };
            self.search.push(SearchWrite::Add(
                rid,
                format!("{terms} {}", search::status_term(state.status)),
            ));
        }
        Ok(())
    }
}

/// A stored `YYYY-MM-DD` date.
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate> {
    text.parse()
        .map_err(|_| Error::Corrupt(format!("date {text}")))
}

/// A stored case status.
pub(crate) fn parse_status(text: &str) -> Result<CaseStatus> {
    CaseStatus::parse(text).ok_or_else(|| Error::Corrupt(format!("status {text}")))
}

/// A stored satisfaction.
pub(crate) fn parse_satisfaction(text: &str) -> Result<Satisfaction> {
    Satisfaction::ALL
        .into_iter()
        .find(|known| known.as_str() == text)
        .ok_or_else(|| Error::Corrupt(format!("satisfaction {text}")))
}

/// A stored record id.
pub(crate) fn parse_uuid(text: &str) -> Result<Uuid> {
    Uuid::parse_str(text).map_err(|err| Error::Corrupt(format!("id {text}: {err}")))
}

/// Which version of a record a change carries.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Version<'a> {
    /// Origin that made it.
    pub origin: &'a str,
    /// Its clock.
    pub hlc: i64,
    /// For an upsert, the clock of the version it replaced where it was made.
    pub base_hlc: Option<i64>,
}

/// Last writer wins between origins: an upsert is applied only if its clock is later than the
/// version in the tables (a clock more than 30 days ahead counts as earliest) (ties broken by origin code, so every book picks the same). When two
/// origins edited the record without seeing each other's edit, the losing version is kept in
/// `conflicts`.
fn upsert_wins(
    tx: &Transaction<'_>,
    change: &Change,
    body: &str,
    version: Version<'_>,
) -> Result<bool> {
    let Version {
        origin,
        hlc,
        base_hlc,
    } = version;
    let record_id = change.record_id().to_string();
    let current: Option<(String, i64, Option<i64>)> = tx
        .prepare_cached("SELECT origin, hlc, base_hlc FROM record_clock WHERE record_id = ?1")?
        .query_row([&record_id], |row| {
            Ok((row.get(0)?, row.get(1)?, row.get(2)?))
        })
        .optional()?;
    // A clock further ahead of this PC than a wrong date explains is not believed here either
    // (as `Hlc::observe` does not follow it): such a version loses to any sane one, so a change
    // stamped years ahead cannot win every later edit.
    let now_ms = crate::time::china_now().timestamp_millis();
    let believed = |clock: i64| {
        if Hlc::from_packed(clock).wall_ms() > now_ms.saturating_add(MAX_AHEAD_MS) {
            i64::MIN
        } else {
            clock
        }
    };
    let wins = current
        .as_ref()
        .is_none_or(|(o, h, _)| (believed(hlc), origin) > (believed(*h), o.as_str()));
    if let Some((current_origin, current_hlc, current_base)) = &current
        && current_origin != origin
    {
        let concurrent = if wins {
            base_hlc != Some(*current_hlc)
        } else {
            *current_base != Some(hlc)
        };
        if concurrent {
            let current_data: String = tx
                .prepare_cached(
                    "SELECT data FROM change_log WHERE record_id = ?1 AND origin = ?2 AND hlc = ?3",
                )?
                .query_row(params![record_id, current_origin, current_hlc], |row| {
                    row.get(0)
                })
                .optional()?
                .ok_or_else(|| {
                    Error::Corrupt(format!(
                        "record {record_id}: no logged change for its clock {current_origin}@{current_hlc}"
                    ))
                })?;
            let (winner, loser) = if wins {
                (
                    (origin, hlc, body),
                    (current_origin.as_str(), *current_hlc, current_data.as_str()),
                )
            } else {
                (
                    (current_origin.as_str(), *current_hlc, current_data.as_str()),
                    (origin, hlc, body),
                )
            };
            tx.prepare_cached(
                "INSERT OR IGNORE INTO conflicts (record_id, entity, winner_origin, winner_hlc,
                     loser_origin, loser_hlc, loser_data, fields, detected_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
            )?
            .execute(params![
                record_id,
                change.entity(),
                winner.0,
                winner.1,
                loser.0,
                loser.1,
                loser.2,
                encode(&differing_fields(winner.2, loser.2)?)?,
                stored(crate::time::china_now()),
            ])?;
        }
    }
    if wins {
        tx.prepare_cached(
            "INSERT INTO record_clock (record_id, origin, hlc, base_hlc) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (record_id) DO UPDATE SET origin = excluded.origin, hlc = excluded.hlc,
                 base_hlc = excluded.base_hlc",
        )?
        .execute(params![record_id, origin, hlc, base_hlc])?;
    }
    Ok(wins)
}

/// Top-level fields whose values differ between two JSON records.
fn differing_fields(a: &str, b: &str) -> Result<Vec<String>> {
    type Fields = serde_json::Map<String, serde_json::Value>;
    let (a, b): (Fields, Fields) = (decode("logged record", a)?, decode("logged record", b)?);
    let mut fields: Vec<String> = a
        .keys()
        .chain(b.keys())
        .filter(|key| a.get(*key) != b.get(*key))
        .cloned()
        .collect();
    fields.sort();
    fields.dedup();
    Ok(fields)
}

/// A case's timeline in order: by time, then by id (UUIDv7, so by recording order).
pub(crate) fn case_events(tx: &rusqlite::Connection, rid: i64) -> Result<Vec<CaseEvent>> {
    let mut select =
        tx.prepare_cached("SELECT body FROM case_events WHERE reception_rid = ?1 ORDER BY at, id")?;
    let bodies = select
        .query_map([rid], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    bodies
        .iter()
        .map(|body| decode("case event", body))
        .collect()
}

fn store_state(tx: &Transaction<'_>, rid: i64, state: &CaseState) -> Result<()> {
    tx.prepare_cached(
        "UPDATE receptions SET status = ?2, due = ?3, satisfaction = ?4 WHERE rid = ?1",
    )?
    .execute(params![
        rid,
        state.status.as_str(),
        state.due.to_string(),
        state.satisfaction.map(|s| s.as_str()),
    ])?;
    Ok(())
}

/// `BX-2026-0001` → `(2026, 1)`.
pub(crate) fn parse_case_no(case_no: &str) -> Result<(i32, u32)> {
    let mut parts = case_no.rsplitn(3, '-');
    let seq = parts.next().and_then(|s| s.parse().ok());
    let year = parts.next().and_then(|y| y.parse().ok());
    match (year, seq) {
        (Some(year), Some(seq)) => Ok((year, seq)),
        _ => Err(Error::Corrupt(format!("case number {case_no}"))),
    }
}

fn upsert_grid(tx: &Transaction<'_>, grid: &Grid) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO grids (id, code, name, level, parent, committees)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name,
             level = excluded.level, parent = excluded.parent, committees = excluded.committees",
    )?
    .execute(params![
        grid.id.to_string(),
        grid.code,
        grid.name,
        grid.level.as_str(),
        grid.parent,
        encode(&grid.committees)?,
    ])?;
    Ok(())
}

fn upsert_station(tx: &Transaction<'_>, station: &Station) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO stations (id, code, name, level, grid, phone, address, committee_name,
                               committee_short_name)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
         ON CONFLICT (id) DO UPDATE SET code = excluded.code, name = excluded.name,
             level = excluded.level, grid = excluded.grid, phone = excluded.phone,
             address = excluded.address, committee_name = excluded.committee_name,
             committee_short_name = excluded.committee_short_name",
    )?
    .execute(params![
        station.id.to_string(),
        station.code,
        station.name,
        station.level.as_str(),
        station.grid,
        station.phone,
        station.address,
        station.committee.as_ref().map(|c| &c.name),
        station.committee.as_ref().map(|c| &c.short_name),
    ])?;
    Ok(())
}

fn upsert_deputy(tx: &Transaction<'_>, deputy: &Deputy) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO deputies (id, name, congress, grid, station, phone, mediator_since, active)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, congress = excluded.congress,
             grid = excluded.grid, station = excluded.station, phone = excluded.phone,
             mediator_since = excluded.mediator_since, active = excluded.active",
    )?
    .execute(params![
        deputy.id.to_string(),
        deputy.name,
        deputy.congress.as_str(),
        deputy.grid,
        deputy.station,
        deputy.phone,
        deputy.mediator_since.map(|d| d.to_string()),
        deputy.active,
    ])?;
    Ok(())
}

fn upsert_duty_shift(tx: &Transaction<'_>, shift: &DutyShift) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO duty_shifts (id, station, date, starts, ends, deputies)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO UPDATE SET station = excluded.station, date = excluded.date,
             starts = excluded.starts, ends = excluded.ends, deputies = excluded.deputies",
    )?
    .execute(params![
        shift.id.to_string(),
        shift.station,
        shift.date.to_string(),
        shift.starts.format("%H:%M").to_string(),
        shift.ends.format("%H:%M").to_string(),
        encode(&shift.deputies)?,
    ])?;
    Ok(())
}

pub(crate) fn append_audit(tx: &Transaction<'_>, entry: &AuditEntry, body: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO audit (id, station, at, deputy_id, action, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        entry.id.to_string(),
        entry.station,
        stored(entry.at),
        entry.deputy.map(|id| id.to_string()),
        entry.action.as_str(),
        body,
    ])?;
    Ok(())
}

fn create_meeting(tx: &Transaction<'_>, meeting: &CouncilMeeting, body: &str) -> Result<()> {
    let inserted = tx
        .prepare_cached(
            "INSERT INTO meetings (id, station, village, held_at, quorum_met, body)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            meeting.id.to_string(),
            meeting.station,
            meeting.village,
            stored(meeting.held_at),
            meeting.quorum_met,
            body,
        ])?;
    if inserted > 0 {
        let mut link = tx.prepare_cached(
            "INSERT OR IGNORE INTO meeting_cases (meeting_id, case_no) VALUES (?1, ?2)",
        )?;
        for case_no in meeting
            .items
            .iter()
            .filter_map(|item| item.case_no.as_deref())
        {
            link.execute(params![meeting.id.to_string(), case_no])?;
        }
    }
    Ok(())
}

fn append_deputy_activity(
    tx: &Transaction<'_>,
    activity: &crate::domain::DeputyActivity,
    body: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO deputy_activities (id, station, deputy_id, kind, held_on, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        activity.id.to_string(),
        activity.station,
        activity.deputy.to_string(),
        activity.kind.as_str(),
        activity.date.to_string(),
        body,
    ])?;
    Ok(())
}

fn append_meeting_event(tx: &Transaction<'_>, event: &MeetingEvent, body: &str) -> Result<()> {
    let known: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM meetings WHERE id = ?1")?
        .query_row([event.meeting.to_string()], |row| row.get(0))
        .optional()?;
    if known.is_none() {
        return Err(Error::Corrupt(format!(
            "meeting event {} for an unknown meeting",
            event.id
        )));
    }
    tx.prepare_cached(
        "INSERT INTO meeting_events (id, meeting_id, at, kind, body)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        event.id.to_string(),
        event.meeting.to_string(),
        stored(event.at),
        event.kind.as_str(),
        body,
    ])?;
    Ok(())
}

/// A meeting's events in order: by time, then id.
pub(crate) fn meeting_events(
    conn: &rusqlite::Connection,
    meeting_id: &str,
) -> Result<Vec<MeetingEvent>> {
    let mut select = conn
        .prepare_cached("SELECT body FROM meeting_events WHERE meeting_id = ?1 ORDER BY at, id")?;
    let bodies = select
        .query_map([meeting_id], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    bodies
        .iter()
        .map(|body| decode("meeting event", body))
        .collect()
}

fn create_mediation(tx: &Transaction<'_>, mediation: &Mediation, body: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO mediations
             (id, number, station, year, seq, case_no, dispute_type, accepted_at, result, body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, NULL, ?9)
             ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        mediation.id.to_string(),
        mediation.number,
        mediation.station,
        mediation.year,
        mediation.seq,
        mediation.case_no,
        mediation.dispute_type,
        stored(mediation.accepted_at),
        body,
    ])?;
    Ok(())
}

fn append_mediation_event(tx: &Transaction<'_>, event: &MediationEvent, body: &str) -> Result<()> {
    let inserted = tx
        .prepare_cached(
            "INSERT INTO mediation_events (id, mediation_id, at, kind, body)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            event.id.to_string(),
            event.mediation.to_string(),
            stored(event.at),
            event.kind.as_str(),
            body,
        ])?;
    if inserted > 0 {
        let events = mediation_events(tx, &event.mediation.to_string())?;
        let state = MediationState::derive(events.iter().map(|e| (&e.at, &e.kind)));
        tx.prepare_cached("UPDATE mediations SET result = ?2 WHERE id = ?1")?
            .execute(params![
                event.mediation.to_string(),
                state.result.map(MediationResult::as_str),
            ])?;
    }
    Ok(())
}

/// A mediation's events in order.
pub(crate) fn mediation_events(
    conn: &rusqlite::Connection,
    mediation_id: &str,
) -> Result<Vec<MediationEvent>> {
    let mut select = conn.prepare_cached(
        "SELECT body FROM mediation_events WHERE mediation_id = ?1 ORDER BY at, id",
    )?;
    let bodies = select
        .query_map([mediation_id], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    bodies
        .iter()
        .map(|body| decode("mediation event", body))
        .collect()
}

fn create_suggestion(tx: &Transaction<'_>, suggestion: &Suggestion, body: &str) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO suggestions
             (id, number, station, year, seq, drafted_at, category, lead, status, satisfaction,
              body)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'drafted', NULL, ?9)
             ON CONFLICT (id) DO NOTHING",
    )?
    .execute(params![
        suggestion.id.to_string(),
        suggestion.number,
        suggestion.station,
        suggestion.year,
        suggestion.seq,
        stored(suggestion.drafted_at),
        suggestion.category,
        suggestion.lead.to_string(),
        body,
    ])?;
    Ok(())
}

/// Appends a suggestion's event. Lenient, as a meeting's: an event that came out of order (an
/// answer before the submission) is kept and counted; only an unknown suggestion is refused.
fn append_suggestion_event(
    tx: &Transaction<'_>,
    event: &SuggestionEvent,
    body: &str,
) -> Result<()> {
    let id = event.suggestion.to_string();
    let known: Option<i64> = tx
        .prepare_cached("SELECT 1 FROM suggestions WHERE id = ?1")?
        .query_row([&id], |row| row.get(0))
        .optional()?;
    if known.is_none() {
        return Err(Error::Corrupt(format!(
            "suggestion event {} for an unknown suggestion",
            event.id
        )));
    }
    let inserted = tx
        .prepare_cached(
            "INSERT INTO suggestion_events (id, suggestion_id, at, kind, body)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (id) DO NOTHING",
        )?
        .execute(params![
            event.id.to_string(),
            id,
            stored(event.at),
            event.kind.as_str(),
            body,
        ])?;
    if inserted > 0 {
        update_suggestion_state(tx, &id)?;
    }
    Ok(())
}

/// Stores the status and satisfaction derived from a suggestion's events.
fn update_suggestion_state(tx: &Transaction<'_>, id: &str) -> Result<()> {
    let events = suggestion_events(tx, id)?;
    let state = SuggestionState::derive(events.iter().map(|e| (&e.at, &e.kind)));
    tx.prepare_cached("UPDATE suggestions SET status = ?2, satisfaction = ?3 WHERE id = ?1")?
        .execute(params![
            id,
            state.status.as_str(),
            state.satisfaction.map(Satisfaction::as_str),
        ])?;
    Ok(())
}

/// A suggestion's events in order: by time, then id.
pub(crate) fn suggestion_events(
    conn: &rusqlite::Connection,
    suggestion_id: &str,
) -> Result<Vec<SuggestionEvent>> {
    let mut select = conn.prepare_cached(
        "SELECT body FROM suggestion_events WHERE suggestion_id = ?1 ORDER BY at, id",
    )?;
    let bodies = select
        .query_map([suggestion_id], |row| row.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    bodies
        .iter()
        .map(|body| decode("suggestion event", body))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_numbers_parse_back() {
        assert_eq!(parse_case_no("BX-2026-0001").unwrap(), (2026, 1));
        assert_eq!(parse_case_no("B-X-2026-12345").unwrap(), (2026, 12345));
        assert!(parse_case_no("BX2026").is_err());
    }
}
