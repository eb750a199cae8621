import { describe, expect, it } from 'vitest'
import {
  addDays,
  formatDateTime,
  formatLongDate,
  isStationTodayCell,
  stationNow,
  stationToday,
  toRfc3339,
  weekOf,
} from '../src/lib/time'

describe('station time', () => {
  it('takes the station day (UTC+8) whatever the PC zone', () => {
    expect(stationToday(new Date('2026-11-27T16:30:00Z'))).toBe('2026-11-28')
    expect(stationToday(new Date('2026-11-27T15:59:00Z'))).toBe('2026-11-27')
  })

  it('finds the week from Monday', () => {
    expect(weekOf('2026-11-28')).toEqual({ from: '2026-11-23', to: '2026-11-29' })
    expect(weekOf('2026-11-23')).toEqual({ from: '2026-11-23', to: '2026-11-29' })
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01')
  })

  it('reads the pickers as station time whatever the PC zone', () => {
    const instant = new Date('2026-11-27T11:30:00Z')
    expect(toRfc3339(stationNow(instant))).toBe('2026-11-27T19:30:00+08:00')
  })

  it('shows stored times as written', () => {
    expect(formatDateTime('2026-11-20T09:30:45+08:00')).toBe('2026-11-20 09:30')
    expect(formatLongDate('2026-11-20')).toBe('2026年11月20日 星期五')
  })
})

describe('isStationTodayCell', () => {
  const day = (iso: string) => ({
    format: () => iso,
    date: () => Number(iso.slice(8, 10)),
  })

  it('marks the day cell of the station’s today only', () => {
    expect(isStationTodayCell({ text: 5, dayjs: day('2026-12-05') }, '2026-12-05')).toBe(true)
    // The PC, behind in its zone, still says the 4th: that cell is not today.
    expect(isStationTodayCell({ text: 4, dayjs: day('2026-12-04') }, '2026-12-05')).toBe(false)
  })

  it('leaves month and year cells alone', () => {
    expect(isStationTodayCell({ text: 11, renderText: '十二月', dayjs: day('2026-12-01') }, '2026-12-01')).toBe(false)
    expect(isStationTodayCell({ text: 2026, dayjs: day('2026-01-01') }, '2026-01-01')).toBe(false)
    expect(isStationTodayCell({ text: 5 }, '2026-12-05')).toBe(false)
  })
})
