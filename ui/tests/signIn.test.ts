import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import App from '../src/App.vue'
import { app } from '../src/state'
import { bookStatus, EMPTY_TODAY } from './fixtures'
import { mountScreen, until } from './helpers'

const SIGNED_OUT = bookStatus({ signed_in: null, sign_in_required: true })
const KE = { id: '0190aaaa-0000-7000-8000-000000000001', name: '柯建国', on_duty: true, has_pin: true, locked_until: null }
const LI = { id: '0190aaaa-0000-7000-8000-000000000002', name: '黎文秀', on_duty: false, has_pin: false, locked_until: null }
const LOCKED = { id: '0190aaaa-0000-7000-8000-000000000003', name: '邝大山', on_duty: false, has_pin: true, locked_until: '2999-01-01T09:30:00+08:00' }
const SETTINGS = { station_phone: '', hub_url: '', large_font: false, idle_lock_minutes: 15 }

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
  app.book = null
  app.settings = null
})

function input(id: string): HTMLInputElement {
  return document.querySelector(`[data-testid="${id}"] input, input[data-testid="${id}"]`) as HTMLInputElement
}

async function type(id: string, text: string): Promise<void> {
  const field = input(id)
  field.value = text
  field.dispatchEvent(new Event('input'))
  await flushPromises()
}

describe('代表登录', () => {
  it('covers the shell until a deputy signs in, then names them with 切换代表 and 退出', async () => {
    const calls: [string, unknown][] = []
    let book: object = SIGNED_OUT
    mockIPC((cmd, args) => {
      calls.push([cmd, args])
      switch (cmd) {
        case 'book_status':
          return book
        case 'sign_in_deputies':
          return [KE, LI, LOCKED]
        case 'sign_in': {
          if ((args as { pin: string }).pin !== '385920') {
            throw { kind: 'wrong_pin', message: '登录密码不对，还可以再试4次；连续输错5次将暂时锁定', field: 'pin' }
          }
          book = { ...SIGNED_OUT, signed_in: { id: KE.id, name: KE.name }, sign_in_required: false }
          return book
        }
        case 'sign_out':
          book = SIGNED_OUT
          return book
        case 'today':
          if (!(book as { signed_in: unknown }).signed_in) {
            throw { kind: 'sign_in_required', message: '请先选择本人并输入登录密码', field: null }
          }
          return EMPTY_TODAY
        case 'due':
          return { items: [], total: 0, late: 0 }
        case 'settings':
          return SETTINGS
        default:
          return null
      }
    })
    const wrapper = await mountScreen(App)
    await until(() => document.querySelectorAll('[data-testid="sign-in-deputy"]').length === 3)
    const layer = document.querySelector('[data-testid="sign-in"]') as HTMLElement
    expect(layer.textContent).toContain('请选择您本人')
    expect(layer.textContent).toContain('登录密码只用于确认是谁在操作')
    expect(document.querySelector('.shell')?.closest('[inert]'), 'the shell is out of reach').not.toBeNull()
    const buttons = [...document.querySelectorAll<HTMLButtonElement>('[data-testid="sign-in-deputy"]')]
    expect(buttons.map((b) => b.dataset.name), 'today’s duty deputies first').toEqual(['柯建国', '黎文秀', '邝大山'])
    expect(document.querySelector('[data-testid="sign-in-on-duty"]')?.textContent).toContain('柯建国')
    expect(buttons[2].disabled, 'a locked deputy cannot be chosen').toBe(true)
    expect(buttons[2].textContent).toContain('已锁定，09:30后可再试')
    expect(document.body.textContent, 'no message for the screen underneath').not.toContain('请先选择本人并输入登录密码')

    // A first sign-in asks for the PIN twice.
    buttons[1].click()
    await until(() => !!document.querySelector('[data-testid="sign-in-first"]'))
    expect(input('sign-in-pin-repeat')).toBeTruthy()
    ;(document.querySelector('[data-testid="sign-in-back"]') as HTMLButtonElement).click()
    await until(() => document.querySelectorAll('[data-testid="sign-in-deputy"]').length === 3)

    document.querySelector<HTMLButtonElement>('[data-testid="sign-in-deputy"]')!.click()
    await until(() => !!input('sign-in-pin'))
    expect(input('sign-in-pin').type).toBe('password')
    expect(input('sign-in-pin').getAttribute('inputmode')).toBe('numeric')
    await type('sign-in-pin', '111112')
    input('sign-in-pin').form!.dispatchEvent(new Event('submit'))
    await until(() => document.body.textContent?.includes('还可以再试4次') ?? false)
    await type('sign-in-pin', '38a5920')
    expect(input('sign-in-pin').value, 'digits only').toBe('385920')
    input('sign-in-pin').form!.dispatchEvent(new Event('submit'))
    await until(() => !document.querySelector('[data-testid="sign-in"]'))
    expect(calls.filter(([cmd]) => cmd === 'sign_in').at(-1)?.[1]).toEqual({ deputy: KE.id, pin: '385920' })
    await until(() => wrapper.find('[data-testid="signed-in-name"]').exists())
    expect(wrapper.get('[data-testid="signed-in-name"]').text()).toBe('柯建国')
    expect(document.querySelector('.shell')?.closest('[inert]')).toBeNull()
    // The screen underneath waited for the sign-in to load its data.
    await until(() => calls.some(([cmd]) => cmd === 'today'))

    await wrapper.get('[data-testid="sign-out"]').trigger('click')
    await until(() => !!document.querySelector('[data-testid="sign-in"]'))
    expect(calls.filter(([cmd]) => cmd === 'sign_out').at(-1)?.[1]).toEqual({ reason: 'exit' })
    await flushPromises()
    wrapper.unmount()
  })
})
