import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import SettingsView from '../src/views/SettingsView.vue'
import { app } from '../src/state'
import { bookStatus } from './fixtures'
import { mountScreen, until } from './helpers'

const ENCRYPTED = bookStatus({ remembered: true })
const SETTINGS = { station_phone: '', hub_url: '', large_font: false, idle_lock_minutes: 15, backup_dir: '', backup_keep: 10 }
const PASSPHRASE = '东岭村2026年修渡槽'

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
  app.book = null
  app.settings = null
})

/** Types into the dialog's input marked `id` (the dialog is teleported to the body). */
async function type(id: string, text: string): Promise<void> {
  const input = document.querySelector(`[data-testid="${id}"]`) as HTMLInputElement
  input.value = text
  input.dispatchEvent(new Event('input'))
  await flushPromises()
}

describe('设置 › 台账加密', () => {
  it('changes the passphrase only with the current one, said at its field', async () => {
    const asked: unknown[] = []
    mockIPC((cmd, args) => {
      if (cmd !== 'change_passphrase') return null
      asked.push(args)
      if ((args as { current: string }).current !== PASSPHRASE) {
        throw { kind: 'wrong_passphrase', message: '密码不对，台账没有打开，也没有改动。', field: null }
      }
      return { book: ENCRYPTED, notice: null }
    })
    app.book = ENCRYPTED
    const wrapper = await mountScreen(SettingsView)
    expect(wrapper.get('[data-testid="settings-lock"]').text()).toContain('本机记住了密码')
    await wrapper.get('[data-testid="settings-change-passphrase"]').trigger('click')
    await until(() => document.querySelector('[data-testid="passphrase-current"]') !== null)
    await type('passphrase-current', '东岭村2026年修渡漕')
    await type('passphrase-new', '清溪镇人大联络站密码')
    await type('passphrase-repeat', '清溪镇人大联络站密码')
    ;(document.querySelector('[data-testid="passphrase-save"]') as HTMLButtonElement).click()
    await until(() => document.body.textContent?.includes('密码不对') ?? false)
    expect(asked).toEqual([{ current: '东岭村2026年修渡漕', passphrase: '清溪镇人大联络站密码' }])
    await type('passphrase-current', PASSPHRASE)
    ;(document.querySelector('[data-testid="passphrase-save"]') as HTMLButtonElement).click()
    await until(() => asked.length === 2)
    expect(asked[1]).toEqual({ current: PASSPHRASE, passphrase: '清溪镇人大联络站密码' })
  })

  it('offers to encrypt a plain book and says the demo stays plain', async () => {
    mockIPC(() => null)
    app.book = { ...ENCRYPTED, encrypted: false, remembered: false }
    let wrapper = await mountScreen(SettingsView)
    expect(wrapper.get('[data-testid="settings-plain"]').text()).toBe('台账尚未加密')
    expect(wrapper.find('[data-testid="settings-encrypt"]').exists()).toBe(true)
    wrapper.unmount()
    app.book = { ...ENCRYPTED, encrypted: false, remembered: false, demo: true }
    wrapper = await mountScreen(SettingsView)
    expect(wrapper.get('[data-testid="settings-lock"]').text()).toContain('演示台账未加密')
    expect(wrapper.find('[data-testid="settings-encrypt"]').exists()).toBe(false)
  })
})

describe('设置 › 无人操作自动退出', () => {
  it('saves the idle minutes with the other settings, from 1 to 240', async () => {
    const saved: unknown[] = []
    mockIPC((cmd, args) => {
      if (cmd !== 'save_settings') return null
      saved.push((args as { settings: unknown }).settings)
      return (args as { settings: unknown }).settings
    })
    app.book = ENCRYPTED
    app.settings = { ...SETTINGS }
    const wrapper = await mountScreen(SettingsView)
    const minutes = wrapper.get('[data-testid="settings-idle-minutes"] input')
    expect((minutes.element as HTMLInputElement).value).toBe('15')
    await minutes.setValue('5')
    await minutes.trigger('change')
    await wrapper.get('form').trigger('submit')
    await until(() => saved.length > 0)
    expect(saved.at(-1)).toEqual({ ...SETTINGS, idle_lock_minutes: 5 })
    expect(app.settings?.idle_lock_minutes).toBe(5)
    wrapper.unmount()
  })
})

describe('设置 › 备份', () => {
  it('立即备份 saves a newly chosen folder first, then backs up into it', async () => {
    const calls: [string, unknown][] = []
    mockIPC((cmd, args) => {
      calls.push([cmd, args])
      if (cmd === 'save_settings') return (args as { settings: unknown }).settings
      if (cmd === 'back_up_now') {
        return {
          path: '/media/usb/台账备份/DL-20261205-1830-412.backup',
          bytes: 3 * 1024 * 1024,
          taken_at: '2026-12-05T18:30:00+08:00',
          seq: 412,
          encrypted: true,
          removed: [],
        }
      }
      return null
    })
    app.book = ENCRYPTED
    app.settings = { ...SETTINGS }
    const wrapper = await mountScreen(SettingsView)
    await wrapper.get('[data-testid="settings-backup-dir"]').setValue('/media/usb/台账备份')
    await wrapper.get('[data-testid="settings-back-up"]').trigger('click')
    await until(() => wrapper.find('[data-testid="settings-backup-result"]').exists())
    expect(calls.map(([cmd]) => cmd)).toEqual(['save_settings', 'back_up_now'])
    expect(app.settings?.backup_dir).toBe('/media/usb/台账备份')
    const result = wrapper.get('[data-testid="settings-backup-result"]').text()
    expect(result).toContain('2026年12月5日 18:30')
    expect(result).toContain('3.0 MB')
    expect(result).toContain('DL-20261205-1830-412.backup')

    // Saved already: the next 立即备份 only backs up.
    await wrapper.get('[data-testid="settings-back-up"]').trigger('click')
    await until(() => calls.length === 3)
    expect(calls[2][0]).toBe('back_up_now')
    wrapper.unmount()
  })

  it('says at the fields what is wrong before anything is sent', async () => {
    const calls: string[] = []
    mockIPC((cmd) => {
      calls.push(cmd)
      if (cmd === 'back_up_now') {
        throw { kind: 'invalid', message: '还没有选择备份文件夹：请在“设置”中点“选择备份文件夹”', field: null }
      }
      return null
    })
    app.book = ENCRYPTED
    app.settings = { ...SETTINGS }
    const wrapper = await mountScreen(SettingsView)
    await wrapper.get('[data-testid="settings-back-up"]').trigger('click')
    await until(() => wrapper.text().includes('请先选择备份文件夹'))
    expect(calls).toEqual([])

    await wrapper.get('[data-testid="settings-backup-dir"]').setValue('台账备份')
    await wrapper.get('form').trigger('submit')
    await until(() => wrapper.text().includes('写出完整的位置'))
    expect(calls).toEqual([])
    wrapper.unmount()
  })
})
