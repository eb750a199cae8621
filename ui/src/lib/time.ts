// Dates and times. The book keeps station time (UTC+8) whatever the PC's clock zone is: "today"
// is the station's day, and stored times are shown as written (they already carry +08:00).

import type { DateTime, IsoDate } from '../api/types'

const STATION_OFFSET_MS = 8 * 3600 * 1000
const DAY_MS = 24 * 3600 * 1000

const pad = (n: number, width = 2) => String(Math.abs(n)).padStart(width, '0')

/** The station's date at `now`. */
export function stationToday(now: Date = new Date()): IsoDate {
  return new Date(now.getTime() + STATION_OFFSET_MS).toISOString().slice(0, 10)
}

/** `date` + `days`, for `YYYY-MM-DD` dates. */
export function addDays(date: IsoDate, days: number): IsoDate {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10)
}

/** Monday and Sunday of the week that holds `date`. */
export function weekOf(date: IsoDate): { from: IsoDate; to: IsoDate } {
  const weekday = (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7
  const from = addDays(date, -weekday)
  return { from, to: addDays(from, 6) }
}

/**
 * The station's wall clock at `now`, as a Date whose local fields (what the date pickers show
 * and edit) read station time, whatever zone the PC is set to.
 */
export function stationNow(now: Date = new Date()): Date {
  return new Date(now.getTime() + STATION_OFFSET_MS + now.getTimezoneOffset() * 60_000)
}

/**
 * A time picked on a form (its wall clock read as station time, as `stationNow` gives it) as
 * RFC 3339 with the station's offset, whole seconds: what the commands read.
 */
export function toRfc3339(at: Date): DateTime {
  return (
    `${pad(at.getFullYear(), 4)}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}` +
    `T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}+08:00`
  )
}

/** `2026-11-20T09:30:00+08:00` → `2026-11-20 09:30`, in the time's own (station) offset. */
export function formatDateTime(at: DateTime): string {
  return `${at.slice(0, 10)} ${at.slice(11, 16)}`
}

/** `2026-12-05T18:30:00+08:00` → `2026年12月5日 18:30`, in the time's own (station) offset. */
export function formatChineseDateTime(at: DateTime): string {
  const [y, m, d] = at.slice(0, 10).split('-').map(Number)
  return `${y}年${m}月${d}日 ${at.slice(11, 16)}`
}

/** `2026-11-20` → `2026年11月20日 星期五`. */
export function formatLongDate(date: IsoDate): string {
  const weekday = '日一二三四五六'[new Date(`${date}T00:00:00Z`).getUTCDay()]
  const [y, m, d] = date.split('-').map(Number)
  return `${y}年${m}月${d}日 星期${weekday}`
}

/** A day cell of Element Plus' date pickers, as far as `isStationTodayCell` reads it. */
export interface PickerCell {
  text?: number | string
  renderText?: string
  dayjs?: { format(template: string): string; date(): number }
}

/**
 * Whether a picker cell is the station's today. The pickers' own "today" follows the PC's clock
 * zone; this one follows the station's. Only day cells qualify: month cells carry a name, and a
 * year cell's number is no day of the month.
 */
export function isStationTodayCell(cell: PickerCell, today: IsoDate = stationToday()): boolean {
  const day = cell.dayjs
  if (!day || cell.renderText !== undefined) return false
  return Number(cell.text) === day.date() && day.format('YYYY-MM-DD') === today
}
