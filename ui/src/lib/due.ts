// The 待办 panel of 今日值班: what is owed soon and what is late, as the core's `due` lists it
// (soonest first). What each row says and where its record opens; the rules are the core's
// (docs/domain.md, "Deadlines that are watched").

import type { RouteLocationRaw } from 'vue-router'
import type { DueItem, DueKind, MeetingListing } from '../api/types'

/** The panel looks this many days ahead (and at everything late). */
export const DUE_WITHIN_DAYS = 7

/** Rows shown before 查看全部: the panel stays short on the first screen. */
export const DUE_FIRST_ROWS = 10

/** Rows added by each 查看全部 / 再显示: a very late book does not draw thousands at once. */
export const DUE_PAGE_ROWS = 200

/** What a row's record is, by what is owed. */
export type DueRecord = 'case' | 'mediation' | 'meeting' | 'suggestion'

const RECORD_OF: Record<DueKind, DueRecord> = {
  reply: 'case',
  feedback: 'case',
  follow_up: 'case',
  mediation_term: 'mediation',
  judicial_confirmation: 'mediation',
  performance: 'mediation',
  publication: 'meeting',
  suggestion_answer: 'suggestion',
}

export function dueRecord(kind: DueKind): DueRecord {
  return RECORD_OF[kind]
}

/** `还有3天`, `今天到期`, `已逾期2天`. */
export function dueWhen(daysLeft: number): string {
  if (daysLeft > 0) return `还有${daysLeft}天`
  if (daysLeft === 0) return '今天到期'
  return `已逾期${-daysLeft}天`
}

/** Late rows are marked in red, today's in orange. */
export function dueTone(daysLeft: number): 'late' | 'today' | 'soon' {
  if (daysLeft < 0) return 'late'
  return daysLeft === 0 ? 'today' : 'soon'
}

/** Where the row's record opens: the case, the mediation file, the meeting. */
export function dueLink(item: DueItem): RouteLocationRaw {
  switch (dueRecord(item.kind)) {
    case 'case':
      return `/cases/${encodeURIComponent(item.record)}`
    case 'mediation':
      return { path: '/mediations', query: { open: item.record } }
    case 'meeting':
      return { path: '/meetings', query: { open: item.record } }
    case 'suggestion':
      return { path: '/suggestions', query: { open: item.record } }
  }
}

/**
 * The record as the deputy reads it: a case or mediation number as it is; a meeting, whose id
 * means nothing to anyone, by its day and village when the meeting list has it.
 */
export function dueRecordText(item: DueItem, meetings: readonly MeetingListing[] = []): string {
  if (dueRecord(item.kind) !== 'meeting') return item.record
  const meeting = meetings.find((m) => m.id === item.record)
  return meeting ? `${meeting.held_at.slice(0, 10)} ${meeting.village}会议` : '会议记录'
}

/** The most rows the app sends (`DUE_ROWS_MAX` in src-tauri/src/station.rs). */
export const DUE_MOST_ROWS = 2000

/** How many rows to show after one more 查看全部 / 再显示. */
export function moreRows(shown: number, total: number): number {
  return Math.min(total, shown + DUE_PAGE_ROWS, DUE_MOST_ROWS)
}
