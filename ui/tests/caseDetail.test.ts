import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import CaseDetailView from '../src/views/CaseDetailView.vue'
import { DEPUTIES, caseDetail } from './fixtures'
import { mountScreen } from './helpers'

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
    expect(sent).toEqual([
      { caseNo: 'BX-2026-0001', input: { at: null, deputy: null, note: '电话催办', kind: 'chased' } },
    ])
    expect(wrapper.get('[data-testid="case-status"]').text()).toBe('已交办')
  })
})
