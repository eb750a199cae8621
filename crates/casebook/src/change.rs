//! Changes: the unit of writing and of synchronisation.
//!
//! A book is the result of applying its change log in order. Local writes build a [`Change`],
//! apply it and log it in one transaction; an import (bundles) and a replay apply logged
//! changes the same way. Applying is idempotent per record id, so a duplicate does nothing.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{
    AuditEntry, CaseEvent, CouncilMeeting, Deputy, DeputyActivity, DutyShift, Grid, Mediation,
    MediationEvent, MeetingEvent, Reception, Station, Suggestion, SuggestionEvent,
};
use crate::hlc::Hlc;

/// One change to a book. Roster records are upserted (the town owns them and may edit them);
/// station records and timeline events are created once and never edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", content = "record", rename_all = "snake_case")]
pub enum Change {
    /// A grid, new or edited.
    GridUpsert(Grid),
    /// A station, new or edited.
    StationUpsert(Station),
    /// A deputy, new or edited.
    DeputyUpsert(Deputy),
    /// A duty shift, new or edited.
    DutyShiftUpsert(DutyShift),
    /// A reception, which opens its case.
    ReceptionCreate(Reception),
    /// A case timeline event.
    CaseEventAppend(CaseEvent),
    /// A meeting (民主议事会 or a villagers' meeting).
    MeetingCreate(CouncilMeeting),
    /// What followed a meeting: 公示, an objection or its answer, how it was carried out.
    MeetingEventAppend(MeetingEvent),
    /// A mediation file.
    MediationCreate(Mediation),
    /// A mediation event.
    MediationEventAppend(MediationEvent),
    /// A deputies' suggestion (代表建议).
    SuggestionCreate(Suggestion),
    /// A suggestion's event: submitted, assigned, answered, the deputy's opinion.
    SuggestionEventAppend(SuggestionEvent),
    /// An entry of the audit trail.
    AuditAppend(AuditEntry),
    /// A deputy's report to the voters (述职) or training, kept by the station.
    DeputyActivityAppend(DeputyActivity),
}

impl Change {
    /// The entity name in the change log.
    pub fn entity(&self) -> &'static str {
        match self {
            Change::GridUpsert(_) => "grid",
            Change::StationUpsert(_) => "station",
            Change::DeputyUpsert(_) => "deputy",
            Change::DutyShiftUpsert(_) => "duty_shift",
            Change::ReceptionCreate(_) => "reception",
            Change::CaseEventAppend(_) => "case_event",
            Change::MeetingCreate(_) => "meeting",
            Change::MeetingEventAppend(_) => "meeting_event",
            Change::MediationCreate(_) => "mediation",
            Change::MediationEventAppend(_) => "mediation_event",
            Change::SuggestionCreate(_) => "suggestion",
            Change::SuggestionEventAppend(_) => "suggestion_event",
            Change::AuditAppend(_) => "audit",
            Change::DeputyActivityAppend(_) => "deputy_activity",
        }
    }

    /// What it writes, in the words of a refusal a deputy reads.
    pub fn entity_label(&self) -> &'static str {
        match self {
            Change::GridUpsert(_) => "网格",
            Change::StationUpsert(_) => "站点",
            Change::DeputyUpsert(_) => "代表",
            Change::DutyShiftUpsert(_) => "值班安排",
            Change::ReceptionCreate(_) => "接待登记",
            Change::CaseEventAppend(_) => "案件办理记录",
            Change::MeetingCreate(_) => "议事会记录",
            Change::MeetingEventAppend(_) => "会议后续记录",
            Change::MediationCreate(_) => "调解案件",
            Change::MediationEventAppend(_) => "调解过程记录",
            Change::SuggestionCreate(_) => "代表建议",
            Change::SuggestionEventAppend(_) => "代表建议办理记录",
            Change::AuditAppend(_) => "操作记录",
            Change::DeputyActivityAppend(_) => "代表述职和培训记录",
        }
    }

    /// The change's type tag, as in JSON.
    pub fn op(&self) -> &'static str {
        match self {
            Change::GridUpsert(_) => "grid_upsert",
            Change::StationUpsert(_) => "station_upsert",
            Change::DeputyUpsert(_) => "deputy_upsert",
            Change::DutyShiftUpsert(_) => "duty_shift_upsert",
            Change::ReceptionCreate(_) => "reception_create",
            Change::CaseEventAppend(_) => "case_event_append",
            Change::MeetingCreate(_) => "meeting_create",
            Change::MeetingEventAppend(_) => "meeting_event_append",
            Change::MediationCreate(_) => "mediation_create",
            Change::MediationEventAppend(_) => "mediation_event_append",
            Change::SuggestionCreate(_) => "suggestion_create",
            Change::SuggestionEventAppend(_) => "suggestion_event_append",
            Change::AuditAppend(_) => "audit_append",
            Change::DeputyActivityAppend(_) => "deputy_activity_append",
        }
    }

    /// The id of the record it writes.
    pub fn record_id(&self) -> Uuid {
        match self {
            Change::GridUpsert(r) => r.id,
            Change::StationUpsert(r) => r.id,
            Change::DeputyUpsert(r) => r.id,
            Change::DutyShiftUpsert(r) => r.id,
            Change::ReceptionCreate(r) => r.id,
            Change::CaseEventAppend(r) => r.id,
            Change::MeetingCreate(r) => r.id,
            Change::MeetingEventAppend(r) => r.id,
            Change::MediationCreate(r) => r.id,
            Change::MediationEventAppend(r) => r.id,
            Change::SuggestionCreate(r) => r.id,
            Change::SuggestionEventAppend(r) => r.id,
            Change::AuditAppend(r) => r.id,
            Change::DeputyActivityAppend(r) => r.id,
        }
    }
}

/// One entry of a change log: a change with where, when and by whom it was made.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogEntry {
    /// Origin (station code, or the town's code).
    pub origin: String,
    /// Gapless sequence number within the origin, from 1.
    pub seq: i64,
    /// Hybrid logical clock reading, packed.
    pub hlc: i64,
    /// The deputy the change is made for: the first deputy named on the record, when one is.
    pub deputy: Option<Uuid>,
    /// The deputy signed in at the PC that typed the change, apart from those named on it;
    /// none for changes made before sign-in existed, from the command line, or by the roster.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recorder: Option<Uuid>,
    /// Schema version of the book that made it.
    pub schema_version: i64,
    /// For an upsert: the clock of the version it replaced in the book that made it.
    #[serde(default)]
    pub base_hlc: Option<i64>,
    /// The change.
    #[serde(flatten)]
    pub change: Change,
}

impl LogEntry {
    /// The clock reading.
    pub fn hlc(&self) -> Hlc {
        Hlc::from_packed(self.hlc)
    }
}
