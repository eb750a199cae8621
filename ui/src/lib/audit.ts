// The 操作记录 screen's pure parts: the filters as the `audit_trail` command takes them, the
// stations a town's book can filter by, and how a line reads.

import type { AuditAction, AuditListing, AuditQuery, DeputyListing, IsoDate } from '../api/types'
import { formatDateTime } from './time'

/** Lines per page (加载更多 fetches the next). */
export const AUDIT_PAGE = 50

/** What the screen's filters hold; an empty choice is `null`. */
export interface AuditFilters {
  deputy: string | null
  /** From and to, inclusive, as the date range picker gives them. */
  range: [IsoDate, IsoDate] | null
  action: AuditAction | null
  station: string | null
}

/** The query for the page at `offset` (a cleared select gives `''`: no filter). */
export function auditQuery(filters: AuditFilters, offset: number, limit: number = AUDIT_PAGE): AuditQuery {
  return {
    from: filters.range?.[0] || null,
    to: filters.range?.[1] || null,
    deputy: filters.deputy || null,
    action: filters.action || null,
    station: filters.station?.trim() || null,
    limit,
    offset,
  }
}

/** The stations a town's book holds lines of: its own code first, then the roster's stations. */
export function stationChoices(deputies: DeputyListing[], own: string | null | undefined): { code: string; name: string }[] {
  const names = new Map<string, string>()
  for (const d of deputies) {
    if (d.station && !names.has(d.station)) names.set(d.station, d.station_name ?? d.station)
  }
  const stations = [...names.entries()]
    .filter(([code]) => code !== own)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([code, name]) => ({ code, name: `${code} ${name}` }))
  return own ? [{ code: own, name: `${own} 本级` }, ...stations] : stations
}

/** A range of days as the CLI and the reports name it: `2026-11-01..2026-11-30`. */
const DAY_RANGE = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/

/** A line of the table as it reads: `—` for what the entry does not say. */
export function auditRow(line: AuditListing): {
  at: string
  station: string
  deputy: string
  action: string
  subject: string
  detail: string
  channel: string
} {
  return {
    at: formatDateTime(line.at),
    station: line.station,
    deputy: line.deputy_name ?? (line.deputy ? '（名册中没有）' : '—'),
    action: line.action_label,
    subject: line.subject?.replace(DAY_RANGE, '$1 至 $2') ?? '—',
    detail: line.detail ?? '—',
    channel: line.channel_label,
  }
}
