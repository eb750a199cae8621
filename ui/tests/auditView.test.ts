import { afterEach, describe, expect, it } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { createMemoryHistory, createRouter } from 'vue-router'
import type { AuditListing, AuditQuery } from '../src/api/types'
import { routes } from '../src/router'
import { em } from '../src/state'
import AuditView from '../src/views/AuditView.vue'
import { until } from './helpers'

function line(n: number): AuditListing {
  return {
    id: `0192d3c4-0000-7000-8000-${String(n).padStart(12, '0')}`,
    station: 'DL',
    at: '2026-11-20T09:30:05+08:00',
    deputy: null,
    deputy_name: null,
    channel: 'app',
    channel_label: '桌面程序',
    action: 'document_print',
    action_label: '打印文书',
    subject: `DL-2026-${String(n).padStart(4, '0')}`,
    detail: '接待回执',
  }
}

async function mountAudit() {
  const router = createRouter({ history: createMemoryHistory(), routes })
  await router.push('/audit')
  const wrapper = mount(AuditView, {
    global: { plugins: [router], mocks: { $em: em } },
    attachTo: document.body,
  })
  await flushPromises()
  return wrapper
}

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
})

describe('操作记录', () => {
  it('pages with 加载更多, asking for the lines after those shown', async () => {
    const asked: AuditQuery[] = []
    mockIPC((cmd, args) => {
      if (cmd !== 'audit_trail') return []
      const query = (args as { query: AuditQuery }).query
      asked.push(query)
      const first = query.offset === 0
      return { entries: first ? [line(1), line(2)] : [line(3)], has_more: first }
    })
    const wrapper = await mountAudit()
    await until(() => wrapper.findAll('[data-testid="audit-row"]').length === 2)
    expect(wrapper.text()).toContain('DL-2026-0001')
    expect(wrapper.text()).toContain('桌面程序')
    await wrapper.get('[data-testid="audit-more"]').trigger('click')
    await until(() => wrapper.findAll('[data-testid="audit-row"]').length === 3)
    expect(asked.map((q) => q.offset)).toEqual([0, 2])
    expect(asked[1]).toMatchObject({ action: null, deputy: null, from: null, to: null, station: null })
    expect(wrapper.find('[data-testid="audit-more"]').exists()).toBe(false)
  })

  it('says when there is nothing yet', async () => {
    mockIPC((cmd) => (cmd === 'audit_trail' ? { entries: [], has_more: false } : []))
    const wrapper = await mountAudit()
    await until(() => wrapper.text().includes('还没有操作记录'))
    expect(wrapper.findAll('[data-testid="audit-row"]')).toHaveLength(0)
  })
})
