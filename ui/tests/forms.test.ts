import { describe, expect, it } from 'vitest'
import {
  caseEventAllowed,
  caseEventKind,
  caseEventPrefill,
  checkFields,
  CASE_EVENT_FIELDS,
  latestReferralUnit,
  mediationEventKind,
  referralPapers,
} from '../src/lib/eventForm'
import { caseEventDetail } from '../src/lib/labels'
import { checkMeeting, emptyMeeting, meetingInput } from '../src/lib/meeting'
import { checkMediation, emptyMediation, mediationInput } from '../src/lib/mediation'
import { checkReception, emptyReception, receptionInput } from '../src/lib/reception'
import type { CaseEventKindName, CaseStatus } from '../src/api/types'
import { caseDetail } from './fixtures'

const NOW = new Date('2026-11-28T10:00:00+08:00')

function filledReception() {
  const form = emptyReception(new Date('2026-11-28T09:30:00+08:00'))
  form.deputies = ['01a22069-7808-73d6-8a12-47e9e1e9e9ed']
  form.category = '山林土地'
  form.matter = ' 出嫁后户口仍在本村，但今年土地分红被取消 '
  form.request = '请求保障出嫁女的土地权益'
  return form
}

describe('reception form', () => {
  it('asks for what is required', () => {
    const errors = checkReception(emptyReception(NOW), NOW)
    expect(Object.keys(errors).sort()).toEqual(['category', 'deputies', 'matter', 'request'])
  })

  it('marks the visitor field that is wrong, by row', () => {
    const form = filledReception()
    form.consent = true
    form.visitors[0].phone = '12800138000'
    form.visitors.push({ ...form.visitors[0], phone: '', id_number: '110105194912310021' })
    const errors = checkReception(form, NOW)
    expect(errors['visitors.0.phone']).toContain('手机号码')
    expect(errors['visitors.1.id_number']).toContain('最后一位与前17位对不上')
  })

  it('needs consent only for personal data', () => {
    const form = filledReception()
    form.visitors[0].sex = 'female'
    form.visitors[0].age = 60
    expect(checkReception(form, NOW)).toEqual({})
    form.visitors[0].name = '梁桂珍'
    expect(checkReception(form, NOW).consent).toBeTruthy()
    form.consent = true
    expect(checkReception(form, NOW)).toEqual({})
  })

  it('refuses a reception time in the future', () => {
    const form = filledReception()
    form.received_at = new Date('2026-11-29T09:00:00+08:00')
    expect(checkReception(form, NOW).received_at).toContain('晚于现在')
  })

  it('sends trimmed text, no blank visitor rows, and the time as station time', () => {
    const form = filledReception()
    form.consent = true
    // What the picker shows (its local fields) is station time, whatever the PC's zone.
    form.received_at = new Date(2026, 10, 20, 9, 30, 15)
    form.visitors[0] = { ...form.visitors[0], name: ' 梁桂珍 ', phone: '139 2345 6789', id_number: '11010519491231002x' }
    form.visitors.push(emptyReception().visitors[0])
    const input = receptionInput(form)
    expect(input.matter).toBe('出嫁后户口仍在本村，但今年土地分红被取消')
    expect(input.visitors).toEqual([
      {
        name: '梁桂珍',
        sex: null,
        age: null,
        phone: '13923456789',
        id_number: '11010519491231002X',
        address: null,
        representative: false,
      },
    ])
    expect(input.received_at).toBe('2026-11-20T09:30:15+08:00')
    expect(input.subcategory).toBeNull()
  })
})

