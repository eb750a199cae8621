// The meeting form's logic: kinds, households, the rule suggested by an item's topic, the
// re-vote after a rights review, and what follows a meeting (公示, objections, execution).
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import MeetingsView from '../src/views/MeetingsView.vue'
import type { MeetingEvent, MeetingListing } from '../src/api/types'
import { MEETING_EVENT_LABELS } from '../src/lib/labels'
import {
  checkMeeting,
  completeItems,
  emptyItem,
  emptyMeeting,
  meetingEventDetail,
  meetingEventFields,
  meetingEventKind,
  meetingEventKinds,
  meetingInput,
  ruleHint,
  setTopic,
  type MeetingForm,
} from '../src/lib/meeting'
import { DEPUTIES } from './fixtures'
import { mountScreen, until } from './helpers'

const NOW = new Date('2026-11-28T10:00:00+08:00')

function filled(kind: MeetingForm['kind'], expected: number, present: number): MeetingForm {
  const form = emptyMeeting()
  Object.assign(form, {
    kind,
    village: '东岭村',
    held_at: new Date('2026-11-27T19:30:00+08:00'),
    place: '村委会会议室',
    host: '陈志明',
    recorder: '梁少玲',
    expected,
    present,
  })
  form.items[0].title = '集体收益分配方案'
  return form
}

describe('meeting kinds and households', () => {
  it('sends households for an assembly or a group, and a quorum rule only for a council', () => {
    const assembly = filled('villagers_assembly', 600, 150)
    Object.assign(assembly, { households_expected: 210, households_present: 140 })
    expect(checkMeeting(assembly, NOW)).toEqual({})
    expect(meetingInput(assembly)).toMatchObject({
      kind: 'villagers_assembly',
      households_expected: 210,
      households_present: 140,
      quorum: null,
    })
    // Households typed, then the kind changed to one whose law counts none: not sent.
    assembly.kind = 'representatives'
    expect(meetingInput(assembly)).toMatchObject({ households_expected: null, households_present: null })
    const council = filled('council', 30, 20)
    expect(meetingInput(council).quorum).toEqual({ numerator: 2, denominator: 3 })
  })

  it('asks for both household counts and refuses more present than expected', () => {
    const group = filled('group', 60, 20)
    group.households_expected = 21
    expect(checkMeeting(group, NOW).households_present).toContain('请填写实到户数')
    group.households_present = 22
    expect(checkMeeting(group, NOW).households_present).toContain('不能多于应到户数')
  })

  it('counts the votes of a household meeting against the households present', () => {
    // 村委会组织法 Art. 22: 140 of 210 households make the quorum, 150 of 600 villagers do not.
    const assembly = filled('villagers_assembly', 600, 150)
    Object.assign(assembly, { households_expected: 210, households_present: 140 })
    assembly.items[0].votes = { for: 141, against: 0, abstain: 0 }
    expect(checkMeeting(assembly, NOW)['items.0.votes']).toContain('超过实到人数（140）')
  })

  it('fills in what an old draft’s items lack', () => {
    const form = emptyMeeting()
    const old = { ...emptyItem() } as Partial<ReturnType<typeof emptyItem>>
    delete old.approval
    delete old.revote
    form.items = [old as ReturnType<typeof emptyItem>]
    expect(completeItems(form)).toBe(true)
    expect(form.items[0].approval).toBe('present_majority')
    expect(form.items[0].revote).toEqual({ for: 0, against: 0, abstain: 0 })
    expect(completeItems(form)).toBe(false)
  })
})

