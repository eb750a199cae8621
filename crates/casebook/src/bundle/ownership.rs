//! Who may write what, checked on every change a bundle brings (and, for the town's own events
//! on stations' cases, when they are entered).
//!
//! A bundle's signature proves who sent it, not that the sender may write what it carries. A
//! station owns its receptions (numbered with its code), meetings, mediation files and deputies'
//! suggestions (numbered with its code), their events, its deputies' reports to voters and
//! trainings and its audit trail; the town owns the roster (grids, stations, deputies, duty
//! shifts) and may add its referral, chase and reply to a station's case. Anything else is
//! refused as [`ErrorKind::NotOwner`], so a station cannot take another's case numbers (whose
//! owner's next bundle would then be refused for ever), rename deputies, or write on records
//! that are not its own.

use rusqlite::OptionalExtension;
use uuid::Uuid;

use crate::change::{Change, LogEntry};
use crate::domain::{CaseEventKind, case_number, mediation_number, suggestion_number};
use crate::error::{Error, ErrorKind, Result};
use crate::store::{BookKind, Writer, parse_case_no};

/// The records a station owns, by the log's entity name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Owned {
    /// `reception`: a visit and its case.
    Reception,
    /// `meeting`.
    Meeting,
    /// `mediation`.
    Mediation,
    /// `deputy_activity`.
    DeputyActivity,
    /// `suggestion`.
    Suggestion,
    /// `audit`.
    Audit,
}

impl Owned {
    /// The entity name in the change log ([`Change::entity`]).
    pub fn entity(self) -> &'static str {
        match self {
            Owned::Reception => "reception",
            Owned::Meeting => "meeting",
            Owned::Mediation => "mediation",
            Owned::DeputyActivity => "deputy_activity",
            Owned::Suggestion => "suggestion",
            Owned::Audit => "audit",
        }
    }

    fn table(self) -> &'static str {
        match self {
            Owned::Reception => "receptions",
            Owned::Meeting => "meetings",
            Owned::Mediation => "mediations",
            Owned::DeputyActivity => "deputy_activities",
            Owned::Suggestion => "suggestions",
            Owned::Audit => "audit",
        }
    }
}

/// What the rules need to know of the store an entry comes to: a book, or a hub's shared store.
pub trait Holdings {
    /// Whether `code` is the town of this store.
    fn is_town(&self, code: &str) -> Result<bool>;
    /// The station that holds record `id` here, if any.
    fn record_station(&self, record: Owned, id: Uuid) -> Result<Option<String>>;
    /// The short name of `station`'s mediation committee on the roster, if it has one.
    fn committee_short_name(&self, station: &str) -> Result<Option<String>>;
    /// Whether town `town` may speak for `station` here: a store of one town's stations holds
    /// no other town; a county's, only the town that relays the station.
    fn speaks_for(&self, _town: &str, _station: &str) -> Result<bool> {
        Ok(true)
    }
    /// The code of the station record `id` on the roster here, if there is one.
    fn station_code(&self, _id: Uuid) -> Result<Option<String>> {
        Ok(None)
    }
}

impl Holdings for Writer<'_> {
    fn is_town(&self, code: &str) -> Result<bool> {
        is_town(self, code)
    }

    fn record_station(&self, record: Owned, id: Uuid) -> Result<Option<String>> {
        Ok(self
            .tx()
            .prepare_cached(&format!(
                "SELECT station FROM {} WHERE id = ?1",
                record.table()
            ))?
            .query_row([id.to_string()], |row| row.get(0))
            .optional()?)
    }

    fn committee_short_name(&self, station: &str) -> Result<Option<String>> {
        Ok(self
            .tx()
            .prepare_cached("SELECT committee_short_name FROM stations WHERE code = ?1")?
            .query_row([station], |row| row.get::<_, Option<String>>(0))
            .optional()?
            .flatten())
    }

    fn speaks_for(&self, town: &str, station: &str) -> Result<bool> {
        super::relay::speaks_for(self, town, station)
    }

    fn station_code(&self, id: Uuid) -> Result<Option<String>> {
        Ok(self
            .tx()
            .prepare_cached("SELECT code FROM stations WHERE id = ?1")?
            .query_row([id.to_string()], |row| row.get(0))
            .optional()?)
    }
}