describe('case events', () => {
  it('sends exactly the fields of the kind', () => {
    expect(caseEventKind('referred', { to: ' 镇农业农村办 ', deadline: '2026-12-01', answer: 'x' })).toEqual({
      kind: 'referred',
      to: '镇农业农村办',
      deadline: '2026-12-01',
    })
    expect(caseEventKind('accepted', { reason: 'x' })).toEqual({ kind: 'accepted' })
    expect(caseEventKind('reply_received', { content: '已补发' })).toEqual({
      kind: 'reply_received',
      from: null,
      content: '已补发',
    })
  })

  it('sends a 督办 with what was filled in and nothing else', () => {
    expect(caseEventKind('chased', { unit: ' 镇交通办 ', by: '', deadline: '' })).toEqual({
      kind: 'chased',
      unit: '镇交通办',
    })
    expect(caseEventKind('chased', { unit: '镇交通办', by: '王主任', deadline: '2026-12-10', to: 'x' })).toEqual({
      kind: 'chased',
      unit: '镇交通办',
      by: '王主任',
      deadline: '2026-12-10',
    })
    expect(caseEventKind('chased', {})).toEqual({ kind: 'chased' })
  })

  it('refuses a deadline before the event’s day, in the store’s words', () => {
    const chased = CASE_EVENT_FIELDS.chased
    // Recorded today (no time given): the new deadline may be today, not yesterday.
    expect(checkFields(chased, { deadline: '2026-11-27' }, '2026-11-28')).toEqual({
      deadline: '督办的新期限不能早于督办日期',
    })
    expect(checkFields(chased, { deadline: '2026-11-28' }, '2026-11-28')).toEqual({})
    expect(checkFields(chased, {}, '2026-11-28'), 'every field may stay empty').toEqual({})
    // Recorded for an earlier day: measured from that day.
    expect(checkFields(chased, { deadline: '2026-11-25' }, '2026-11-28', '2026-11-25')).toEqual({})
    expect(checkFields(chased, { deadline: '2026-11-24' }, '2026-11-28', '2026-11-25')).toEqual({
      deadline: '督办的新期限不能早于督办日期',
    })
    expect(
      checkFields(CASE_EVENT_FIELDS.referred, { to: '镇农业办', deadline: '2026-11-20' }, '2026-11-28'),
    ).toEqual({ deadline: '办理期限不能早于交办日期' })
    const long = checkFields(chased, { unit: '办'.repeat(101), by: '王\u0007' }, '2026-11-28')
    expect(long.unit).toBe('督办单位不能超过100字（现为101字），请精简后保存')
    expect(long.by).toContain('督办人第2个字符是看不见的控制字符')
  })

  it('fills a 督办’s unit with the latest referral’s, and offers the unit’s papers', () => {
    const timeline = caseDetail('x').timeline
    expect(latestReferralUnit(timeline)).toBe('镇农业农村办')
    expect(caseEventPrefill(timeline)).toEqual({ chased: { unit: '镇农业农村办' } })
    expect(referralPapers(timeline)).toEqual({ referral: true, chase: false })
    const chase = { ...timeline[1], id: 'c', kind: 'chased' as const, label: '督办' }
    const again = { ...timeline[1], id: 'r', to: '镇司法所' }
    expect(referralPapers([...timeline, chase])).toEqual({ referral: true, chase: true })
    // A new referral needs its own chase before a 督办单 prints.
    expect(referralPapers([...timeline, chase, again])).toEqual({ referral: true, chase: false })
    expect(latestReferralUnit([...timeline, chase, again])).toBe('镇司法所')
    expect(latestReferralUnit(timeline.slice(0, 1))).toBeNull()
    expect(caseEventPrefill(timeline.slice(0, 1))).toEqual({})
    expect(referralPapers(timeline.slice(0, 1))).toEqual({ referral: false, chase: false })
  })

  it('shows a 督办 on the timeline as the core does', () => {
    expect(caseEventDetail({ kind: 'chased', unit: '镇交通办', by: '王主任', deadline: '2026-12-10' })).toBe(
      '督办镇交通办，督办人：王主任，新期限 2026-12-10',
    )
    expect(caseEventDetail({ kind: 'chased' })).toBeNull()
  })

  it('checks required fields', () => {
    expect(checkFields(CASE_EVENT_FIELDS.not_accepted, { reason: '已起诉' }, '2026-11-28')).toEqual({
      route: expect.stringContaining('请填写'),
    })
  })

  // The transition table of check_transition in reception.rs, and its tests.
  it.each<[CaseStatus, CaseEventKindName, boolean]>([
    ['closed', 'fed_back', false],
    ['closed', 'reopened', true],
    ['in_progress', 'reopened', false],
    ['not_accepted', 'reopened', true],
    ['not_accepted', 'referred', false],
    ['pending', 'accepted', true],
    ['referred', 'accepted', false],
    ['pending', 'chased', false],
    ['referred', 'chased', true],
    ['pending', 'follow_up', false],
    ['fed_back', 'follow_up', true],
    ['pending', 'closed', false],
    ['followed_up', 'closed', true],
    ['sent_back', 'referred', true],
  ])('%s + %s → %s', (status, kind, allowed) => {
    expect(caseEventAllowed(status, kind)).toBe(allowed)
  })
})

