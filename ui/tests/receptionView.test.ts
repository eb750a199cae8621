import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, type VueWrapper } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { ElMessage } from 'element-plus'
import ReceptionView from '../src/views/ReceptionView.vue'
import { DEPUTIES } from './fixtures'
import { mountScreen } from './helpers'

afterEach(() => {
  clearMocks()
  vi.restoreAllMocks()
  document.body.innerHTML = ''
})

type Answer = (args: Record<string, unknown>) => unknown

function backend(addReception: Answer, slip = '<html><body>接待回执</body></html>') {
  const calls: Record<string, unknown>[] = []
  mockIPC((cmd, args) => {
    switch (cmd) {
      case 'deputies':
        return DEPUTIES
      case 'duty_shifts':
        return []
      case 'add_reception':
        calls.push(args as Record<string, unknown>)
        return addReception(args as Record<string, unknown>)
      case 'slip_html':
        return slip
      default:
        return null
    }
  })
  return calls
}

/** Fills the form as a deputy would; selects are set through their v-model. */
async function fill(wrapper: VueWrapper, phone: string): Promise<void> {
  const selects = wrapper.findAllComponents({ name: 'ElSelect' })
  const byTestid = (id: string) => selects.find((s) => s.find(`[data-testid="${id}"]`).exists())!
  byTestid('rc-deputies').vm.$emit('update:modelValue', [DEPUTIES[0].id])
  byTestid('rc-category').vm.$emit('update:modelValue', '山林土地')
  await wrapper.get('[data-testid="rc-visitor-name-0"]').setValue('梁桂珍')
  await wrapper.get('[data-testid="rc-visitor-phone-0"]').setValue(phone)
  await wrapper.get('[data-testid="rc-matter"]').setValue('出嫁后户口仍在本村，但今年土地分红被取消')
  await wrapper.get('[data-testid="rc-request"]').setValue('请求保障出嫁女的土地权益')
  await wrapper.get('[data-testid="rc-consent"] input').setValue(true)
  await flushPromises()
}

/** Element Plus shows a form item's message 100 ms after its state turns to error. */
async function settle(): Promise<void> {
  await flushPromises()
  await new Promise((resolve) => setTimeout(resolve, 150))
  await flushPromises()
}

function fieldError(wrapper: VueWrapper, testid: string): string {
  const item = wrapper.get(`[data-testid="${testid}"]`).element.closest('.el-form-item')
  return item?.querySelector('.el-form-item__error')?.textContent?.trim() ?? ''
}

