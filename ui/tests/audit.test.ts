import { describe, expect, it } from 'vitest'
import type { AuditListing, DeputyListing } from '../src/api/types'
import { auditQuery, auditRow, stationChoices } from '../src/lib/audit'

const none = { deputy: null, range: null, action: null, station: null }

describe('auditQuery', () => {
  it('sends no filter for what is not chosen, a cleared select included', () => {
    expect(auditQuery(none, 0)).toEqual({
      from: null,
      to: null,
      deputy: null,
      action: null,
      station: null,
      limit: 50,
      offset: 0,
    })
    expect(auditQuery({ ...none, deputy: '', station: ' ' }, 0).deputy).toBeNull()
    expect(auditQuery({ ...none, deputy: '', station: ' ' }, 0).station).toBeNull()
  })

  it('sends the chosen filters and the page', () => {
    const query = auditQuery(
      { deputy: 'd1', range: ['2026-11-01', '2026-11-30'], action: 'document_print', station: 'DL' },
      100,
      20,
    )
    expect(query).toEqual({
      from: '2026-11-01',
      to: '2026-11-30',
      deputy: 'd1',
      action: 'document_print',
      station: 'DL',
      limit: 20,
      offset: 100,
    })
  })
})

function deputy(station: string | null, station_name: string | null): DeputyListing {
  return { station, station_name } as DeputyListing
}

describe('stationChoices', () => {
  it('lists the town itself first, then each station once by code', () => {
    const choices = stationChoices(
      [deputy('XS', '西山村联络站'), deputy('DL', '东岭村联络站'), deputy('DL', '东岭村联络站'), deputy(null, null)],
      'QX',
    )
    expect(choices).toEqual([
      { code: 'QX', name: 'QX 本级' },
      { code: 'DL', name: 'DL 东岭村联络站' },
      { code: 'XS', name: 'XS 西山村联络站' },
    ])
  })
})

describe('auditRow', () => {
  const line: AuditListing = {
    id: '0192d3c4-0000-7000-8000-000000000001',
    station: 'DL',
    at: '2026-11-20T09:30:05+08:00',
    deputy: null,
    deputy_name: null,
    channel: 'app',
    channel_label: '桌面程序',
    action: 'document_print',
    action_label: '打印文书',
    subject: 'DL-2026-0001',
    detail: '接待回执',
  }

  it('reads as the table shows it', () => {
    expect(auditRow(line)).toEqual({
      at: '2026-11-20 09:30',
      station: 'DL',
      deputy: '—',
      action: '打印文书',
      subject: 'DL-2026-0001',
      detail: '接待回执',
      channel: '桌面程序',
    })
  })

  it('says so when a deputy is not on the roster, and names one who is', () => {
    expect(auditRow({ ...line, deputy: 'x', subject: null, detail: null })).toMatchObject({
      deputy: '（名册中没有）',
      subject: '—',
      detail: '—',
    })
    expect(auditRow({ ...line, deputy: 'x', deputy_name: '陈建国' }).deputy).toBe('陈建国')
  })

  it('writes a range of days with 至, so that each day stays whole', () => {
    const excel = { ...line, action: 'excel_export' as const, subject: '2026-11-01..2026-11-30' }
    expect(auditRow(excel).subject).toBe('2026-11-01 至 2026-11-30')
  })
})
