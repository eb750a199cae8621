//! Recovery from the town: a station that lost its book (a new PC) or went back to an older
//! backup takes its own log back from its town, which holds every change the station sent.
//!
//! A book restored from a backup may have had records typed into it before the town's copy
//! came back. Their seqs, and perhaps their case numbers, are the ones the lost book had
//! already given to other records that the town holds. They are set aside, the town's copy
//! goes in, and they follow it under the next seqs. Where the town's copy took a record's
//! number, the record gets the next free one and keeps the old as `former_case_no` (a
//! mediation or a suggestion: `former_number`), so the deputy can print a 更正通知 for the visitor who holds
//! a slip with the old number. Nothing typed is dropped, and nothing the town holds changes.

use std::collections::{HashMap, HashSet};

use chrono::Datelike;
use rusqlite::{OptionalExtension, params};

use super::format;
use super::import::unusable_or;
use super::ownership;
use crate::change::{Change, LogEntry};
use crate::domain::{
    CaseEventKind, case_number, mediation_number, mediation_number_prefix, suggestion_number,
};
use crate::error::{Error, ErrorKind, Result};
use crate::store::{BookKind, Writer, parse_case_no};

/// What a recovery did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Recovered {
    /// This book's own changes that came back.
    pub recovered: usize,
    /// Records typed here that had to take a new number.
    pub renumbered: usize,
}

