import { describe, expect, it } from 'vitest'
import {
  caseEventAllowed,
  caseEventKind,
  caseEventPrefill,
  checkFields,
  CASE_EVENT_FIELDS,
  MEDIATION_EVENT_FIELDS,
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

  it('asks for the parties\' agreement to mediation and checks an agent', () => {
    const form = emptyMediation()
    expect(checkMediation(form, NOW).agreed_to_mediation).toContain('第十七条')
    form.agreed_to_mediation = true
    form.parties[1].agent_kind = 'legal'
    form.parties[1].agent_phone = '12345'
    const errors = checkMediation(form, NOW)
    expect(errors.agreed_to_mediation).toBeUndefined()
    expect(errors['parties.1.agent.name']).toContain('代理人姓名')
    expect(errors['parties.1.agent.phone']).toContain('手机号码')
    form.parties[0].ethnicity = '汉'.repeat(51)
    expect(checkMediation(form, NOW)['parties.0.ethnicity']).toBeTruthy()
  })

  it('sends 民族, 职业 and an agent only when typed', () => {
    const form = emptyMediation()
    form.agreed_to_mediation = true
    Object.assign(form.parties[0], { name: '伍建国', ethnicity: ' 汉族 ', occupation: '农民' })
    Object.assign(form.parties[1], {
      name: '伍小强',
      agent_kind: 'legal',
      agent_name: ' 伍永强 ',
      agent_relation: '父亲',
      agent_phone: '137 1111 2222',
    })
    const input = mediationInput(form, new Set())
    expect(input.agreed_to_mediation).toBe(true)
    expect(input.parties[0]).toMatchObject({ ethnicity: '汉族', occupation: '农民' })
    expect(input.parties[0]).not.toHaveProperty('agent')
    expect(input.parties[1].agent).toEqual({
      kind: 'legal',
      name: '伍永强',
      relation: '父亲',
      phone: '13711112222',
    })
    expect(input.parties[1]).not.toHaveProperty('ethnicity')
    // A draft kept before these fields existed still sends.
    const old = emptyMediation()
    for (const key of ['ethnicity', 'occupation', 'agent_kind'] as const) delete (old.parties[0] as Partial<typeof old.parties[0]>)[key]
    expect(mediationInput(old, new Set()).parties[0]).not.toHaveProperty('agent')
  })

  it('records investigations, participants, the recorder and an oral agreement', () => {
    expect(mediationEventKind('rights_notified', {})).toEqual({ kind: 'rights_notified' })
    const investigation = mediationEventKind('investigation', {
      place: '围墙现场',
      subject: '邻居伍天成',
      content: '旧界以老石墩为准',
      participants: '镇司法所 邓文杰、 李秀英，',
      recorder: '',
    })
    expect(investigation).toEqual({
      kind: 'investigation',
      place: '围墙现场',
      subject: '邻居伍天成',
      content: '旧界以老石墩为准',
      participants: ['镇司法所 邓文杰', '李秀英'],
    })
    const session = mediationEventKind('session', {
      place: '调解室',
      statements: '双方陈述',
      participants: '',
      recorder: '李秀英',
    })
    expect(session).not.toHaveProperty('participants')
    expect(session).toMatchObject({ recorder: '李秀英' })
    const tooMany = Array.from({ length: 201 }, (_, i) => `人${i}`).join('、')
    expect(
      checkFields(MEDIATION_EVENT_FIELDS.session, { place: '调解室', statements: '陈述', participants: tooMany }, '2026-11-28')
        .participants,
    ).toContain('200')
    const oral = mediationEventKind('result', { result: 'succeeded_oral', routes: '', oral_terms: '当场赔礼道歉' })
    expect(oral).toMatchObject({ kind: 'result', result: 'succeeded_oral', oral_terms: '当场赔礼道歉' })
    expect(mediationEventKind('result', { result: 'failed', routes: '诉讼' })).not.toHaveProperty('oral_terms')
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
