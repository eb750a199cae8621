import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import CaseDetailView from '../src/views/CaseDetailView.vue'
import { DEPUTIES, caseDetail } from './fixtures'
import { mountScreen, until } from './helpers'

const HOSTILE = '<img src=x onerror=alert(1)>'

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
})

describe('case detail', () => {
  it('shows the matter as text, never as markup', async () => {
    const alert = vi.fn()
    window.alert = alert
    mockIPC((cmd) => {
      if (cmd === 'case_detail') return caseDetail(HOSTILE)
      if (cmd === 'deputies') return DEPUTIES
      return null
    })
    const wrapper = await mountScreen(CaseDetailView, { caseNo: 'BX-2026-0001' })
    const matter = wrapper.get('[data-testid="case-matter"]')
    expect(matter.text()).toBe(HOSTILE)
    expect(matter.find('img').exists()).toBe(false)
    expect(document.querySelector('img[src="x"]')).toBeNull()
    expect(wrapper.html()).not.toContain('<b>附来访人材料两页</b>')
    expect(alert).not.toHaveBeenCalled()
  })

  it('shows the number, the derived status and the timeline', async () => {
    mockIPC((cmd) => (cmd === 'case_detail' ? caseDetail('村道路灯损坏') : cmd === 'deputies' ? DEPUTIES : null))
    const wrapper = await mountScreen(CaseDetailView, { caseNo: 'BX-2026-0001' })
    expect(wrapper.get('[data-testid="case-no"]').text()).toBe('BX-2026-0001')
    expect(wrapper.get('[data-testid="case-status"]').text()).toBe('已交办（逾期）')
    const items = wrapper.findAll('[data-testid="timeline-item"]')
    expect(items).toHaveLength(2)
    expect(items[1].text()).toContain('交镇农业农村办办理，期限 2026-11-26')
  })

  it('records an event with only its kind’s fields and reloads', async () => {
    const sent: unknown[] = []
    let detail = caseDetail('村道路灯损坏')
    mockIPC((cmd, args) => {
      if (cmd === 'case_detail') return detail
      if (cmd === 'deputies') return DEPUTIES
      if (cmd === 'add_case_event') {
        sent.push(args)
        detail = { ...detail, status: 'referred', status_label: '已交办', overdue: false }
        return { id: 'e', case_no: 'BX-2026-0001', status: 'referred', status_label: '已交办' }
      }
      return null
    })
    const wrapper = await mountScreen(CaseDetailView, { caseNo: 'BX-2026-0001' })
    const kind = wrapper.findAllComponents({ name: 'ElSelect' })[0]
    kind.vm.$emit('update:modelValue', 'chased')
    await flushPromises()
    await wrapper.get('[data-testid="event-note"]').setValue('电话催办')
    await wrapper.get('[data-testid="event-save"]').trigger('click')
    await flushPromises()
    // The unit chased is the referral's unless the deputy names another.
    expect(sent).toEqual([
      {
        caseNo: 'BX-2026-0001',
        input: { at: null, deputy: null, note: '电话催办', kind: 'chased', unit: '镇农业农村办' },
      },
    ])
    expect(wrapper.get('[data-testid="case-status"]').text()).toBe('已交办')
  })

  it('asks a 督办 for its unit, who chased and a new deadline, said at the field', async () => {
    const sent: unknown[] = []
    mockIPC((cmd, args) => {
      if (cmd === 'case_detail') return caseDetail('村道路灯损坏')
      if (cmd === 'deputies') return DEPUTIES
      if (cmd === 'add_case_event') {
        sent.push(args)
        return { id: 'e', case_no: 'BX-2026-0001', status: 'referred', status_label: '已交办' }
      }
      return null
    })
    const wrapper = await mountScreen(CaseDetailView, { caseNo: 'BX-2026-0001' })
    wrapper.findAllComponents({ name: 'ElSelect' })[0].vm.$emit('update:modelValue', 'chased')
    await flushPromises()
    const unit = wrapper.get('[data-testid="event-field-unit"] input')
    expect((unit.element as HTMLInputElement).value).toBe('镇农业农村办')
    expect(wrapper.get('[data-testid="event-field-by"]').text()).toContain('督办人')
    expect(wrapper.get('[data-testid="event-field-deadline"]').text()).toContain('新的办理期限')
    await unit.setValue('镇交通办')
    await wrapper.get('[data-testid="event-field-by"] input').setValue('王主任')
    const picker = wrapper.get('[data-testid="event-field-deadline"]').findComponent({ name: 'ElDatePicker' })
    picker.vm.$emit('update:modelValue', '2000-01-03')
    await flushPromises()
    await wrapper.get('[data-testid="event-save"]').trigger('click')
    await flushPromises()
    // Element Plus shows a field's message through a transition: wait for it to appear.
    await vi.waitFor(() =>
      expect(wrapper.get('[data-testid="event-field-deadline"]').text()).toContain('督办的新期限不能早于督办日期'),
    )
    expect(sent).toEqual([])

    picker.vm.$emit('update:modelValue', '2099-01-03')
    await flushPromises()
    await wrapper.get('[data-testid="event-save"]').trigger('click')
    await flushPromises()
    expect(sent).toEqual([
      {
        caseNo: 'BX-2026-0001',
        input: {
          at: null,
          deputy: null,
          note: null,
          kind: 'chased',
          unit: '镇交通办',
          by: '王主任',
          deadline: '2099-01-03',
        },
      },
    ])
  })

  it('prints the 交办单 once referred, the 督办单 once chased, each on the audit trail', async () => {
    const calls: [string, unknown][] = []
    let detail = caseDetail('村道路灯损坏')
    mockIPC((cmd, args) => {
      calls.push([cmd, args])
      if (cmd === 'case_detail') return detail
      if (cmd === 'deputies') return DEPUTIES
      if (cmd === 'document_html') return `<p>${(args as { kind: string }).kind} BX-2026-0001</p>`
      return null
    })
    let wrapper = await mountScreen(CaseDetailView, { caseNo: 'BX-2026-0001' })
    expect(wrapper.get('[data-testid="case-referral"]').text()).toBe('打印交办单')
    expect(wrapper.find('[data-testid="case-chase"]').exists(), 'not chased yet').toBe(false)
    await wrapper.get('[data-testid="case-referral"]').trigger('click')
    const frame = () => document.querySelector<HTMLIFrameElement>('[data-testid="referral-frame"]')
    await until(() => frame()?.getAttribute('srcdoc')?.includes('referral BX-2026-0001') ?? false)
    expect(document.querySelector('.el-dialog__title')?.textContent).toBe('交办单 BX-2026-0001')
    const print = vi.fn()
    frame()!.contentWindow!.print = print
    document.querySelector<HTMLButtonElement>('[data-testid="referral-print"]')!.click()
    await until(() => print.mock.calls.length === 1)
    expect(calls).toContainEqual(['record_print', { document: 'referral', id: 'BX-2026-0001' }])
    wrapper.unmount()
    document.body.innerHTML = ''

    const chase = {
      ...detail.timeline[1],
      id: '01a2205a-0e26-7014-b289-bce94337562d',
      kind: 'chased' as const,
      unit: '镇农业农村办',
      label: '督办',
      at: '2026-11-27T09:00:00+08:00',
    }
    detail = { ...detail, timeline: [...detail.timeline, chase] }
    wrapper = await mountScreen(CaseDetailView, { caseNo: 'BX-2026-0001' })
    expect(wrapper.findAll('[data-testid="timeline-item"]')[2].text()).toContain('督办镇农业农村办')
    await wrapper.get('[data-testid="case-chase"]').trigger('click')
    await until(
      () =>
        document.querySelector('[data-testid="chase-frame"]')?.getAttribute('srcdoc')?.includes('chase BX-2026-0001') ??
        false,
    )
    expect(calls).toContainEqual(['document_html', { kind: 'chase', id: 'BX-2026-0001' }])
  })
})