/// Refuses `entry` unless its origin owns what it writes.
pub fn check(holdings: &impl Holdings, entry: &LogEntry) -> Result<()> {
    let sender = entry.origin.as_str();
    match &entry.change {
        Change::StationUpsert(station) if holdings.is_town(sender)? => {
            // The record it rewrites (by id) as well as the code it gives it: else one town
            // could recode a neighbour's station.
            let held = holdings.station_code(station.id)?;
            let codes = std::iter::once(&station.code).chain(held.as_ref());
            if codes
                .map(|code| holdings.speaks_for(sender, code))
                .collect::<Result<Vec<_>>>()?
                .into_iter()
                .all(|speaks| speaks)
            {
                return Ok(());
            }
            Err(not_owner(
                entry,
                &format!("站点{}由其他镇转报，只能由该镇下发", station.code),
            ))
        }
        Change::GridUpsert(_) | Change::StationUpsert(_) | Change::DeputyUpsert(_) => {
            if holdings.is_town(sender)? {
                return Ok(());
            }
            Err(not_owner(entry, "名册（网格、站点、代表）只能由镇人大下发"))
        }
        Change::DutyShiftUpsert(shift) => {
            if shift.station == sender
                || (holdings.is_town(sender)? && holdings.speaks_for(sender, &shift.station)?)
            {
                return Ok(());
            }
            Err(not_owner(
                entry,
                &format!("这是{}的值班安排，只能由该站点或镇人大登记", shift.station),
            ))
        }
        Change::ReceptionCreate(reception) => {
            station_is_sender(entry, &reception.station)?;
            let numbered_by_sender = parse_case_no(&reception.case_no)
                .is_ok_and(|(year, seq)| reception.case_no == case_number(sender, year, seq));
            if !numbered_by_sender {
                return Err(not_owner(
                    entry,
                    &format!(
                        "案件编号“{}”不是以本站代码{sender}开头的编号",
                        reception.case_no
                    ),
                ));
            }
            held_by_sender(holdings, entry, Owned::Reception, reception.id)
        }
        Change::MeetingCreate(meeting) => {
            station_is_sender(entry, &meeting.station)?;
            held_by_sender(holdings, entry, Owned::Meeting, meeting.id)
        }
        Change::MediationCreate(mediation) => {
            station_is_sender(entry, &mediation.station)?;
            // Headed by the sender's code or by its committee's short name on this book's
            // roster: never by another station's, whose numbers it would take.
            let committee = holdings.committee_short_name(sender)?;
            let numbered_by_sender =
                std::iter::once(sender)
                    .chain(committee.as_deref())
                    .any(|prefix| {
                        mediation.number == mediation_number(mediation.year, prefix, mediation.seq)
                    });
            if !numbered_by_sender {
                return Err(not_owner(
                    entry,
                    &format!("调解编号“{}”不是本站{sender}的编号", mediation.number),
                ));
            }
            held_by_sender(holdings, entry, Owned::Mediation, mediation.id)
        }
        Change::DeputyActivityAppend(activity) => {
            station_is_sender(entry, &activity.station)?;
            held_by_sender(holdings, entry, Owned::DeputyActivity, activity.id)
        }
        Change::SuggestionCreate(suggestion) => {
            station_is_sender(entry, &suggestion.station)?;
            if suggestion.number != suggestion_number(sender, suggestion.year, suggestion.seq) {
                return Err(not_owner(
                    entry,
                    &format!("建议编号“{}”不是本站{sender}的编号", suggestion.number),
                ));
            }
            held_by_sender(holdings, entry, Owned::Suggestion, suggestion.id)
        }
        Change::AuditAppend(audit) => {
            station_is_sender(entry, &audit.station)?;
            held_by_sender(holdings, entry, Owned::Audit, audit.id)
        }
        Change::CaseEventAppend(event) => {
            // A case not held here is refused when the event is applied.
            let Some(owner) = holdings.record_station(Owned::Reception, event.reception)? else {
                return Ok(());
            };
            let owner_town = holdings.is_town(sender)? && holdings.speaks_for(sender, &owner)?;
            if may_add_case_event(&owner, sender, owner_town, &event.kind) {
                return Ok(());
            }
            Err(not_owner(
                entry,
                &format!(
                    "这是{owner}的案件，{}",
                    "其他站点不能在上面登记；镇人大只能登记交办、督办和收到答复"
                ),
            ))
        }
        Change::MeetingEventAppend(event) => {
            let Some(owner) = holdings.record_station(Owned::Meeting, event.meeting)? else {
                return Ok(());
            };
            if owner == sender {
                return Ok(());
            }
            Err(not_owner(
                entry,
                &format!("这是{owner}的会议，只有该站点可以登记公示、异议和执行情况"),
            ))
        }
        Change::SuggestionEventAppend(event) => {
            let Some(owner) = holdings.record_station(Owned::Suggestion, event.suggestion)? else {
                return Ok(());
            };
            if owner == sender {
                return Ok(());
            }
            Err(not_owner(
                entry,
                &format!("这是{owner}的代表建议，只有该站点可以登记提交、交办、答复和征询意见"),
            ))
        }
        Change::MediationEventAppend(event) => {
            let Some(owner) = holdings.record_station(Owned::Mediation, event.mediation)? else {
                return Ok(());
            };
            if owner == sender {
                return Ok(());
            }
            Err(not_owner(
                entry,
                &format!("这是{owner}的调解案件，只有该站点可以登记调解过程"),
            ))
        }
    }
}

