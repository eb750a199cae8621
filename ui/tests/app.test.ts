import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import App from '../src/App.vue'
import { app } from '../src/state'
import { mountScreen, until } from './helpers'

const OPEN = { open: true, code: 'BX', name: '东岭村人大代表联络站', town: false, demo: true, path: '/data/bx.db' }
const TODAY = {
  date: '2026-11-28',
  shifts: [],
  next_shifts: [],
  receptions: [],
  counts: { awaiting: 0, overdue: 0, to_feed_back: 0, to_follow_up: 0 },
  awaiting: [],
  overdue: [],
}
const SETTINGS = { station_phone: '0750-1234567', hub_url: '', large_font: true }

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
  document.documentElement.className = ''
  app.book = null
  app.settings = null
})

describe('app shell', () => {
  it('shows the menu, the station and the demo tag, and applies 大字体', async () => {
    const commands: string[] = []
    mockIPC((cmd) => {
      commands.push(cmd)
      return { book_status: OPEN, settings: SETTINGS, today: TODAY }[cmd] ?? null
    })
    const wrapper = await mountScreen(App)
    await until(() => commands.includes('first_screen_shown'))
    for (const id of ['today', 'reception', 'cases', 'meetings', 'mediations', 'duty', 'sync', 'stats', 'settings']) {
      expect(wrapper.find(`[data-testid="nav-${id}"]`).exists()).toBe(true)
    }
    expect(wrapper.get('[data-testid="page-title"]').text()).toBe('今日值班')
    expect(wrapper.text()).toContain('东岭村人大代表联络站')
    expect(wrapper.text()).toContain('演示')
    expect(document.documentElement.classList.contains('large-font')).toBe(true)
    expect(commands).toContain('first_screen_shown')
  })

  it('starts the wizard when there is no book yet', async () => {
    const created: unknown[] = []
    mockIPC((cmd, args) => {
      if (cmd === 'book_status') return { ...OPEN, open: false, code: null, name: null, demo: false }
      if (cmd === 'create_book') {
        created.push(args)
        return OPEN
      }
      return cmd === 'settings' ? SETTINGS : null
    })
    const wrapper = await mountScreen(App)
    await until(() => wrapper.find('[data-testid="wizard-code"]').exists())
    await wrapper.get('[data-testid="wizard-code"]').setValue('bx')
    await wrapper.get('[data-testid="wizard-name"]').setValue('东岭村人大代表联络站')
    await wrapper.get('[data-testid="wizard-name"]').trigger('keydown', { key: 'Enter' })
    await wrapper.get('form').trigger('submit')
    await flushPromises()
    expect(created, 'Enter makes no book').toEqual([])
    await wrapper.get('[data-testid="wizard-create"]').trigger('click')
    await until(() => document.querySelector('[data-testid="wizard-confirm"]') !== null)
    expect(created, 'the confirmation comes first').toEqual([])
    expect(document.querySelector('[data-testid="wizard-confirm-code"]')?.textContent).toBe('BX')
    expect(document.querySelector('[data-testid="wizard-confirm-name"]')?.textContent).toBe('东岭村人大代表联络站')
    ;(document.querySelector('[data-testid="wizard-confirm"]') as HTMLButtonElement).click()
    await flushPromises()
    expect(created).toEqual([{ code: 'BX', name: '东岭村人大代表联络站' }])
    expect(wrapper.text()).toContain('导入镇上名册')
  })
})