describe('mediation', () => {
  it('needs both sides, a mediator and consent', () => {
    const form = emptyMediation()
    form.parties[1].role = 'applicant'
    const errors = checkMediation(form, NOW)
    expect(errors.parties).toContain('申请人和被申请人')
    expect(errors.mediators).toBeTruthy()
    expect(errors.consent).toBeTruthy()
    expect(errors['parties.0.name']).toBeTruthy()
  })

  it('tells deputies on the roster from other mediators', () => {
    const form = emptyMediation()
    form.mediators = ['deputy-id', '镇司法所 邓文杰']
    expect(mediationInput(form, new Set(['deputy-id'])).mediators).toEqual([
      'deputy-id',
      { name: '镇司法所 邓文杰' },
    ])
  })

  it('sends numbers as numbers in events', () => {
    const event = mediationEventKind('agreement', {
      facts: '越界0.4米',
      responsibilities: '被申请人',
      terms: '拆除',
      performance_method: '自行拆除',
      performance_deadline: '2026-12-10',
      performance_place: '东岭村二组',
      amount_yuan: '1200',
      copies: '',
    })
    expect(event).toMatchObject({ kind: 'agreement', amount_yuan: 1200, copies: null })
  })
})

describe('meeting', () => {
  it('checks the counts and votes', () => {
    const form = emptyMeeting()
    Object.assign(form, {
      village: '东岭村',
      held_at: new Date('2026-11-27T19:30:00+08:00'),
      place: '村委会会议室',
      host: '陈志明',
      recorder: '梁少玲',
      expected: 31,
      present: 21,
    })
    form.items[0].title = '村道路灯维修资金使用方案'
    expect(checkMeeting(form, NOW)).toEqual({})
    form.items[0].votes = { for: 15, against: 4, abstain: 3 }
    expect(checkMeeting(form, NOW)['items.0.votes']).toContain('超过实到人数')
    form.present = 40
    expect(checkMeeting(form, NOW).present).toContain('不能多于应到人数')
  })

  it('sends a rights review only when one was made', () => {
    const form = emptyMeeting()
    form.items[0].title = '集体鱼塘重新发包'
    expect(meetingInput(form).items[0].rights_review).toBeNull()
    Object.assign(form.items[0], { reviewed: true, infringes: true, review_note: '未列出嫁女' })
    expect(meetingInput(form).items[0].rights_review).toEqual({
      infringes: true,
      note: '未列出嫁女',
      correction: null,
      revote: null,
    })
    Object.assign(form.items[0], { correction: ' 补列出嫁女 ', revoted: true, revote: { for: 12, against: 0, abstain: 1 } })
    expect(meetingInput(form).items[0].rights_review).toEqual({
      infringes: true,
      note: '未列出嫁女',
      correction: '补列出嫁女',
      revote: { for: 12, against: 0, abstain: 1 },
    })
    // Nothing found: no correction or re-vote is sent, whatever was typed before.
    form.items[0].infringes = false
    expect(meetingInput(form).items[0].rights_review).toMatchObject({ correction: null, revote: null })
  })
})
