import { afterEach, describe, expect, it } from 'vitest'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import type { Imported, MediationListing, Renumbered, SyncOutcome, SyncView } from '../src/api/types'
import { formerNumberText, renumberedBy, renumberedWarning } from '../src/lib/renumbered'
import CaseDetailView from '../src/views/CaseDetailView.vue'
import MediationsView from '../src/views/MediationsView.vue'
import SyncViewScreen from '../src/views/SyncView.vue'
import { app } from '../src/state'
import { DEPUTIES, bookStatus, caseDetail } from './fixtures'
import { mountScreen, until } from './helpers'

afterEach(() => {
  clearMocks()
  app.book = null
  document.body.innerHTML = ''
})

const NEW = 'DL-2026-0004'
const FORMER = 'DL-2026-0002'
const RENUMBERED: Renumbered[] = [
  { kind: 'case', number: NEW, former: FORMER, at: '2026-12-05T10:00:00+08:00' },
  { kind: 'mediation', number: '（2026）DL人调字第3号', former: '（2026）DL人调字第2号', at: '2026-12-05T11:20:00+08:00' },
]

function imported(overrides: Partial<Imported> = {}): Imported {
  return { applied: 12, duplicates: 0, pending: 0, quarantined: 0, receipts: 1, recovered: 9, renumbered: 0, ...overrides }
}

const SYNC_VIEW: SyncView = { peers: [], hub_url: 'http://town-office:8700', worker: null }

describe('renumbered words', () => {
  it('counts only what the town’s bundle renumbered', () => {
    expect(renumberedBy(null)).toBe(0)
    expect(renumberedBy(imported({ renumbered: 2 }))).toBe(2)
    const cycle: SyncOutcome = { pushed: 3, push: imported({ renumbered: 5 }), acknowledged_seq: 40, pulled: null }
    expect(renumberedBy(cycle), 'the hub’s answer to the push is no news for the station').toBe(0)
    expect(renumberedBy({ ...cycle, pulled: imported({ renumbered: 1 }) })).toBe(1)
  })

  it('warns in Chinese with the count and what to do, and says nothing for none', () => {
    expect(renumberedWarning(0)).toBeNull()
    expect(renumberedWarning(2)).toBe(
      '2 件恢复后登记的记录原编号已被镇里保存的本站记录使用，已改用新编号。请为每件打印编号更正通知，交给来访人。',
    )
    expect(formerNumberText(FORMER)).toBe(`原编号 ${FORMER}（恢复台账后更正）`)
  })
})

/** The station's 同步 screen over mocked commands; every command it was sent. */
async function syncScreen(listed: Renumbered[], answers: Record<string, unknown> = {}) {
  const calls: [string, unknown][] = []
  let list = listed
  mockIPC((cmd, args) => {
    calls.push([cmd, args])
    if (cmd in answers) {
      if (cmd === 'import_bundle' || cmd === 'sync_now') list = RENUMBERED
      return answers[cmd]
    }
    switch (cmd) {
      case 'sync_status':
        return SYNC_VIEW
      case 'renumbered':
        return list
      case 'own_fingerprint':
        return '6832 9294 1138 5857 4999 1125'
      case 'document_html':
        return `<p>编号更正通知 ${(args as { id: string }).id}</p>`
      default:
        return null
    }
  })
  app.book = bookStatus()
  const wrapper = await mountScreen(SyncViewScreen)
  return { wrapper, calls }
}

describe('同步 › 编号已更正的记录', () => {
  it('has no such section while no record was renumbered', async () => {
    const { wrapper, calls } = await syncScreen([])
    await until(() => calls.some(([cmd]) => cmd === 'renumbered'))
    expect(wrapper.find('[data-testid="renumbered"]').exists()).toBe(false)
    expect(wrapper.text()).not.toContain('编号已更正')
  })

  it('lists each record with both numbers and opens its correction notice to print', async () => {
    const { wrapper, calls } = await syncScreen(RENUMBERED)
    await until(() => wrapper.findAll('[data-testid="renumbered-print"]').length === 2)
    const section = wrapper.get('[data-testid="renumbered"]').text()
    for (const shown of ['编号已更正的记录', '案件', '人民调解', NEW, FORMER, '（2026）DL人调字第2号', '2026-12-05 10:00']) {
      expect(section, shown).toContain(shown)
    }
    expect(wrapper.find('[data-testid="sync-renumbered-warning"]').exists(), 'no cycle ran here').toBe(false)

    await wrapper.get(`[data-testid="renumbered-print"][data-number="${NEW}"]`).trigger('click')
    await until(() => document.querySelector('[data-testid="correction-frame"]')?.getAttribute('srcdoc')?.includes(NEW) ?? false)
    expect(calls).toContainEqual(['document_html', { kind: 'correction', id: NEW }])
    expect(document.querySelector('.el-dialog__title')?.textContent).toBe(`编号更正通知 ${NEW}`)
  })

  it('warns after an import that renumbered records, and lists them', async () => {
    const { wrapper } = await syncScreen([], { import_bundle: imported({ renumbered: 2 }) })
    await until(() => wrapper.find('[data-testid="import-path"]').exists())
    await wrapper.get('[data-testid="import-path"]').setValue('/media/usb/QX-DL-3-80.lsb')
    await wrapper.get('[data-testid="import-run"]').trigger('click')
    await until(() => wrapper.find('[data-testid="import-renumbered-warning"]').exists())
    expect(wrapper.get('[data-testid="import-renumbered-warning"]').text()).toContain(
      '2 件恢复后登记的记录原编号已被镇里保存的本站记录使用，已改用新编号',
    )
    await until(() => wrapper.findAll('[data-testid="renumbered-print"]').length === 2)
  })

  it('warns after a sync whose town bundle renumbered records, and not after one that did not', async () => {
    const cycle = (renumbered: number): SyncOutcome => ({
      pushed: 1,
      push: imported(),
      acknowledged_seq: 40,
      pulled: imported({ renumbered }),
    })
    const { wrapper } = await syncScreen([], { sync_now: cycle(1) })
    await until(() => wrapper.find('[data-testid="sync-now"]').exists())
    await wrapper.get('[data-testid="sync-now"]').trigger('click')
    await until(() => wrapper.find('[data-testid="sync-renumbered-warning"]').exists())
    expect(wrapper.get('[data-testid="sync-renumbered-warning"]').text()).toContain('1 件恢复后登记的记录')

    clearMocks()
    document.body.innerHTML = ''
    const calm = await syncScreen([], { sync_now: cycle(0) })
    await until(() => calm.wrapper.find('[data-testid="sync-now"]').exists())
    await calm.wrapper.get('[data-testid="sync-now"]').trigger('click')
    await until(() => calm.calls.filter(([cmd]) => cmd === 'sync_status').length >= 2)
    expect(calm.wrapper.find('[data-testid="sync-renumbered-warning"]').exists()).toBe(false)
  })
})