/// The record an event is written on, for the changes that are events; `None` for the others.
pub fn event_parent(change: &Change) -> Option<(Owned, Uuid)> {
    match change {
        Change::CaseEventAppend(event) => Some((Owned::Reception, event.reception)),
        Change::MeetingEventAppend(event) => Some((Owned::Meeting, event.meeting)),
        Change::MediationEventAppend(event) => Some((Owned::Mediation, event.mediation)),
        Change::SuggestionEventAppend(event) => Some((Owned::Suggestion, event.suggestion)),
        _ => None,
    }
}

/// The station a record a station owns names as its own, with its kind; `None` for the roster
/// and for events.
pub fn owned_record(change: &Change) -> Option<(Owned, Uuid, &str)> {
    match change {
        Change::ReceptionCreate(r) => Some((Owned::Reception, r.id, &r.station)),
        Change::MeetingCreate(r) => Some((Owned::Meeting, r.id, &r.station)),
        Change::MediationCreate(r) => Some((Owned::Mediation, r.id, &r.station)),
        Change::DeputyActivityAppend(r) => Some((Owned::DeputyActivity, r.id, &r.station)),
        Change::SuggestionCreate(r) => Some((Owned::Suggestion, r.id, &r.station)),
        Change::AuditAppend(r) => Some((Owned::Audit, r.id, &r.station)),
        _ => None,
    }
}

/// Whether `sender` may add an event of `kind` to a case that station `owner` recorded: the
/// station itself may add any; the town only its referral (交办), chase (督办) and the reply it
/// received (收到答复).
pub(crate) fn may_add_case_event(
    owner: &str,
    sender: &str,
    sender_is_town: bool,
    kind: &CaseEventKind,
) -> bool {
    owner == sender
        || (sender_is_town
            && matches!(
                kind,
                CaseEventKind::Referred { .. }
                    | CaseEventKind::Chased { .. }
                    | CaseEventKind::ReplyReceived { .. }
            ))
}

/// Whether `code` is this book's town: the book itself in the town's book; in a station's book,
/// the peer it enrolled first (and has not revoked) — the town it syncs with; in a county's,
/// any of its towns (its active peers).
pub(crate) fn is_town(writer: &Writer<'_>, code: &str) -> Result<bool> {
    Ok(match writer.book_kind() {
        BookKind::Town => code == writer.origin(),
        BookKind::Station => town_peer(writer.tx())?.as_deref() == Some(code),
        BookKind::County => writer
            .tx()
            .prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM peers WHERE code = ?1 AND revoked_at IS NULL)",
            )?
            .query_row([code], |row| row.get(0))?,
    })
}

/// A station book's town: its first enrolled peer that is not revoked.
pub(crate) fn town_peer(conn: &rusqlite::Connection) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT code FROM peers WHERE revoked_at IS NULL ORDER BY added_at, code LIMIT 1",
        )?
        .query_row([], |row| row.get(0))
        .optional()?)
}

fn station_is_sender(entry: &LogEntry, station: &str) -> Result<()> {
    if station == entry.origin {
        return Ok(());
    }
    Err(not_owner(
        entry,
        &format!("登记的是{station}的记录，只有该站点本身可以登记"),
    ))
}

/// Refuses a record whose id is already held under another station.
fn held_by_sender(
    holdings: &impl Holdings,
    entry: &LogEntry,
    record: Owned,
    id: Uuid,
) -> Result<()> {
    match holdings.record_station(record, id)? {
        Some(owner) if owner != entry.origin => Err(not_owner(
            entry,
            &format!("该记录编号已属于{owner}，不能被其他站点改写"),
        )),
        _ => Ok(()),
    }
}

fn not_owner(entry: &LogEntry, why: &str) -> Error {
    Error::refused(
        ErrorKind::NotOwner,
        format!(
            "同步包被拒收：{}发来的第{}号变更（{}）越权：{why}",
            entry.origin,
            entry.seq,
            entry.change.entity_label()
        ),
    )
}
