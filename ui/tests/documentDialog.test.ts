import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import DocumentDialog from '../src/components/DocumentDialog.vue'
import { until } from './helpers'

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
})

/** The dialog open on a slip, its frame's print counted; `refuse` makes record_print fail. */
async function openSlip(refuse: boolean) {
  const calls: string[] = []
  mockIPC((cmd, args) => {
    calls.push(cmd)
    if (cmd === 'record_print') {
      expect(args).toMatchObject({ document: 'slip', id: 'DL-2026-0001' })
      if (refuse) throw { kind: 'not_found', message: '找不到案件 DL-2026-0001' }
    }
    return null
  })
  mount(DocumentDialog, {
    props: {
      modelValue: true,
      title: '接待回执 DL-2026-0001',
      load: () => Promise.resolve('<p>DL-2026-0001</p>'),
      printed: { document: 'slip', id: 'DL-2026-0001' },
      testid: 'slip',
    },
    attachTo: document.body,
  })
  await flushPromises()
  const button = () => document.querySelector<HTMLButtonElement>('[data-testid="slip-print"]')
  await until(() => button() !== null && !button()!.disabled)
  const frame = document.querySelector<HTMLIFrameElement>('[data-testid="slip-frame"]')!
  const print = vi.fn(() => calls.push('print'))
  frame.contentWindow!.print = print
  button()!.click()
  await flushPromises()
  return { calls, print }
}

describe('printing a document with personal data', () => {
  it('records the print, then opens the print dialog', async () => {
    const { calls, print } = await openSlip(false)
    await until(() => print.mock.calls.length === 1)
    expect(calls).toEqual(['record_print', 'print'])
  })

  it('does not print what it could not record', async () => {
    const { calls, print } = await openSlip(true)
    await until(() => document.body.textContent?.includes('找不到案件') ?? false)
    expect(print).not.toHaveBeenCalled()
    expect(calls).toEqual(['record_print'])
  })
})