describe('案件详情 › a renumbered case', () => {
  it('shows the former number and prints the correction notice for the number now', async () => {
    const calls: [string, unknown][] = []
    const detail = caseDetail('垃圾清运不及时')
    detail.reception = { ...detail.reception, case_no: NEW, former_case_no: FORMER }
    mockIPC((cmd, args) => {
      calls.push([cmd, args])
      if (cmd === 'case_detail') return detail
      if (cmd === 'deputies') return DEPUTIES
      if (cmd === 'document_html') return `<p>编号更正通知 ${NEW}</p>`
      return null
    })
    const wrapper = await mountScreen(CaseDetailView, { caseNo: NEW })
    await until(() => wrapper.find('[data-testid="case-former-no"]').exists())
    expect(wrapper.get('[data-testid="case-no"]').text()).toBe(NEW)
    expect(wrapper.get('[data-testid="case-former-no"]').text()).toBe(`原编号 ${FORMER}（恢复台账后更正）`)
    await wrapper.get('[data-testid="case-correction"]').trigger('click')
    await until(() => document.querySelector('[data-testid="correction-frame"]')?.getAttribute('srcdoc')?.includes(NEW) ?? false)
    expect(calls).toContainEqual(['document_html', { kind: 'correction', id: NEW }])
  })

  it('shows neither for a case that kept its number', async () => {
    mockIPC((cmd) => (cmd === 'case_detail' ? caseDetail('村道路灯损坏') : cmd === 'deputies' ? DEPUTIES : null))
    const wrapper = await mountScreen(CaseDetailView, { caseNo: 'BX-2026-0001' })
    await until(() => wrapper.find('[data-testid="case-no"]').exists())
    expect(wrapper.find('[data-testid="case-former-no"]').exists()).toBe(false)
    expect(wrapper.find('[data-testid="case-correction"]').exists()).toBe(false)
  })
})

describe('人民调解 › a renumbered file', () => {
  it('shows the former number in the open file and prints its correction notice', async () => {
    const number = '（2026）DL人调字第3号'
    const file: MediationListing = {
      state: { result: null, agreement_on: null, performance: null, confirmation: null, satisfaction: null },
      overdue: false,
      events: [],
      id: '01a22069-7875-7626-89f1-bb91c16d76d9',
      number,
      former_number: '（2026）DL人调字第2号',
      station: 'DL',
      year: 2026,
      seq: 3,
      case_no: null,
      source: 'application',
      dispute_type: '邻里纠纷',
      dispute_subtype: null,
      accepted_at: '2026-12-05T11:20:00+08:00',
      summary: '两户因排水沟堵塞发生争执。',
      parties: [
        { role: 'applicant', name: '柯晓岚', sex: null, age: null, phone: null, id_number: null, address: null },
        { role: 'respondent', name: '邝大山', sex: null, age: null, phone: null, id_number: null, address: null },
      ],
      mediators: [{ deputy: null, name: '李秀英' }],
      consent: true,
    }
    const calls: [string, unknown][] = []
    mockIPC((cmd, args) => {
      calls.push([cmd, args])
      if (cmd === 'mediations') {
        return { items: [file, { ...file, id: 'other', number: '（2026）DL人调字第1号', former_number: undefined }], has_more: false }
      }
      if (cmd === 'mediation') return (args as { number: string }).number === number ? file : null
      if (cmd === 'deputies') return DEPUTIES
      if (cmd === 'document_html') return `<p>编号更正通知 ${number}</p>`
      return null
    })
    const wrapper = await mountScreen(MediationsView)
    await wrapper.vm.$router.replace({ query: { open: number } })
    await until(() => document.querySelector('[data-testid="mediation-former-no"]') !== null)
    expect(document.querySelector('[data-testid="mediation-former-no"]')?.textContent).toContain(
      '原编号 （2026）DL人调字第2号（恢复台账后更正）',
    )
    document.querySelector<HTMLButtonElement>('[data-testid="mediation-correction"]')!.click()
    await until(() => calls.some(([cmd]) => cmd === 'document_html'))
    expect(calls).toContainEqual(['document_html', { kind: 'correction', id: number }])

    await wrapper.vm.$router.replace({ query: { open: '（2026）DL人调字第1号' } })
    await until(() => document.querySelector('[data-testid="mediation-former-no"]') === null)
    expect(document.querySelector('[data-testid="mediation-correction"]')).toBeNull()
  })
})