describe('the rule an item needs', () => {
  it('suggests two thirds of all for 土地承包, 集体收益分配 and 成员资格, and keeps a rule chosen by hand', () => {
    const item = emptyItem()
    setTopic(item, 'income_distribution')
    expect(item.approval).toBe('two_thirds_of_all')
    setTopic(item, null)
    expect(item.approval).toBe('present_majority')
    item.approval = 'two_thirds_of_all'
    setTopic(item, 'land_contract')
    setTopic(item, 'membership')
    expect(item.approval).toBe('two_thirds_of_all')
    item.approval = 'present_majority'
    setTopic(item, 'land_contract')
    expect(item.approval, 'the deputy chose a majority: it stays').toBe('present_majority')
  })

  it('warns when a marked item is decided by a majority, or by a council', () => {
    expect(ruleHint('representatives', { topic: 'land_contract', approval: 'present_majority' }, '土地承包')).toContain(
      '三分之二以上',
    )
    expect(ruleHint('representatives', { topic: 'land_contract', approval: 'two_thirds_of_all' }, '土地承包')).toBeNull()
    expect(ruleHint('council', { topic: 'membership', approval: 'two_thirds_of_all' }, '成员资格')).toContain(
      '协商议事',
    )
    expect(ruleHint('council', { topic: null, approval: 'present_majority' }, '')).toBeNull()
  })

  it('needs a corrected text for a re-vote, and no more votes than those present', () => {
    const form = filled('council', 30, 20)
    Object.assign(form.items[0], { reviewed: true, infringes: true, revoted: true })
    form.items[0].revote = { for: 15, against: 6, abstain: 0 }
    const errors = checkMeeting(form, NOW)
    expect(errors['items.0.rights_review.correction']).toContain('纠正后的决议')
    expect(errors['items.0.rights_review.revote']).toContain('超过实到人数')
  })
})

const HELD = '2026-11-27T19:30:00+08:00'

function listing(events: MeetingEvent[] = [], published = false): MeetingListing {
  return {
    id: 'm1',
    kind: 'representatives',
    station: 'BX',
    village: '东岭村',
    held_at: HELD,
    place: '村委会会议室',
    host: '陈志明',
    recorder: '梁少玲',
    deputies: [],
    expected: 31,
    present: 21,
    quorum_met: true,
    items: [
      {
        title: '路灯维修',
        case_no: null,
        discussion: null,
        votes: { for: 15, against: 4, abstain: 2 },
        method: 'show_of_hands',
        resolution: null,
        passed: true,
        rights_review: null,
      },
      {
        title: '鱼塘发包',
        case_no: null,
        discussion: null,
        votes: { for: 12, against: 6, abstain: 3 },
        method: 'secret_ballot',
        approval: 'two_thirds_of_all',
        resolution: null,
        passed: false,
        rights_review: null,
      },
    ],
    published_from: published ? '2026-11-28' : null,
    published_to: published ? '2026-12-04' : null,
    attendance: {
      members_threshold: { rule: 'at_least', numerator: 2, denominator: 3 },
      members_minimum: 21,
      members_met: true,
      households_threshold: null,
      households_minimum: null,
      households_met: false,
      met: true,
      basis: 'members',
      voting_present: 21,
      voting_all: 31,
    },
    needed: [11, 21],
    publication: published ? { from: '2026-11-28', to: '2026-12-04', place: '村务公开栏' } : null,
    events,
    open_objections: events.filter((e) => e.kind === 'objection').length,
  }
}

const objection: MeetingEvent = {
  id: 'o1',
  meeting: 'm1',
  at: '2026-11-29T10:00:00+08:00',
  deputy: null,
  note: null,
  kind: 'objection',
  item: 1,
  raised_by: '梁桂珍',
  content: '维修费用偏高',
}

describe('what follows a meeting', () => {
  it('offers a 公示 only while there is none, an answer only to an open objection, execution only of a decision taken', () => {
    const enabled = (m: MeetingListing) =>
      meetingEventKinds(m, MEETING_EVENT_LABELS)
        .filter((k) => !k.disabled)
        .map((k) => k.value)
    expect(enabled(listing())).toEqual(['published', 'objection', 'carried_out'])
    expect(enabled(listing([objection], true))).toEqual(['objection', 'answered', 'carried_out'])
    const answered: MeetingEvent = { ...objection, id: 'a1', kind: 'answered', objection: 'o1', answer: '已核价' }
    expect(enabled(listing([objection, answered], true))).toEqual(['objection', 'carried_out'])
  })

  it('lets execution name only an item that passed, and sends the item as a number', () => {
    const fields = meetingEventFields(listing([objection]))
    const items = fields.carried_out.find((f) => f.key === 'item')?.options?.map((o) => o.value)
    expect(items).toEqual(['1'])
    expect(fields.answered[0].options?.map((o) => o.value)).toEqual(['o1'])
    expect(meetingEventKind('carried_out', { item: '1', report: ' 路灯已修好 ' }, listing())).toEqual({
      kind: 'carried_out',
      item: 1,
      report: '路灯已修好',
    })
    expect(meetingEventKind('objection', { content: '有异议' }, listing())).toEqual({
      kind: 'objection',
      item: null,
      raised_by: null,
      content: '有异议',
    })
  })

  it('describes each event with its item', () => {
    expect(meetingEventDetail(objection, listing())).toBe('梁桂珍对第1项“路灯维修”：维修费用偏高')
  })
})

