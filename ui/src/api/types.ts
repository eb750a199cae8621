// The records the Tauri commands exchange. Everything that crosses the boundary is generated from
// the Rust types (ts-rs, by src-tauri/src/bindings.rs) into ./generated — regenerate with
// `cargo test -p liaison-station --lib bindings`; CI fails when they differ. What is below is
// the UI's own: names for text formats and unions the UI builds from the generated types.

import type {
  CaseEventKind,
  CaseStatus,
  Document,
  MediationEventKind,
  MeetingEventKind,
  SuggestionEventKind,
} from './generated'

export type * from './generated'

/** A UUID (v7) as text. */
export type Uuid = string
/** A `NaiveDate`: `YYYY-MM-DD`. */
export type IsoDate = string
/** A `DateTime<FixedOffset>`: RFC 3339 with offset, e.g. `2026-11-20T09:30:00+08:00`. */
export type DateTime = string

export type CaseEventKindName = CaseEventKind['kind']
export type MediationEventKindName = MediationEventKind['kind']
export type MeetingEventKindName = MeetingEventKind['kind']
export type SuggestionEventKindName = SuggestionEventKind['kind']

/** The case list's status filter: a status, `awaiting` (owed an answer, not late) or `overdue`. */
export type StatusFilter = CaseStatus | 'awaiting' | 'overdue'

/** An inclusive range of seq numbers, `[from, to]`, as `PeerStatus` lists them. */
export type SeqRange = [number, number]

/** The printed documents, by the `document_html` command's names (casebook-docs `Document`). */
export type DocumentKind = Document
