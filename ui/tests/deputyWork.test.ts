import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import DutyView from '../src/views/DutyView.vue'
import { stationToday } from '../src/lib/time'
import { DEPUTIES } from './fixtures'
import { mountScreen, until } from './helpers'

afterEach(() => {
  clearMocks()
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

const YEAR = Number(stationToday().slice(0, 4))

function backend() {
  const calls: [string, Record<string, unknown>][] = []
  mockIPC((cmd, args) => {
    calls.push([cmd, args as Record<string, unknown>])
    switch (cmd) {
      case 'deputies':
        return DEPUTIES
      case 'duty_shifts':
        return []
      case 'deputy_activities':
        return []
      case 'add_deputy_activity':
        return { id: 'a', deputy: DEPUTIES[0].id, name: DEPUTIES[0].name, kind_label: '向选民述职' }
      case 'document_html':
        return `<p>代表履职档案 ${(args as { id: string }).id}</p>`
      default:
        return null
    }
  })
  return calls
}

function chooseDeputy(wrapper: VueWrapper): void {
  const select = wrapper
    .findAllComponents({ name: 'ElSelect' })
    .find((s) => s.find('[data-testid="dw-deputy"]').exists() || s.attributes('data-testid') === 'dw-deputy')!
  select.vm.$emit('update:modelValue', DEPUTIES[0].id)
}

describe('代表履职 on the duty screen', () => {
  it("records a deputy's report to the voters with the voters' appraisal", async () => {
    const calls = backend()
    const wrapper = await mountScreen(DutyView)
    expect(wrapper.get('[data-testid="deputy-work"]').text()).toContain('代表履职')
    expect(wrapper.get('[data-testid="dw-print"]').attributes('disabled')).toBeDefined()
    chooseDeputy(wrapper)
    await flushPromises()
    await wrapper.get('[data-testid="dw-place"]').setValue('东岭村文化室')
    await wrapper.get('[data-testid="dw-topic"]').setValue(`${YEAR}年度履职情况`)
    const number = (testid: string) =>
      wrapper.findAllComponents({ name: 'ElInputNumber' }).find((n) => n.attributes('data-testid') === testid)!
    number('dw-voters').vm.$emit('update:modelValue', 45)
    number('dw-satisfied').vm.$emit('update:modelValue', 40)
    number('dw-basically').vm.$emit('update:modelValue', 4)
    await flushPromises()
    await wrapper.get('[data-testid="dw-save"]').trigger('click')
    await flushPromises()
    const added = calls.find(([cmd]) => cmd === 'add_deputy_activity')
    expect(added).toBeDefined()
    expect(added![1].input).toEqual({
      kind: 'report_to_voters',
      deputy: DEPUTIES[0].id,
      date: stationToday(),
      place: '东岭村文化室',
      topic: `${YEAR}年度履职情况`,
      summary: null,
      organiser: null,
      voters_present: 45,
      appraisal: { satisfied: 40, basically_satisfied: 4, dissatisfied: 0 },
    })
    // The list of the deputy's year is read again after the save.
    const listed = calls.filter(([cmd]) => cmd === 'deputy_activities')
    expect(listed.at(-1)![1]).toEqual({ deputy: DEPUTIES[0].id, from: `${YEAR}-01-01`, to: `${YEAR}-12-31` })
  })

  it('refuses more graded voters than were present before sending', async () => {
    const calls = backend()
    const wrapper = await mountScreen(DutyView)
    chooseDeputy(wrapper)
    await wrapper.get('[data-testid="dw-place"]').setValue('村委会')
    await wrapper.get('[data-testid="dw-topic"]').setValue('述职')
    const number = (testid: string) =>
      wrapper.findAllComponents({ name: 'ElInputNumber' }).find((n) => n.attributes('data-testid') === testid)!
    number('dw-voters').vm.$emit('update:modelValue', 3)
    number('dw-satisfied').vm.$emit('update:modelValue', 5)
    await flushPromises()
    await wrapper.get('[data-testid="dw-save"]').trigger('click')
    await flushPromises()
    expect(calls.some(([cmd]) => cmd === 'add_deputy_activity')).toBe(false)
    await until(() => wrapper.text().includes('测评人数（5）多于参加选民人数（3）'))
  })

  it("prints the deputy's file of the chosen year, on the audit trail", async () => {
    const calls = backend()
    const wrapper = await mountScreen(DutyView)
    chooseDeputy(wrapper)
    await flushPromises()
    await wrapper.get('[data-testid="dw-print"]').trigger('click')
    const frame = () => document.querySelector<HTMLIFrameElement>('[data-testid="deputy-file-frame"]')
    const id = `${DEPUTIES[0].id}:${YEAR}`
    await until(() => frame()?.getAttribute('srcdoc')?.includes(id) ?? false)
    expect(calls).toContainEqual(['document_html', { kind: 'deputy-file', id }])
    const print = vi.fn()
    frame()!.contentWindow!.print = print
    document.querySelector<HTMLButtonElement>('[data-testid="deputy-file-print"]')!.click()
    await until(() => print.mock.calls.length === 1)
    expect(calls).toContainEqual(['record_print', { document: 'deputy-file', id }])
  })
})
