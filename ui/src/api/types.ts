// The records the Tauri commands exchange, as serde writes and reads them.
//
// Sources (keep in step): crates/casebook/src/domain/{reception,meeting,mediation,roster,category}.rs,
// crates/casebook/src/store/{read,ops,stats}.rs, crates/casebook/src/bundle/mod.rs,
// crates/sync/src/lib.rs, and the shell's src-tauri/src/{station,settings,error}.rs. Rules: enums are snake_case strings; `Option<T>` is serialised as `T | null` (no
// field is skipped); `#[serde(flatten)]` merges fields; `#[serde(tag = "kind")]` is a union on
// `kind`. Input structs read `#[serde(default)]` fields as optional.

/** A UUID (v7) as text. */
export type Uuid = string
/** A `NaiveDate`: `YYYY-MM-DD`. */
export type IsoDate = string
/** A `DateTime<FixedOffset>`: RFC 3339 with offset, e.g. `2026-11-20T09:30:00+08:00`. */
export type DateTime = string

// ---------------------------------------------------------------- errors

export type ErrorKind =
  | 'invalid'
  | 'invalid_id_number'
  | 'invalid_phone'
  | 'future_date'
  | 'quorum'
  | 'unknown_category'
  | 'unknown_deputy'
  | 'consent_required'
  | 'invalid_transition'
  | 'bad_input'
  | 'not_found'
  | 'already_exists'
  | 'bad_bundle'
  | 'wrong_recipient'
  | 'unknown_origin'
  | 'bad_signature'
  | 'log_behind_peer'
  | 'not_owner'
  | 'storage'
  // The shell's own kinds (src-tauri/src/error.rs).
  | 'no_book'
  | 'internal'
  | 'unreachable'
  | 'sync_refused'

/** What a rejected command carries. */
export interface CommandError {
  kind: ErrorKind
  /** Chinese, ready to show. */
  message: string
}

// ---------------------------------------------------------------- reception.rs

export type Channel = 'station_visit' | 'grid_visit' | 'phone' | 'wechat' | 'letter'
export type Sex = 'male' | 'female'
export type Satisfaction = 'satisfied' | 'basically_satisfied' | 'dissatisfied'

export interface Visitor {
  name: string | null
  sex: Sex | null
  age: number | null
  phone: string | null
  id_number: string | null
  address: string | null
  representative: boolean
}

/** `Visitor` as read: every field has a default. */
export type VisitorInput = Partial<Visitor>

export interface Reception {
  id: Uuid
  case_no: string
  station: string
  received_at: DateTime
  channel: Channel
  place: string | null
  grid: string | null
  deputies: Uuid[]
  visitors: Visitor[]
  head_count: number
  category: string
  subcategory: string | null
  matter: string
  request: string
  proposed_handling: string | null
  confidential: boolean
  consent: boolean
  reply_due: IsoDate
}

export interface ReceptionInput {
  received_at: DateTime
  channel: Channel
  /** Deputy ids or exact names. */
  deputies: string[]
  visitors?: VisitorInput[]
  head_count?: number | null
  category: string
  subcategory?: string | null
  matter: string
  request: string
  proposed_handling?: string | null
  place?: string | null
  grid?: string | null
  reply_due?: IsoDate | null
  confidential?: boolean
  consent?: boolean
}

/** `CaseEventKind`: internally tagged on `kind`. */
export type CaseEventKind =
  | { kind: 'accepted' }
  | { kind: 'answered_on_spot'; answer: string }
  | { kind: 'not_accepted'; reason: string; route: string }
  | { kind: 'referred'; to: string; deadline: IsoDate }
  | { kind: 'chased' }
  | { kind: 'reply_received'; from: string | null; content: string }
  | { kind: 'fed_back' }
  | { kind: 'follow_up'; satisfaction: Satisfaction }
  | { kind: 'sent_back'; reason: string }
  | { kind: 'to_council' }
  | { kind: 'to_mediation'; mediation_no: string | null }
  | { kind: 'closed' }
  | { kind: 'reopened'; reason: string }

export type CaseEventKindName = CaseEventKind['kind']

/** `CaseEvent`: the kind is flattened into the record. */
export type CaseEvent = {
  id: Uuid
  reception: Uuid
  at: DateTime
  deputy: Uuid | null
  note: string | null
} & CaseEventKind

