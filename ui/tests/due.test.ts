import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import type { DueItem, DueKind, DueList } from '../src/api/types'
import TodayView from '../src/views/TodayView.vue'
import {
  DUE_FIRST_ROWS,
  DUE_MOST_ROWS,
  DUE_PAGE_ROWS,
  dueLink,
  dueRecordText,
  dueTone,
  dueWhen,
  moreRows,
} from '../src/lib/due'
import { mountScreen, until } from './helpers'

const TODAY = {
  date: '2026-12-05',
  shifts: [],
  next_shifts: [],
  receptions: [],
  counts: { awaiting: 0, overdue: 1, to_feed_back: 0, to_follow_up: 0 },
  awaiting: [],
  overdue: [],
}

const MEETING_ID = '01a22069-7808-73d6-8a12-47e9e1e9e9aa'

function item(kind: DueKind, record: string, date: string, days_left: number, label = '答复来访人'): DueItem {
  return { kind, label, record, date, days_left }
}

const DUE: DueItem[] = [
  item('reply', 'BX-2026-0007', '2026-12-03', -2),
  item('follow_up', 'BX-2026-0003', '2026-12-05', 0, '回访'),
  item('mediation_term', '（2026）BX人调字第3号', '2026-12-08', 3, '调解满一个月'),
  item('publication', MEETING_ID, '2026-12-12', 7, '公示期满'),
]

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
})

describe('待办: what a row says', () => {
  it('counts the days left, today and the days late', () => {
    expect(dueWhen(3)).toBe('还有3天')
    expect(dueWhen(1)).toBe('还有1天')
    expect(dueWhen(0)).toBe('今天到期')
    expect(dueWhen(-1)).toBe('已逾期1天')
    expect(dueWhen(-40)).toBe('已逾期40天')
    expect([dueTone(-1), dueTone(0), dueTone(1)]).toEqual(['late', 'today', 'soon'])
  })

  it('opens a case, a mediation file or a meeting by what is owed', () => {
    expect(dueLink(DUE[0])).toBe('/cases/BX-2026-0007')
    expect(dueLink(item('feedback', 'BX-2026-0001', '2026-12-06', 1))).toBe('/cases/BX-2026-0001')
    for (const kind of ['mediation_term', 'judicial_confirmation', 'performance'] as const) {
      expect(dueLink(item(kind, '（2026）BX人调字第3号', '2026-12-08', 3))).toEqual({
        path: '/mediations',
        query: { open: '（2026）BX人调字第3号' },
      })
    }
    expect(dueLink(DUE[3])).toEqual({ path: '/meetings', query: { open: MEETING_ID } })
  })

  it('names a meeting by its day and village, never by its id', () => {
    expect(dueRecordText(DUE[0])).toBe('BX-2026-0007')
    expect(dueRecordText(DUE[3])).toBe('会议记录')
    const meeting = { id: MEETING_ID, held_at: '2026-11-28T09:00:00+08:00', village: '东岭村' }
    expect(dueRecordText(DUE[3], [meeting as never])).toBe('2026-11-28 东岭村会议')
  })

  it('shows more a page at a time, up to the most the app sends', () => {
    expect(moreRows(DUE_MOST_ROWS - 5, 50_000)).toBe(DUE_MOST_ROWS)
    expect(moreRows(DUE_FIRST_ROWS, 15)).toBe(15)
    expect(moreRows(DUE_FIRST_ROWS, 5000)).toBe(DUE_FIRST_ROWS + DUE_PAGE_ROWS)
    expect(moreRows(DUE_FIRST_ROWS + DUE_PAGE_ROWS, 5000)).toBe(DUE_FIRST_ROWS + 2 * DUE_PAGE_ROWS)
  })
})

/** What the app answers: the counts of all, and the rows asked for. */
function dueList(items: DueItem[], args: unknown): DueList {
  const { rows } = args as { rows: number }
  return { items: items.slice(0, rows), total: items.length, late: items.filter((i) => i.days_left < 0).length }
}

