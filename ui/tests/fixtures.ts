// Records shaped exactly as the commands answer (see src/api/types.ts), for mocked IPC.
import type { CaseDetail, DeputyListing } from '../src/api/types'

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
  }
}
