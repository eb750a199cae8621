// The mediation screen: a file's parties with 民族, 职业 and an agent, its investigation, a
// session's participants and recorder, an oral agreement's content; the papers it prints; an
// investigation recorded from the event form.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import MediationsView from '../src/views/MediationsView.vue'
import type { MediationListing } from '../src/api/types'
import { DEPUTIES } from './fixtures'
import { mountScreen, until } from './helpers'

const NUMBER = '（2026）BX人调字第1号'

function listing(): MediationListing {
  return {
    state: { result: 'succeeded_oral', agreement_on: null, performance: null, confirmation: null, satisfaction: null },
    overdue: false,
    id: 'f1',
    number: NUMBER,
    station: 'BX',
    year: 2026,
    seq: 1,
    case_no: null,
    source: 'own_initiative',
    dispute_type: '邻里',
    dispute_subtype: null,
    accepted_at: '2026-11-26T14:00:00+08:00',
    summary: '屋檐滴水',
    parties: [
      {
        role: 'applicant',
        name: '伍建国',
        sex: 'male',
        age: 58,
        phone: null,
        id_number: null,
        address: null,
        ethnicity: '汉族',
        occupation: '农民',
      },
      {
        role: 'respondent',
        name: '伍小强',
        sex: null,
        age: 15,
        phone: null,
        id_number: null,
        address: null,
        agent: { kind: 'legal', name: '伍永强', relation: '父亲', phone: '13711112222' },
      },
    ],
    mediators: [{ deputy: null, name: '王调解' }],
    consent: true,
    agreed_to_mediation: true,
    events: [
      {
        id: 'e1',
        mediation: 'f1',
        at: '2026-11-26T14:30:00+08:00',
        deputy: null,
        note: null,
        kind: 'investigation',
        place: '屋后',
        subject: '邻居伍天成',
        content: '檐沟缺失',
        participants: ['镇司法所 邓文杰'],
        recorder: '李秀英',
      },
      {
        id: 'e2',
        mediation: 'f1',
        at: '2026-11-26T15:00:00+08:00',
        deputy: null,
        note: null,
        kind: 'session',
        place: '调解室',
        statements: '双方陈述',
        facts: null,
        outcome: null,
        participants: ['伍建国', '伍永强（法定代理人）'],
        recorder: '李秀英',
      },
      {
        id: 'e3',
        mediation: 'f1',
        at: '2026-11-26T16:00:00+08:00',
        deputy: null,
        note: null,
        kind: 'result',
        result: 'succeeded_oral',
        routes: null,
        oral_terms: '加装檐沟，双方和好',
      },
    ],
  }
}

describe('the mediation screen', () => {
  afterEach(() => {
    clearMocks()
    vi.restoreAllMocks()
    document.body.innerHTML = ''
  })

  it('shows the new particulars, prints the new papers and records an investigation', async () => {
    const added: Record<string, unknown>[] = []
    const printed: string[] = []
    mockIPC((cmd, args) => {
      switch (cmd) {
        case 'mediations':
          return { items: [listing()], has_more: false }
        case 'mediation':
          return listing()
        case 'deputies':
          return DEPUTIES
        case 'draft':
          return null
        case 'document_html':
          printed.push(String((args as Record<string, unknown>).kind))
          return '<html><body>文书</body></html>'
        case 'add_mediation_event':
          added.push(args as Record<string, unknown>)
          return { id: 'e4', number: NUMBER, state: listing().state }
        default:
          return null
      }
    })
    const wrapper = await mountScreen(MediationsView)
    await wrapper.find('.el-table__row').trigger('click')
    await until(() => (document.body.textContent ?? '').includes('汉族'))
    const drawer = document.body.textContent ?? ''
    expect(drawer).toContain('农民')
    expect(drawer).toContain('法定代理人：伍永强（父亲） 电话 13711112222')
    expect(drawer).toContain('被调查人：邻居伍天成')
    expect(drawer).toContain('调查人：镇司法所 邓文杰')
    expect(drawer).toContain('参加人：伍建国、伍永强（法定代理人）')
    expect(drawer).toContain('记录人：李秀英')
    expect(drawer).toContain('口头协议内容：加装檐沟，双方和好')
    expect(drawer).toContain('是（受理时确认）')

    const buttons = [...document.querySelectorAll<HTMLElement>('[data-testid="mediation-documents"] button')]
    const titles = buttons.map((b) => b.textContent?.trim())
    expect(titles).toEqual(expect.arrayContaining(['权利义务告知书', '调查记录', '卷宗封面及卷内目录']))
    buttons.find((b) => b.textContent?.trim() === '权利义务告知书')?.click()
    await flushPromises()
    buttons.find((b) => b.textContent?.trim() === '调查记录')?.click()
    await flushPromises()
    expect(printed).toEqual(expect.arrayContaining(['rights-notice', 'investigation']))

    const kind = wrapper
      .findAllComponents({ name: 'ElSelect' })
      .find((select) => select.element.closest('[data-testid="event-kind"]') || select.find('[data-testid="event-kind"]').exists())
    expect(kind).toBeDefined()
    kind?.vm.$emit('update:modelValue', 'investigation')
    await flushPromises()
    const type = (field: string, value: string) => {
      const input = document.querySelector<HTMLInputElement | HTMLTextAreaElement>(
        `[data-testid="event-field-${field}"] input, [data-testid="event-field-${field}"] textarea`,
      )
      expect(input, field).not.toBeNull()
      if (!input) return
      input.value = value
      input.dispatchEvent(new Event('input'))
    }
    type('place', '屋后')
    type('subject', '邻居伍天成')
    type('content', '檐沟缺失，雨水滴入邻院')
    type('participants', '镇司法所 邓文杰、李秀英')
    await flushPromises()
    document.querySelector<HTMLElement>('[data-testid="event-save"]')?.click()
    await flushPromises()
    expect(added).toEqual([
      {
        number: NUMBER,
        input: {
          at: null,
          deputy: null,
          note: null,
          kind: 'investigation',
          place: '屋后',
          subject: '邻居伍天成',
          content: '檐沟缺失，雨水滴入邻院',
          participants: ['镇司法所 邓文杰', '李秀英'],
        },
      },
    ])
  })
})