/// Applies this book's own changes that its town sent back (the book lost them: a new PC, a
/// restore from an older backup), before the town's own changes, which may concern them. Only
/// a station's own town may send them, and only this book's own origin; each is checked as a
/// bundle's change is. Entries of this book that differ from the town's at the same seq, and
/// all after them, were typed here after a restore and never reached the town: they are set
/// aside and follow the town's copy ([`relog`]). Once the book holds as much of its own log as
/// the town acknowledged, it may send again.
pub(super) fn recover_own_log<'a>(
    writer: &mut Writer<'_>,
    town: &str,
    own: &str,
    entries: impl Iterator<Item = (&'a LogEntry, &'a (&'static str, String))>,
) -> Result<Recovered> {
    if !ownership::is_town(writer, town)? || writer.book_kind() != BookKind::Station {
        return Err(Error::refused(
            ErrorKind::NotOwner,
            format!("同步包被拒收：只有本站所属的镇可以送回本站的记录，{town}不是"),
        ));
    }
    let entries: Vec<_> = entries.collect();
    let Some(first) = entries.first().map(|(entry, _)| entry.seq) else {
        return Ok(Recovered::default());
    };
    // The town sends back a run of the log that joins what this book holds: no gap before it,
    // none inside it.
    let in_order = entries
        .iter()
        .enumerate()
        .all(|(i, (entry, _))| i64::try_from(i).is_ok_and(|i| entry.seq == first + i));
    if first < 1 || first > writer.own_head() + 1 || !in_order {
        return Err(format::bad("送回的本站记录编号不连续"));
    }
    let mut diverged_at = None;
    for (entry, _) in &entries {
        if entry.origin != own {
            return Err(format::bad("送回的记录不是本站的"));
        }
        crate::validate::check_entry(entry)?;
        if diverged_at.is_none()
            && writer
                .logged_change(own, entry.seq)?
                .is_some_and(|logged| logged != entry.change)
        {
            diverged_at = Some(entry.seq);
        }
    }
    let typed_here = match diverged_at {
        Some(from) => writer.set_aside_own_from(from)?,
        None => Vec::new(),
    };
    let mut done = Recovered::default();
    let mut last_returned = 0;
    for (entry, (op, data)) in &entries {
        last_returned = entry.seq;
        ownership::check(writer, entry)?;
        if writer
            .replay_encoded(entry, op, data)
            .map_err(|err| unusable_or(entry, err))?
        {
            done.recovered += 1;
        }
    }
    done.renumbered = relog(writer, typed_here)?;
    // The town holds what it sent back: it need not come again.
    writer
        .tx()
        .prepare_cached(
            "INSERT INTO outbound (peer, acked_to) VALUES (?1, ?2)
             ON CONFLICT (peer) DO UPDATE SET acked_to = MAX(acked_to, excluded.acked_to)",
        )?
        .execute(params![town, last_returned])?;
    let own_head = writer.own_head();
    writer
        .tx()
        .prepare_cached("UPDATE outbound SET held_back = NULL WHERE peer = ?1 AND acked_to <= ?2")?
        .execute(params![town, own_head])?;
    Ok(done)
}

/// Applies the entries set aside again, in their order, under this book's next seqs (their
/// clocks and authors unchanged). A reception or mediation whose number the town's copy took
/// gets the next free number after every number in the book and every number kept by the
/// entries set aside, and the records typed here that name it (a meeting's agenda, a
/// mediation's case, a case's 转入调解) follow. Returns how many records took a new number.
fn relog(writer: &mut Writer<'_>, typed_here: Vec<LogEntry>) -> Result<usize> {
    let taken = |writer: &Writer<'_>, sql: &str, number: &str| -> Result<bool> {
        Ok(writer
            .tx()
            .prepare_cached(sql)?
            .query_row([number], |_| Ok(()))
            .optional()?
            .is_some())
    };
    const CASE_TAKEN: &str = "SELECT 1 FROM receptions WHERE case_no = ?1";
    const MEDIATION_TAKEN: &str = "SELECT 1 FROM mediations WHERE number = ?1";
    const SUGGESTION_TAKEN: &str = "SELECT 1 FROM suggestions WHERE number = ?1";
    // Numbers the entries set aside keep: a new number goes after them too, so that no slip
    // already handed out changes because another record was renumbered.
    let mut kept_cases: HashMap<i32, u32> = HashMap::new();
    let mut kept_mediations: HashMap<i32, u32> = HashMap::new();
    let mut kept_suggestions: HashMap<i32, u32> = HashMap::new();
    for entry in &typed_here {
        match &entry.change {
            Change::ReceptionCreate(r) if !taken(writer, CASE_TAKEN, &r.case_no)? => {
                let (year, seq) = parse_case_no(&r.case_no)?;
                let kept = kept_cases.entry(year).or_default();
                *kept = (*kept).max(seq);
            }
            Change::MediationCreate(m) if !taken(writer, MEDIATION_TAKEN, &m.number)? => {
                let kept = kept_mediations.entry(m.year).or_default();
                *kept = (*kept).max(m.seq);
            }
            Change::SuggestionCreate(s) if !taken(writer, SUGGESTION_TAKEN, &s.number)? => {
                let kept = kept_suggestions.entry(s.year).or_default();
                *kept = (*kept).max(s.seq);
            }
            _ => {}
        }
    }
    let mut new_case_nos: HashMap<String, String> = HashMap::new();
    let mut new_mediation_numbers: HashMap<String, String> = HashMap::new();
    let mut renumbered = HashSet::new();
    for mut entry in typed_here {
        match &mut entry.change {
            Change::ReceptionCreate(r) if taken(writer, CASE_TAKEN, &r.case_no)? => {
                let year = r.received_at.year();
                let (next_seq, _) = writer.next_case_no(&r.station, year)?;
                let after_kept = kept_cases.get(&year).map(|seq| seq + 1);
                let case_no = case_number(&r.station, year, next_seq.max(after_kept.unwrap_or(1)));
                new_case_nos.insert(r.case_no.clone(), case_no.clone());
                r.former_case_no = Some(std::mem::replace(&mut r.case_no, case_no));
                renumbered.insert(r.id);
            }
            Change::MediationCreate(m) => {
                rename(&mut m.case_no, &new_case_nos);
                if taken(writer, MEDIATION_TAKEN, &m.number)? {
                    let (next_seq, _) = writer.next_mediation_number(&m.station, m.year)?;
                    let after_kept = kept_mediations.get(&m.year).map(|seq| seq + 1);
                    let seq = next_seq.max(after_kept.unwrap_or(1));
                    let prefix = mediation_number_prefix(&m.number).unwrap_or(&m.station);
                    let number = mediation_number(m.year, prefix, seq);
                    new_mediation_numbers.insert(m.number.clone(), number.clone());
                    m.seq = seq;
                    m.former_number = Some(std::mem::replace(&mut m.number, number));
                    renumbered.insert(m.id);
                }
            }
            Change::MeetingCreate(meeting) => {
                for item in &mut meeting.items {
                    rename(&mut item.case_no, &new_case_nos);
                }
            }
            Change::SuggestionCreate(s) => {
                for case_no in &mut s.cases {
                    if let Some(new) = new_case_nos.get(case_no) {
                        case_no.clone_from(new);
                    }
                }
                if taken(writer, SUGGESTION_TAKEN, &s.number)? {
                    let (next_seq, _) = writer.next_suggestion_number(&s.station, s.year)?;
                    let after_kept = kept_suggestions.get(&s.year).map(|seq| seq + 1);
                    let seq = next_seq.max(after_kept.unwrap_or(1));
                    s.seq = seq;
                    let number = suggestion_number(&s.station, s.year, seq);
                    s.former_number = Some(std::mem::replace(&mut s.number, number));
                    renumbered.insert(s.id);
                }
            }
            Change::CaseEventAppend(event) => {
                if let CaseEventKind::ToMediation { mediation_no } = &mut event.kind {
                    rename(mediation_no, &new_mediation_numbers);
                }
            }
            _ => {}
        }
        entry.seq = writer.own_head() + 1;
        writer.replay(&entry)?;
    }
    Ok(renumbered.len())
}

/// Replaces a reference to a number that was given up.
fn rename(reference: &mut Option<String>, renamed: &HashMap<String, String>) {
    if let Some(new) = reference.as_ref().and_then(|old| renamed.get(old)) {
        *reference = Some(new.clone());
    }
}