describe('the meetings screen', () => {
  afterEach(() => {
    clearMocks()
    vi.restoreAllMocks()
    document.body.innerHTML = ''
  })

  it('reads the list a page at a time, and opens a meeting that is not on the page', async () => {
    const pages: unknown[] = []
    mockIPC((cmd, args) => {
      switch (cmd) {
        case 'meetings':
          pages.push(args)
          return { items: [listing()], has_more: pages.length === 1 }
        case 'meeting':
          return { ...listing(), id: (args as { id: string }).id, village: '西坡村' }
        case 'deputies':
          return DEPUTIES
        default:
          return null
      }
    })
    const wrapper = await mountScreen(MeetingsView)
    expect(wrapper.get('[data-testid="meeting-page-prev"]').attributes('disabled')).toBeDefined()
    await wrapper.get('[data-testid="meeting-page-next"]').trigger('click')
    await until(() => pages.length === 2)
    expect(pages).toEqual([{ page: { offset: 0, limit: 20 } }, { page: { offset: 20, limit: 20 } }])
    expect(wrapper.text()).toContain('第 2 页')
    await until(() => wrapper.get('[data-testid="meeting-page-next"]').attributes('disabled') !== undefined)

    await wrapper.vm.$router.replace({ query: { open: 'far-away' } })
    await until(() => (document.body.textContent ?? '').includes('西坡村'))
  })

  it('shows a meeting’s kind, its rule per item and what followed it, and records an objection', async () => {
    const added: Record<string, unknown>[] = []
    mockIPC((cmd, args) => {
      switch (cmd) {
        case 'meetings':
          expect(args).toEqual({ page: { offset: 0, limit: 20 } })
          return { items: [listing([objection], true)], has_more: false }
        case 'meeting':
          return listing([objection], true)
        case 'deputies':
          return DEPUTIES
        case 'draft':
          return null
        case 'add_meeting_event':
          added.push(args as Record<string, unknown>)
          return { id: 'o2', meeting: 'm1', open_objections: 2 }
        default:
          return null
      }
    })
    const wrapper = await mountScreen(MeetingsView)
    expect(wrapper.text()).toContain('村民代表会议')
    expect(wrapper.text()).toContain('异议1条未答复')
    await wrapper.find('.el-table__row').trigger('click')
    await flushPromises()
    const drawer = document.body.textContent ?? ''
    expect(drawer).toContain('村民委员会组织法第二十六条')
    expect(drawer).toContain('全体成员三分之二以上同意（须赞成至少 21 票）')
    expect(drawer).toContain('梁桂珍对第1项“路灯维修”：维修费用偏高')
    expect(drawer).toContain('2026-11-28 至 2026-12-04')

    const kind = wrapper
      .findAllComponents({ name: 'ElSelect' })
      .find((select) => select.element.closest('[data-testid="event-kind"]') || select.find('[data-testid="event-kind"]').exists())
    expect(kind).toBeDefined()
    kind?.vm.$emit('update:modelValue', 'objection')
    await flushPromises()
    const content = document.querySelector<HTMLTextAreaElement>('[data-testid="event-field-content"] textarea')
    expect(content).not.toBeNull()
    if (!content) return
    content.value = '方案没有写明出嫁女的子女'
    content.dispatchEvent(new Event('input'))
    document.querySelector<HTMLElement>('[data-testid="event-save"]')?.click()
    await flushPromises()
    expect(added).toEqual([
      {
        id: 'm1',
        input: {
          at: null,
          deputy: null,
          note: null,
          kind: 'objection',
          item: null,
          raised_by: null,
          content: '方案没有写明出嫁女的子女',
        },
      },
    ])
  })
})
