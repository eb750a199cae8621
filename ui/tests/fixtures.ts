// Records shaped exactly as the commands answer (see src/api/types.ts), for mocked IPC.
import type { BookStatus, CaseDetail, DeputyListing, Today } from '../src/api/types'

/** `book_status` for DL's open, encrypted book with a deputy signed in; `overrides` change it. */
export function bookStatus(overrides: Partial<BookStatus> = {}): BookStatus {
  return {
    open: true,
    code: 'DL',
    name: '东岭村人大代表联络站',
    town: false,
    demo: false,
    path: '/data/dl.db',
    encrypted: true,
    locked: false,
    remembered: false,
    signed_in: { id: '0190aaaa-0000-7000-8000-000000000001', name: '柯建国' },
    sign_in_required: false,
    ...overrides,
  }
}

/** `today` on a day with nothing on it. */
/** The 待办 panel's answer when nothing is owed. */
export const NOTHING_DUE = { items: [], total: 0, late: 0 }

export const EMPTY_TODAY: Today = {
  date: '2026-11-28',
  shifts: [],
  next_shifts: [],
  receptions: [],
  counts: { awaiting: 0, overdue: 0, to_feed_back: 0, to_follow_up: 0 },
  awaiting: [],
  overdue: [],
}

export const DEPUTIES: DeputyListing[] = [
  {
    id: '01a22069-7808-73d6-8a12-47e9e1e9e9ed',
    name: '李秀英',
    congress: 'county',
    grid: 'B01',
    station: 'BX',
    phone: null,
    mediator_since: '2025-03-01',
    active: true,
    congress_label: '县人大代表',
    grid_name: '北溪村第一网格',
    station_name: '北溪村人大代表联络站',
  },
  {
    id: '01a22069-7808-73d6-8a12-47e9e1e9e9ee',
    name: '陈志明',
    congress: 'town',
    grid: 'B01',
    station: 'BX',
    phone: null,
    mediator_since: null,
    active: true,
    congress_label: '镇人大代表',
    grid_name: '北溪村第一网格',
    station_name: '北溪村人大代表联络站',
  },
]

export function caseDetail(matter: string): CaseDetail {
  return {
    reception: {
      id: '01a22069-7875-7626-89f1-bb91c16d76c1',
      case_no: 'BX-2026-0001',
      station: 'BX',
      received_at: '2026-11-20T09:30:00+08:00',
      channel: 'station_visit',
      place: null,
      grid: 'B01',
      deputies: [DEPUTIES[1].id],
      visitors: [
        {
          name: '梁桂珍',
          sex: 'female',
          age: 56,
          phone: '13923456789',
          id_number: '11010519491231002X',
          address: '东岭村三组',
          representative: false,
        },
      ],
      head_count: 1,
      category: '山林土地',
      subcategory: '出嫁女土地权益',
      matter,
      request: '请求保障出嫁女的土地权益',
      proposed_handling: null,
      confidential: false,
      consent: true,
      reply_due: '2026-12-05',
    },
    deputy_names: ['陈志明'],
    status: 'referred',
    status_label: '已交办',
    due: '2026-11-26',
    overdue: true,
    satisfaction: null,
    timeline: [
      {
        id: '01a2205a-0e26-7014-b289-bce94337562a',
        reception: '01a22069-7875-7626-89f1-bb91c16d76c1',
        at: '2026-11-20T09:45:00+08:00',
        deputy: DEPUTIES[1].id,
        note: null,
        kind: 'accepted',
        label: '受理',
        deputy_name: '陈志明',
      },
      {
        id: '01a2205a-0e26-7014-b289-bce94337562c',
        reception: '01a22069-7875-7626-89f1-bb91c16d76c1',
        at: '2026-11-20T16:00:00+08:00',
        deputy: DEPUTIES[1].id,
        note: '<b>附来访人材料两页</b>',
        kind: 'referred',
        to: '镇农业农村办',
        deadline: '2026-11-26',
        label: '交办',
        deputy_name: '陈志明',
      },
    ],
    meetings: [],
    mediations: [],
    suggestions: [],
  }
}