describe('reception form', () => {
  it('checks the phone before sending, and keeps what was typed', async () => {
    const calls = backend(() => ({ id: 'r', case_no: 'BX-2026-0001' }))
    const wrapper = await mountScreen(ReceptionView)
    await fill(wrapper, '12800138000')
    await wrapper.get('[data-testid="rc-save"]').trigger('click')
    await settle()
    expect(calls).toHaveLength(0)
    expect(fieldError(wrapper, 'rc-visitor-phone-0')).toContain('手机号码不正确')
    expect((wrapper.get('[data-testid="rc-visitor-phone-0"]').element as HTMLInputElement).value).toBe('12800138000')
  })

  it('puts a refusal of the backend on its field, not in a message box', async () => {
    const toast = vi.spyOn(ElMessage, 'error')
    backend(() => {
      throw {
        kind: 'invalid_phone',
        message: '第1位来访人电话“13800138000”不是有效的手机号码',
        field: 'visitors.0.phone',
      }
    })
    const wrapper = await mountScreen(ReceptionView)
    await fill(wrapper, '13800138000')
    await wrapper.get('[data-testid="rc-save"]').trigger('click')
    await settle()
    expect(fieldError(wrapper, 'rc-visitor-phone-0')).toContain('不是有效的手机号码')
    expect(toast).not.toHaveBeenCalled()
    expect((wrapper.get('[data-testid="rc-matter"]').element as HTMLTextAreaElement).value).toBe(
      '出嫁后户口仍在本村，但今年土地分红被取消',
    )
  })

  it('marks the row a refusal names by its path, with a blank row above it', async () => {
    const toast = vi.spyOn(ElMessage, 'error')
    // Rows 0 and 2 are filled and row 1 is left blank: the command gets two visitors, and the
    // second of them (`visitors.1`) is the form's row 2, not the blank row 1 that “第2位” names.
    const calls = backend(() => {
      throw {
        kind: 'invalid_phone',
        message: '第2位来访人电话“139****0001”不是有效的手机号码',
        field: 'visitors.1.phone',
      }
    })
    const wrapper = await mountScreen(ReceptionView)
    await fill(wrapper, '13800138000')
    const add = wrapper.findAll('button').find((b) => b.text().includes('再加一位来访人'))!
    await add.trigger('click')
    await add.trigger('click')
    await wrapper.get('[data-testid="rc-visitor-name-2"]').setValue('梁伟')
    await wrapper.get('[data-testid="rc-visitor-phone-2"]').setValue('13900000001')
    await flushPromises()
    await wrapper.get('[data-testid="rc-save"]').trigger('click')
    await settle()
    expect((calls[0].input as { visitors: unknown[] }).visitors).toHaveLength(2)
    expect(fieldError(wrapper, 'rc-visitor-phone-2')).toContain('不是有效的手机号码')
    expect(fieldError(wrapper, 'rc-visitor-phone-1')).toBe('')
    expect(fieldError(wrapper, 'rc-visitor-phone-0')).toBe('')
    expect(toast).not.toHaveBeenCalled()
  })

  it('takes a kind: a dispute one of the Ministry types, a suggestion one of its classes', async () => {
    const calls = backend(() => ({ id: 'r', case_no: 'BX-2026-0008' }))
    const wrapper = await mountScreen(ReceptionView)
    const categorySelect = () =>
      wrapper.findAllComponents({ name: 'ElSelect' }).find((s) => s.find('[data-testid="rc-category"]').exists())!
    const offered = () =>
      categorySelect()
        .findAllComponents({ name: 'ElOption' })
        .map((o) => o.props('value') as string)
    expect(offered()).toContain('山林土地')
    expect(offered()).not.toContain('社会及公共事务')
    await fill(wrapper, '13800138000')
    // 山林土地 is a dispute type: choosing 意见建议 clears it and offers the suggestion classes.
    await wrapper.get('[data-testid="rc-kind-suggestion"] input').setValue(true)
    await flushPromises()
    expect(offered()).toEqual(expect.arrayContaining(['社会及公共事务', '资源环境、城乡建设和农林水利']))
    expect(offered()).not.toContain('山林土地')
    expect(categorySelect().props('modelValue')).toBe('')
    categorySelect().vm.$emit('update:modelValue', '资源环境、城乡建设和农林水利')
    await flushPromises()
    await wrapper.get('[data-testid="rc-save"]').trigger('click')
    await settle()
    expect(calls).toHaveLength(1)
    const input = calls[0].input as { kind: string; category: string }
    expect(input.kind).toBe('suggestion')
    expect(input.category).toBe('资源环境、城乡建设和农林水利')
  })

  it('marks the consent box when the backend asks for consent', async () => {
    backend(() => {
      throw { kind: 'consent_required', message: '须经本人同意' }
    })
    const wrapper = await mountScreen(ReceptionView)
    await fill(wrapper, '13800138000')
    await wrapper.get('[data-testid="rc-save"]').trigger('click')
    await settle()
    expect(fieldError(wrapper, 'rc-consent')).toBe('须经本人同意')
  })

  it('saves with Ctrl+Enter and shows the slip in a sandboxed frame', async () => {
    const calls = backend(() => ({ id: 'r', case_no: 'BX-2026-0007' }), '<p>回执 <script>alert(1)</script></p>')
    const wrapper = await mountScreen(ReceptionView)
    await fill(wrapper, '139 2345 6789')
    await wrapper.get('[data-testid="rc-matter"]').trigger('keydown', { key: 'Enter', ctrlKey: true })
    await flushPromises()
    expect(calls).toHaveLength(1)
    const input = calls[0].input as Record<string, unknown>
    expect(input).toMatchObject({
      channel: 'station_visit',
      deputies: [DEPUTIES[0].id],
      category: '山林土地',
      consent: true,
      visitors: [expect.objectContaining({ name: '梁桂珍', phone: '13923456789' })],
    })
    const frame = document.querySelector('[data-testid="slip-frame"]') as HTMLIFrameElement
    expect(frame.getAttribute('sandbox')).toBe('allow-same-origin allow-modals')
    expect(frame.getAttribute('srcdoc')).toContain('回执')
  })

  it('does not save on a plain Enter', async () => {
    const calls = backend(() => ({ id: 'r', case_no: 'BX-2026-0001' }))
    const wrapper = await mountScreen(ReceptionView)
    await fill(wrapper, '13800138000')
    await wrapper.get('[data-testid="rc-visitor-name-0"]').trigger('keydown', { key: 'Enter' })
    await flushPromises()
    expect(calls).toHaveLength(0)
  })
})
