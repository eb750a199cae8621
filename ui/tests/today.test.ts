import { afterEach, describe, expect, it } from 'vitest'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import TodayView from '../src/views/TodayView.vue'
import { mountScreen, until } from './helpers'

const NEXT_SHIFT = {
  id: '01a22069-7808-73d6-8a12-47e9e1e9e9f0',
  station: 'BX',
  date: '2026-12-07',
  starts: '09:00',
  ends: '11:30',
  deputies: [{ id: '01a22069-7808-73d6-8a12-47e9e1e9e9ed', name: '李秀英' }],
}

function today(counts: { awaiting: number; overdue: number; to_feed_back: number; to_follow_up: number }) {
  return {
    date: '2026-12-05',
    shifts: [],
    next_shifts: [NEXT_SHIFT],
    receptions: [],
    counts,
    awaiting: [],
    overdue: [],
  }
}

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
})

describe('今日值班', () => {
  it('names the next duty when nobody is on duty today', async () => {
    mockIPC((cmd) =>
      cmd === 'today' ? today({ awaiting: 0, overdue: 0, to_feed_back: 0, to_follow_up: 0 }) : cmd === 'due' ? { items: [], total: 0, late: 0 } : null,
    )
    const wrapper = await mountScreen(TodayView)
    const duty = wrapper.get('[data-testid="no-duty"]').text()
    expect(duty).toContain('今天没有值班安排')
    expect(duty).toContain('下次值班：2026年12月7日 星期一')
    expect(duty).toContain('09:00–11:30')
    expect(duty).toContain('李秀英')
  })

  it('shows the counts with separators, and each opens the case list filtered alike', async () => {
    mockIPC((cmd) =>
      cmd === 'today'
        ? today({ awaiting: 1234, overdue: 13028, to_feed_back: 3, to_follow_up: 0 })
        : cmd === 'due'
          ? { items: [], total: 0, late: 0 }
          : null,
    )
    const wrapper = await mountScreen(TodayView)
    expect(wrapper.get('[data-testid="today-count-overdue"]').text()).toContain('13,028')
    expect(wrapper.get('[data-testid="today-count-awaiting"]').text()).toContain('1,234')
    expect(wrapper.get('[data-testid="show-all-overdue"]').text()).toBe('查看全部 13,028 件')
    const router = wrapper.vm.$router
    for (const [key, status] of [
      ['overdue', 'overdue'],
      ['awaiting', 'awaiting'],
      ['feed-back', 'replied'],
      ['follow-up', 'fed_back'],
    ]) {
      await wrapper.get(`[data-testid="today-count-${key}"]`).trigger('click')
      await until(() => router.currentRoute.value.path === '/cases')
      expect(router.currentRoute.value.query.status).toBe(status)
      await router.push('/')
    }
  })
})
