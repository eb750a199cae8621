import { afterEach, describe, expect, it, vi } from 'vitest'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { ElMessage } from 'element-plus'
import { ApiError, api } from '../src/api'
import { showError } from '../src/api/errors'

afterEach(() => {
  clearMocks()
  vi.restoreAllMocks()
})

describe('command wrappers', () => {
  it('send camelCase arguments under the command name', async () => {
    const calls: [string, unknown][] = []
    mockIPC((cmd, args) => {
      calls.push([cmd, args])
      return cmd === 'case_detail' ? { ok: true } : null
    })
    await api.caseDetail('BX-2026-0001')
    await api.addCaseEvent('BX-2026-0001', { kind: 'accepted' })
    await api.exportBundle('QX', 'E:\\')
    expect(calls).toEqual([
      ['case_detail', { caseNo: 'BX-2026-0001' }],
      ['add_case_event', { caseNo: 'BX-2026-0001', input: { kind: 'accepted' } }],
      ['export_bundle', { to: 'QX', dir: 'E:\\' }],
    ])
  })

  it('reject with the backend kind and message', async () => {
    mockIPC(() => {
      throw { kind: 'invalid_phone', message: '第1位来访人电话“128”不是有效的手机号码' }
    })
    const error = await api.addReception({} as never).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect(error).toMatchObject({ kind: 'invalid_phone', message: '第1位来访人电话“128”不是有效的手机号码' })
  })

  it('treat anything else as an internal error', async () => {
    mockIPC(() => {
      throw 'command today not found'
    })
    await expect(api.today()).rejects.toMatchObject({ kind: 'internal', message: expect.stringContaining('not found') })
  })
})

describe('error branching', () => {
  it('gives a field kind to its field and shows no message box', async () => {
    const toast = vi.spyOn(ElMessage, 'error')
    mockIPC(() => {
      throw { kind: 'consent_required', message: '须经本人同意' }
    })
    const onConsent = vi.fn()
    await api.addReception({} as never).catch((reason) => showError(reason, { consent_required: onConsent }))
    expect(onConsent).toHaveBeenCalledWith('须经本人同意')
    expect(toast).not.toHaveBeenCalled()
  })

  it('shows any other kind in a message box', async () => {
    const toast = vi.spyOn(ElMessage, 'error')
    mockIPC(() => {
      throw { kind: 'storage', message: '台账数据库出错：disk I/O error' }
    })
    const onConsent = vi.fn()
    await api.addReception({} as never).catch((reason) => showError(reason, { consent_required: onConsent }))
    expect(onConsent).not.toHaveBeenCalled()
    expect(toast).toHaveBeenCalledWith(expect.objectContaining({ message: '台账数据库出错：disk I/O error' }))
  })

  it('marks the field a refusal names, and falls back to its kind without one', () => {
    const boxed = vi.spyOn(ElMessage, 'error')
    const marked: [string, string][] = []
    const atPath = (path: string, message: string) => {
      if (path === 'unshown') return false
      marked.push([path, message])
      return true
    }
    const byKind = vi.fn()
    showError({ kind: 'invalid_phone', message: '电话不对', field: 'visitors.1.phone' }, { invalid_phone: byKind }, atPath)
    expect(marked).toEqual([['visitors.1.phone', '电话不对']])
    expect(byKind).not.toHaveBeenCalled()
    showError({ kind: 'invalid_phone', message: '电话不对', field: null }, { invalid_phone: byKind }, atPath)
    expect(byKind).toHaveBeenCalledWith('电话不对')
    showError({ kind: 'invalid', message: '看不到的字段', field: 'unshown' }, {}, atPath)
    expect(boxed).toHaveBeenCalledTimes(1)
  })
})