export type CaseEventInput = {
  at?: DateTime | null
  /** Deputy id or exact name. */
  deputy?: string | null
  note?: string | null
} & CaseEventKind

export type CaseStatus =
  | 'pending'
  | 'in_progress'
  | 'referred'
  | 'replied'
  | 'fed_back'
  | 'followed_up'
  | 'sent_back'
  | 'in_council'
  | 'in_mediation'
  | 'not_accepted'
  | 'closed'

// ---------------------------------------------------------------- roster.rs

export type GridLevel = 'center' | 'area' | 'base'
export type CongressLevel = 'city' | 'county' | 'town'

export interface Grid {
  id: Uuid
  code: string
  name: string
  level: GridLevel
  parent: string | null
  committees: string[]
}

export interface Station {
  id: Uuid
  code: string
  name: string
  level: GridLevel
  grid: string | null
  phone: string | null
  address: string | null
}

export interface Deputy {
  id: Uuid
  name: string
  congress: CongressLevel
  grid: string | null
  station: string | null
  phone: string | null
  mediator_since: IsoDate | null
  active: boolean
}

export interface DutyShift {
  id: Uuid
  station: string
  date: IsoDate
  /** `HH:MM` */
  starts: string
  /** `HH:MM` */
  ends: string
  deputies: Uuid[]
}

// ---------------------------------------------------------------- meeting.rs

export type VoteMethod = 'show_of_hands' | 'secret_ballot'

export interface Votes {
  for: number
  against: number
  abstain: number
}

export interface QuorumRule {
  numerator: number
  denominator: number
}

export interface RightsReview {
  infringes: boolean
  note: string | null
  correction: string | null
}

export interface AgendaItem {
  title: string
  case_no: string | null
  discussion: string | null
  votes: Votes
  method: VoteMethod
  resolution: string | null
  passed: boolean
  rights_review: RightsReview | null
}

export interface CouncilMeeting {
  id: Uuid
  station: string
  village: string
  held_at: DateTime
  place: string
  host: string
  recorder: string
  deputies: Uuid[]
  expected: number
  present: number
  quorum: QuorumRule
  quorum_met: boolean
  items: AgendaItem[]
  published_from: IsoDate | null
  published_to: IsoDate | null
}

export interface RightsReviewInput {
  infringes: boolean
  note?: string | null
  correction?: string | null
}

export interface AgendaItemInput {
  title: string
  case_no?: string | null
  discussion?: string | null
  votes?: Partial<Votes>
  method?: VoteMethod | null
  resolution?: string | null
  rights_review?: RightsReviewInput | null
}

export interface MeetingInput {
  village: string
  held_at: DateTime
  place: string
  host: string
  recorder: string
  deputies?: string[]
  expected: number
  present: number
  quorum?: QuorumRule | null
  items: AgendaItemInput[]
  published_from?: IsoDate | null
  published_to?: IsoDate | null
}

// ---------------------------------------------------------------- mediation.rs

export type MediationSource = 'application' | 'own_initiative' | 'transferred' | 'entrusted'
export type PartyRole = 'applicant' | 'respondent'
export type MediationResult = 'succeeded_written' | 'succeeded_oral' | 'failed' | 'terminated'
export type Performance = 'full' | 'partial' | 'none'
export type ConfirmationResult = 'pending' | 'confirmed' | 'rejected'

export interface Party {
  role: PartyRole
  name: string
  sex: Sex | null
  age: number | null
  phone: string | null
  id_number: string | null
  address: string | null
}

export type PartyInput = Pick<Party, 'role' | 'name'> & Partial<Omit<Party, 'role' | 'name'>>

export interface Mediator {
  deputy: Uuid | null
  name: string
}

/** A deputy (id or name; must be an invited mediator) or someone not on the roster. */
export type MediatorInput = string | { name: string }

export type MediationEventKind =
  | { kind: 'session'; place: string; statements: string; facts: string | null; outcome: string | null }
  | {
      kind: 'agreement'
      facts: string
      responsibilities: string
      terms: string
      performance_method: string
      performance_deadline: IsoDate
      performance_place: string
      amount_yuan: number | null
      copies: number | null
    }
  | { kind: 'result'; result: MediationResult; routes: string | null }
  | { kind: 'performance'; performance: Performance }
  | { kind: 'follow_up'; satisfaction: Satisfaction }
  | { kind: 'judicial_confirmation'; applied_on: IsoDate; court: string; result: ConfirmationResult }