describe('待办 on 今日值班', () => {
  it('loads after the screen’s own data, with a loading state, and lists soonest first', async () => {
    const calls: string[] = []
    let answer: (items: DueList) => void = () => undefined
    mockIPC((cmd, args) => {
      calls.push(cmd)
      if (cmd === 'today') return TODAY
      if (cmd === 'due') {
        expect(args).toEqual({ withinDays: 7, rows: DUE_FIRST_ROWS })
        return new Promise((resolve) => (answer = resolve))
      }
      if (cmd === 'meeting') {
        expect(args).toEqual({ id: MEETING_ID })
        return { id: MEETING_ID, held_at: '2026-11-28T09:00:00+08:00', village: '东岭村' }
      }
      return null
    })
    const wrapper = await mountScreen(TodayView)
    // The screen is there while 待办 is still on its way.
    expect(wrapper.find('[data-testid="today-summary"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="due-loading"]').exists()).toBe(true)
    expect(calls.indexOf('today')).toBeLessThan(calls.indexOf('due'))

    answer(dueList(DUE, { rows: DUE_FIRST_ROWS }))
    await until(() => wrapper.findAll('[data-testid="due-row"]').length === 4)
    await flushPromises()
    expect(wrapper.find('[data-testid="due-loading"]').exists()).toBe(false)
    const title = wrapper.get('[data-testid="due"] .panel-title').text()
    expect(title).toContain('待办（4项，已逾期1项）')
    const rows = wrapper.findAll('[data-testid="due-row"]')
    expect(rows.map((row) => row.get('[data-testid="due-when"]').text())).toEqual([
      '已逾期2天',
      '今天到期',
      '还有3天',
      '还有7天',
    ])
    expect(rows[0].classes()).toContain('late')
    expect(rows[1].classes()).not.toContain('late')
    expect(rows[0].text()).toContain('2026-12-03')
    expect(rows[0].text()).toContain('答复来访人')
    expect(rows[3].get('[data-testid="due-record"]').text()).toBe('2026-11-28 东岭村会议')
    expect(wrapper.find('[data-testid="due-show-more"]').exists()).toBe(false)

    const router = wrapper.vm.$router
    await rows[0].get('[data-testid="due-record"]').trigger('click')
    await until(() => router.currentRoute.value.path === '/cases/BX-2026-0007')
    await router.push('/')
  })

  it('shows ten rows, then all of them on 查看全部, and 收起 again', async () => {
    const many = Array.from({ length: 23 }, (_, i) =>
      item('reply', `BX-2026-${String(i + 1).padStart(4, '0')}`, '2026-12-01', -4),
    )
    const asked: number[] = []
    mockIPC((cmd, args) => {
      if (cmd === 'today') return TODAY
      if (cmd !== 'due') return null
      asked.push((args as { rows: number }).rows)
      return dueList(many, args)
    })
    const wrapper = await mountScreen(TodayView)
    await until(() => wrapper.findAll('[data-testid="due-row"]').length > 0)
    expect(wrapper.findAll('[data-testid="due-row"]')).toHaveLength(10)
    expect(wrapper.get('[data-testid="due"] .panel-title').text()).toContain('待办（23项，已逾期23项）')
    const more = wrapper.get('[data-testid="due-show-more"]')
    expect(more.text()).toBe('查看全部（还有 13 项）')
    await more.trigger('click')
    await until(() => wrapper.findAll('[data-testid="due-row"]').length === 23)
    expect(asked, 'only the rows shown are asked for').toEqual([DUE_FIRST_ROWS, 23])
    expect(wrapper.find('[data-testid="due-show-more"]').exists()).toBe(false)
    await wrapper.get('[data-testid="due-show-less"]').trigger('click')
    expect(wrapper.findAll('[data-testid="due-row"]')).toHaveLength(10)
  })

  it('says when nothing is due, and when the list could not be read', async () => {
    mockIPC((cmd, args) => (cmd === 'today' ? TODAY : cmd === 'due' ? dueList([], args) : null))
    let wrapper = await mountScreen(TodayView)
    await until(() => wrapper.find('[data-testid="due-empty"]').exists())
    expect(wrapper.get('[data-testid="due-empty"]').text()).toBe('近7天没有到期事项')
    expect(wrapper.get('[data-testid="due"] .panel-title').text()).toContain('待办（0项）')
    wrapper.unmount()
    clearMocks()

    let fail = true
    mockIPC((cmd, args) => {
      if (cmd === 'today') return TODAY
      if (cmd === 'due') {
        if (fail) return Promise.reject({ kind: 'storage', message: '台账文件读取失败', field: null })
        return dueList([DUE[0]], args)
      }
      return null
    })
    wrapper = await mountScreen(TodayView)
    await until(() => wrapper.find('[data-testid="due-failure"]').exists())
    expect(wrapper.get('[data-testid="due-failure"]').text()).toContain('待办事项没有读出来：台账文件读取失败')
    expect(wrapper.find('[data-testid="today-summary"]').exists()).toBe(true)
    fail = false
    await wrapper.get('[data-testid="due-failure"] button').trigger('click')
    await until(() => wrapper.findAll('[data-testid="due-row"]').length === 1)
  })
})
