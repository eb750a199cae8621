import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import App from '../src/App.vue'
import { app } from '../src/state'
import { bookStatus, EMPTY_TODAY, NOTHING_DUE } from './fixtures'
import { mountScreen, until } from './helpers'

const OPEN = bookStatus({
  code: 'BX',
  demo: true,
  path: '/data/bx.db',
  encrypted: false,
  signed_in: { id: '0190e3a0-0000-7000-8000-000000000001', name: '陈建国' },
})
const LOCKED = { ...OPEN, open: false, code: null, name: null, demo: false, encrypted: true, locked: true }
const UNLOCKED = { ...OPEN, demo: false, encrypted: true }
const PASSPHRASE = '东岭村2026年修渡槽'
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
      return { book_status: OPEN, settings: SETTINGS, today: EMPTY_TODAY, due: NOTHING_DUE }[cmd] ?? null
    })
    const wrapper = await mountScreen(App)
    await until(() => commands.includes('first_screen_shown'))
    for (const id of ['today', 'reception', 'cases', 'meetings', 'mediations', 'duty', 'sync', 'stats', 'settings']) {
      expect(wrapper.find(`[data-testid="nav-${id}"]`).exists()).toBe(true)
    }
    expect(wrapper.get('[data-testid="page-title"]').text()).toBe('今日值班')
    expect(wrapper.text()).toContain('东岭村人大代表联络站')
    expect(wrapper.text()).toContain('演示台账未加密')
    expect(wrapper.find('[data-testid="plain-banner"]').exists(), 'the demo is plain on purpose').toBe(false)
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
    await until(() => wrapper.find('[data-testid="wizard-mode-manual"]').exists())
    await wrapper.get('[data-testid="wizard-mode-manual"] input').setValue(true)
    await until(() => wrapper.find('[data-testid="wizard-code"]').exists())
    await wrapper.get('[data-testid="wizard-code"]').setValue('bx')
    await wrapper.get('[data-testid="wizard-name"]').setValue('东岭村人大代表联络站')
    await wrapper.get('[data-testid="wizard-passphrase"]').setValue('12345678')
    await wrapper.get('[data-testid="wizard-create"]').trigger('click')
    await flushPromises()
    await until(() => wrapper.text().includes('密码太简单'))
    await wrapper.get('[data-testid="wizard-passphrase"]').setValue(PASSPHRASE)
    await wrapper.get('[data-testid="wizard-passphrase-repeat"]').setValue('东岭村2026年修渡漕')
    await wrapper.get('[data-testid="wizard-create"]').trigger('click')
    await flushPromises()
    await until(() => wrapper.text().includes('两次输入的密码不一样'))
    expect(document.querySelector('[data-testid="wizard-confirm"]')).toBe(null)
    await wrapper.get('[data-testid="wizard-passphrase-repeat"]').setValue(PASSPHRASE)
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
    expect(created).toEqual([{ code: 'BX', name: '东岭村人大代表联络站', passphrase: PASSPHRASE }])
    expect(wrapper.text()).toContain('导入镇上名册')
  })

  it('starts from the enrolment file of the town once its fingerprint is confirmed', async () => {
    const created: unknown[] = []
    const FINGERPRINT = '2452 2091 9463 0918 3436 6481'
    mockIPC((cmd, args) => {
      if (cmd === 'book_status') return { ...OPEN, open: false, code: null, name: null, demo: false }
      if (cmd === 'read_enrolment') {
        return {
          station: 'BX',
          station_name: '东岭村人大代表联络站',
          town: 'QX',
          town_name: '清溪镇人大',
          town_fingerprint: FINGERPRINT,
          records: 8,
        }
      }
      if (cmd === 'create_book_from_enrolment') {
        created.push(args)
        return {
          status: OPEN,
          station_fingerprint: '6832 9294 1138 5857 4999 1125',
          keys_path: '/media/usb/BX.keys',
          keys_error: null,
        }
      }
      return cmd === 'settings' ? SETTINGS : null
    })
    const wrapper = await mountScreen(App)
    await until(() => wrapper.find('[data-testid="wizard-enrolment-path"]').exists())
    await wrapper.get('[data-testid="wizard-enrolment-read"]').trigger('click')
    await until(() => wrapper.text().includes('请选择镇人大提供的登记文件'))
    await wrapper.get('[data-testid="wizard-enrolment-path"]').setValue('/media/usb/BX.enrol')
    await wrapper.get('[data-testid="wizard-enrolment-read"]').trigger('click')
    await until(() => wrapper.find('[data-testid="wizard-town-fingerprint"]').exists())
    expect(wrapper.get('[data-testid="wizard-town-fingerprint"]').text()).toBe(FINGERPRINT)
    expect(wrapper.get('[data-testid="wizard-enrolment-station"]').text()).toContain('BX 东岭村人大代表联络站')
    const create = wrapper.get('[data-testid="wizard-enrolment-create"]')
    expect(create.attributes('disabled'), 'not before the fingerprint is confirmed').toBeDefined()
    await wrapper.get('[data-testid="wizard-passphrase"]').setValue(PASSPHRASE)
    await wrapper.get('[data-testid="wizard-passphrase-repeat"]').setValue(PASSPHRASE)
    await wrapper.get('[data-testid="wizard-fingerprint-ok"] input').setValue(true)
    await flushPromises()
    await wrapper.get('[data-testid="wizard-enrolment-create"]').trigger('click')
    await until(() => wrapper.find('[data-testid="wizard-station-fingerprint"]').exists())
    expect(created).toEqual([{ path: '/media/usb/BX.enrol', passphrase: PASSPHRASE }])
    expect(wrapper.get('[data-testid="wizard-keys-path"]').text()).toBe('/media/usb/BX.keys')
    expect(wrapper.get('[data-testid="wizard-station-fingerprint"]').text()).toBe('6832 9294 1138 5857 4999 1125')
  })

  it('shows only the unlock screen while the book is locked, a wrong passphrase at the field', async () => {
    const tried: unknown[] = []
    mockIPC((cmd, args) => {
      if (cmd === 'book_status') return LOCKED
      if (cmd === 'unlock_remembered') return { book: LOCKED, notice: null }
      if (cmd === 'unlock_book') {
        tried.push(args)
        const { passphrase } = args as { passphrase: string }
        if (passphrase !== PASSPHRASE) {
          throw { kind: 'wrong_passphrase', message: '密码不对，台账没有打开，也没有改动。', field: null }
        }
        return { book: UNLOCKED, notice: null }
      }
      return { settings: SETTINGS, today: EMPTY_TODAY, due: NOTHING_DUE }[cmd] ?? null
    })
    const wrapper = await mountScreen(App)
    await until(() => wrapper.find('[data-testid="unlock-passphrase"]').exists())
    expect(wrapper.find('[data-testid="nav-today"]').exists(), 'no menu while locked').toBe(false)
    expect(wrapper.get('[data-testid="unlock-path"]').text()).toBe('/data/bx.db')
    expect(wrapper.text()).toContain('能登录这台电脑这个账户的任何人')
    const remember = wrapper.get('[data-testid="unlock-remember"] input').element as HTMLInputElement
    expect(remember.checked, 'remember is off by default').toBe(false)

    await wrapper.get('[data-testid="unlock-passphrase"]').setValue('东岭村2026年修渡漕')
    await wrapper.get('form').trigger('submit')
    await until(() => wrapper.text().includes('密码不对'))
    expect(wrapper.find('[data-testid="nav-today"]').exists()).toBe(false)
    const field = wrapper.get('[data-testid="unlock-passphrase"]').element as HTMLInputElement
    expect(field.value, 'what was typed stays to correct').toBe('东岭村2026年修渡漕')

    await wrapper.get('[data-testid="unlock-passphrase"]').setValue(PASSPHRASE)
    await wrapper.get('form').trigger('submit')
    await until(() => wrapper.find('[data-testid="nav-today"]').exists())
    expect(tried).toEqual([
      { passphrase: '东岭村2026年修渡漕', remember: false },
      { passphrase: PASSPHRASE, remember: false },
    ])
    expect(wrapper.find('[data-testid="plain-banner"]').exists()).toBe(false)
  })

  it('skips the unlock screen when this PC remembers the passphrase', async () => {
    mockIPC((cmd) => {
      if (cmd === 'book_status') return LOCKED
      if (cmd === 'unlock_remembered') return { book: { ...UNLOCKED, remembered: true }, notice: null }
      return { settings: SETTINGS, today: EMPTY_TODAY, due: NOTHING_DUE }[cmd] ?? null
    })
    const wrapper = await mountScreen(App)
    await until(() => wrapper.find('[data-testid="nav-today"]').exists())
    expect(wrapper.find('[data-testid="unlock-passphrase"]').exists()).toBe(false)
  })

  it('says why the key store did not help, on the unlock screen', async () => {
    mockIPC((cmd) => {
      if (cmd === 'book_status') return LOCKED
      if (cmd === 'unlock_remembered') {
        return { book: LOCKED, notice: '本机记住的密码已打不开台账（可能已在别处修改），已把它忘记。请输入现在的密码' }
      }
      return cmd === 'settings' ? SETTINGS : null
    })
    const wrapper = await mountScreen(App)
    await until(() => wrapper.find('[data-testid="unlock-notice"]').exists())
    expect(wrapper.get('[data-testid="unlock-notice"]').text()).toContain('已把它忘记')
  })

  it('asks to encrypt a plain station book, and converts it', async () => {
    const encrypted: unknown[] = []
    mockIPC((cmd, args) => {
      if (cmd === 'book_status') return { ...OPEN, demo: false }
      if (cmd === 'encrypt_book') {
        encrypted.push(args)
        return UNLOCKED
      }
      return { settings: SETTINGS, today: EMPTY_TODAY, due: NOTHING_DUE }[cmd] ?? null
    })
    const wrapper = await mountScreen(App)
    await until(() => wrapper.find('[data-testid="plain-banner"]').exists())
    expect(wrapper.get('[data-testid="plain-banner"]').text()).toContain('台账尚未加密')
    await wrapper.get('[data-testid="plain-encrypt"]').trigger('click')
    await until(() => document.querySelector('[data-testid="passphrase-new"]') !== null)
    const type = async (id: string, text: string) => {
      const input = document.querySelector(`[data-testid="${id}"]`) as HTMLInputElement
      input.value = text
      input.dispatchEvent(new Event('input'))
      await flushPromises()
    }
    await type('passphrase-new', PASSPHRASE)
    await type('passphrase-repeat', PASSPHRASE)
    ;(document.querySelector('[data-testid="passphrase-save"]') as HTMLButtonElement).click()
    await until(() => encrypted.length > 0)
    expect(encrypted).toEqual([{ passphrase: PASSPHRASE }])
    await until(() => !wrapper.find('[data-testid="plain-banner"]').exists())
  })
})