export type MediationEventKindName = MediationEventKind['kind']

export type MediationEvent = {
  id: Uuid
  mediation: Uuid
  at: DateTime
  deputy: Uuid | null
  note: string | null
} & MediationEventKind

export type MediationEventInput = {
  at?: DateTime | null
  deputy?: string | null
  note?: string | null
} & MediationEventKind

export interface Mediation {
  id: Uuid
  number: string
  station: string
  year: number
  seq: number
  case_no: string | null
  source: MediationSource
  dispute_type: string
  dispute_subtype: string | null
  accepted_at: DateTime
  summary: string
  parties: Party[]
  mediators: Mediator[]
  consent: boolean
}

export interface MediationInput {
  case_no?: string | null
  source: MediationSource
  dispute_type: string
  dispute_subtype?: string | null
  accepted_at?: DateTime | null
  summary: string
  parties: PartyInput[]
  mediators: MediatorInput[]
  consent?: boolean
}

export interface MediationState {
  result: MediationResult | null
  agreement_on: IsoDate | null
  performance: Performance | null
  confirmation: ConfirmationResult | null
  satisfaction: Satisfaction | null
}

// ---------------------------------------------------------------- store/read.rs

export interface CaseSummary {
  id: Uuid
  case_no: string
  received_at: DateTime
  channel: Channel
  category: string
  subcategory: string | null
  status: CaseStatus
  status_label: string
  due: IsoDate
  overdue: boolean
  matter: string
  /** Visitors' names; anonymous visitors are left out. */
  visitors: string[]
  head_count: number
}

/** `TimelineEntry`: the event flattened, with its label and the recording deputy's name. */
export type TimelineEntry = {
  label: string
  deputy_name: string | null
} & CaseEvent

export interface CaseDetail {
  reception: Reception
  deputy_names: string[]
  status: CaseStatus
  status_label: string
  due: IsoDate
  overdue: boolean
  satisfaction: Satisfaction | null
  timeline: TimelineEntry[]
  /** Ids of council meetings with an agenda item linked to the case. */
  meetings: Uuid[]
  /** Numbers of mediation files opened for the case. */
  mediations: string[]
}

export type DeputyListing = Deputy & { congress_label: string }

export type MeetingListing = CouncilMeeting

export type MediationListing = Mediation & {
  state: MediationState
  overdue: boolean
  events: MediationEvent[]
}

// ---------------------------------------------------------------- store/ops.rs

export interface ReceptionAdded {
  id: Uuid
  case_no: string
}

export interface CaseEventAdded {
  id: Uuid
  case_no: string
  status: CaseStatus
  status_label: string
}

export interface MeetingAdded {
  id: Uuid
  quorum_met: boolean
  quorum_minimum: number
  passed: boolean[]
}

export interface MediationAdded {
  id: Uuid
  number: string
}

export interface MediationEventAdded {
  id: Uuid
  number: string
  state: MediationState
}

export interface RosterImported {
  grids: number
  stations: number
  deputies: number
  duty: number
  unchanged: number
}

// ---------------------------------------------------------------- store/stats.rs

export interface Count {
  key: string
  label: string
  count: number
}

export interface SatisfactionStats {
  satisfied: number
  basically_satisfied: number
  dissatisfied: number
  rate: number | null
}

export interface MediationStats {
  accepted: number
  succeeded: number
  failed: number
  terminated: number
  open: number
  overdue: number
  success_rate: number | null
  judicial_confirmations_applied: number
  judicial_confirmations_confirmed: number
}

export interface MeetingStats {
  held: number
  quorate: number
}

/** One row of the Ministry of Justice's mediation table. */
export interface DisputeTypeRow {
  dispute_type: string
  accepted: number
  succeeded: number
  performed: number
  judicially_confirmed: number
  amount_yuan: number
}

/** A deputy's work in the range (履职档案). */
export interface DeputyRecord {
  id: string
  name: string
  station: string | null
  /** The congress label, e.g. 县人大代表. */
  congress: string
  receptions: number
  duty_days: number
  mediations: number
  meetings: number
}

