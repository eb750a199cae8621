import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import SyncView from '../src/views/SyncView.vue'
import { app } from '../src/state'
import { bookStatus } from './fixtures'
import { mountScreen, until } from './helpers'

afterEach(() => {
  clearMocks()
  app.book = null
  document.body.innerHTML = ''
})

const SYNC_VIEW = { peers: [], hub_url: null, worker: null }
const TOWN_FINGERPRINT = '2452 2091 9463 0918 3436 6481'
const STATION_FINGERPRINT = '6832 9294 1138 5857 4999 1125'

/** The town office's 同步 screen, over a mocked town book; every command it was sent. */
async function townScreen(replaced: boolean) {
  const calls: [string, unknown][] = []
  mockIPC((cmd, args) => {
    calls.push([cmd, args])
    switch (cmd) {
      case 'sync_status':
        return SYNC_VIEW
      case 'own_fingerprint':
        return TOWN_FINGERPRINT
      case 'write_enrolment':
        return { path: '/media/usb/BX.enrol', station: 'BX', station_name: '东岭村人大代表联络站', fingerprint: TOWN_FINGERPRINT, records: 8 }
      case 'check_station_keys':
      case 'accept_station_keys':
        return { station: 'BX', station_name: '东岭村人大代表联络站', fingerprint: STATION_FINGERPRINT, replaced, unchanged: false }
      default:
        return null
    }
  })
  app.book = bookStatus({ code: 'QX', name: '清溪镇人大', town: true })
  const wrapper = await mountScreen(SyncView)
  return { wrapper, calls }
}

describe('站点登记 at the town', () => {
  it('writes the enrolment file of a station and shows the fingerprint to read out', async () => {
    const { wrapper, calls } = await townScreen(false)
    await until(() => wrapper.find('[data-testid="enrol-write"]').exists())
    expect(wrapper.text()).toContain('还没有登记任何站点')
    await wrapper.get('[data-testid="enrol-write"]').trigger('click')
    await until(() => wrapper.text().includes('请填写站点代码并选择文件夹'))
    expect(calls.some(([cmd]) => cmd === 'write_enrolment')).toBe(false)
    await wrapper.get('[data-testid="enrol-code"]').setValue('bx')
    await wrapper.get('[data-testid="enrol-dir"]').setValue('/media/usb')
    await wrapper.get('[data-testid="enrol-write"]').trigger('click')
    await until(() => wrapper.find('[data-testid="enrol-written"]').exists())
    expect(calls).toContainEqual(['write_enrolment', { code: 'BX', dir: '/media/usb' }])
    expect(wrapper.get('[data-testid="enrol-written"]').text()).toContain(TOWN_FINGERPRINT)
  })

  it('accepts a keys file only once its fingerprint is confirmed, replacing keys only when shown', async () => {
    const { wrapper, calls } = await townScreen(true)
    await until(() => wrapper.find('[data-testid="accept-check"]').exists())
    await wrapper.get('[data-testid="accept-path"]').setValue('/media/usb/BX.keys')
    await wrapper.get('[data-testid="accept-check"]').trigger('click')
    await until(() => wrapper.find('[data-testid="accept-fingerprint"]').exists())
    expect(wrapper.get('[data-testid="accept-fingerprint"]').text()).toBe(STATION_FINGERPRINT)
    expect(wrapper.text()).toContain('已用另一套密钥登记过')
    expect(calls.some(([cmd]) => cmd === 'accept_station_keys')).toBe(false)
    const run = wrapper.get('[data-testid="accept-run"]')
    expect(run.attributes('disabled'), 'not before the phone check').toBeDefined()
    expect(run.text()).toBe('更换密钥并登记')
    await wrapper.get('[data-testid="accept-confirmed"] input').setValue(true)
    await flushPromises()
    await wrapper.get('[data-testid="accept-run"]').trigger('click')
    await until(() => wrapper.find('[data-testid="accept-done"]').exists())
    expect(calls).toContainEqual(['accept_station_keys', { path: '/media/usb/BX.keys', replaceKeys: true }])
  })
})