export interface Stats {
  station: string | null
  from: IsoDate | null
  to: IsoDate | null
  receptions: number
  people: number
  collective_visits: number
  by_category: Count[]
  by_status: Count[]
  by_channel: Count[]
  by_grid: Count[]
  by_deputy: Count[]
  overdue: number
  satisfaction: SatisfactionStats
  mediation: MediationStats
  meetings: MeetingStats
  /** All 19 dispute types in order, zero rows kept. */
  mediation_by_type: DisputeTypeRow[]
  deputies: DeputyRecord[]
}

// ---------------------------------------------------------------- bundle/mod.rs

export interface Peer {
  code: string
  sign_public: string
  seal_public: string
  added_at: string
  revoked_at: string | null
}

export interface Exported {
  /** The bundle file; null when there was nothing new to send. */
  path: string | null
  from_seq: number
  to_seq: number
  changes: number
  bytes: number
  receipts: number
}

export interface Imported {
  applied: number
  duplicates: number
  pending: number
  quarantined: number
  receipts: number
}

/** An inclusive range of seq numbers, `[from, to]`. */
export type SeqRange = [number, number]

export interface PeerStatus {
  peer: string
  revoked: boolean
  last_exported_seq: number
  last_export_at: string | null
  acknowledged_seq: number
  unacknowledged: number
  peer_missing: SeqRange[]
  received_seq: number
  last_import_at: string | null
  gaps: SeqRange[]
  /** Why sending to this peer stopped (this book was restored from an older backup). */
  held_back: string | null
  /** The peer's bundles kept aside here, oldest first. */
  quarantined: Quarantined[]
}

/** A bundle kept aside: refused (`reason` set) or of a newer schema. */
export interface Quarantined {
  bundle_id: string
  origin: string
  schema_version: number
  received_at: string
  bytes: number
  refusal_kind: ErrorKind | null
  reason: string | null
}

// ---------------------------------------------------------------- sync/src/lib.rs

export interface SyncOutcome {
  pushed: number
  push: Imported | null
  acknowledged_seq: number
  pulled: Imported | null
}

export interface WorkerState {
  cycles: number
  failures: number
  last_error: string | null
  last_outcome: SyncOutcome | null
  /** When the last cycle ended, well or not (station time, RFC 3339). */
  last_attempt_at: string | null
  /** When a cycle last completed. */
  last_success_at: string | null
}

/** render/mod.rs Document::ALL: the printed documents, by the CLI's `render` names. */
export type DocumentKind =
  | 'slip'
  | 'register'
  | 'mediation-application'
  | 'mediation-intake'
  | 'mediation-record'
  | 'agreement'
  | 'follow-up'
  | 'mediation-cover'
  | 'minutes'

/** report/mod.rs ReportKind. */
export type ReportKind = 'weekly' | 'monthly'

/** bundle/keys.rs PublicKeys: what the town needs to enroll this station. */
export interface PublicKeys {
  origin: string
  sign_public: string
  seal_public: string
}

// ---------------------------------------------------------------- store/read.rs (the app's lists)

export interface DutyDeputy {
  id: Uuid
  name: string
}

/** A duty shift with its deputies' names. */
export interface DutyShiftListing {
  id: Uuid
  station: string
  date: IsoDate
  /** `HH:MM` */
  starts: string
  /** `HH:MM` */
  ends: string
  deputies: DutyDeputy[]
}

// ---------------------------------------------------------------- src-tauri/src/station.rs, settings.rs

export interface BookStatus {
  open: boolean
  code: string | null
  name: string | null
  town: boolean
  demo: boolean
  path: string | null
}

export interface Today {
  date: IsoDate
  shifts: DutyShiftListing[]
  /** Received today. */
  receptions: CaseSummary[]
  /** Awaiting an answer, not yet late. */
  awaiting: CaseSummary[]
  /** Awaiting an answer past the due date. */
  overdue: CaseSummary[]
}

/** A case status name; `awaiting` (owed an answer, not late) or `overdue` (late). */
export type StatusFilter = CaseStatus | 'awaiting' | 'overdue'

export interface CaseFilter {
  status: StatusFilter | null
  category: string | null
  query: string | null
  limit: number
  offset: number
}

export interface CasePage {
  cases: CaseSummary[]
  has_more: boolean
}

export interface SyncView {
  peers: PeerStatus[]
  hub_url: string | null
  worker: WorkerState | null
}

export interface Settings {
  station_phone: string
  hub_url: string
  large_font: boolean
}
