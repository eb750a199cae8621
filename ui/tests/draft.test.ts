import { afterEach, describe, expect, it } from 'vitest'
import { defineComponent, h, reactive } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import { useDraft } from '../src/composables/useDraft'
import { beforeClose, finishBeforeClose } from '../src/lib/closing'
import { decodeDraft, encodeDraft, hasContent } from '../src/lib/draft'
import { emptyReception, type ReceptionForm } from '../src/lib/reception'

afterEach(() => {
  clearMocks()
  document.body.innerHTML = ''
})

describe('a draft as text', () => {
  it('keeps a time as its station wall clock, whatever the zone', () => {
    const form = emptyReception(new Date(2026, 10, 28, 9, 30, 0))
    form.matter = '渡槽渗漏'
    const body = encodeDraft(form)
    expect(body).toContain('"$wallClock":"2026-11-28T09:30:00"')
    const back = decodeDraft<ReceptionForm>(body)
    expect(back?.received_at).toEqual(new Date(2026, 10, 28, 9, 30, 0))
    expect(back?.matter).toBe('渡槽渗漏')
  })

  it('reads nothing from a body it does not understand', () => {
    expect(decodeDraft('[1]')).toBeNull()
    expect(decodeDraft('{broken')).toBeNull()
    expect(decodeDraft('"text"')).toBeNull()
  })

  it('counts a form as typed only beyond what a fresh form fills in itself', () => {
    const fresh = () => emptyReception(new Date(2026, 10, 28, 9, 30))
    const form = emptyReception(new Date(2026, 10, 28, 11, 0))
    expect(hasContent(form, fresh(), ['received_at'])).toBe(false)
    expect(hasContent(form, fresh())).toBe(true)
    form.visitors[0].phone = '139'
    expect(hasContent(form, fresh(), ['received_at'])).toBe(true)
  })
})

/** The book's drafts, as the backend keeps them. */
function backend() {
  const drafts = new Map<string, string>()
  const calls: string[] = []
  mockIPC((cmd, args) => {
    const { form, body } = args as { form: string; body?: string }
    calls.push(`${cmd} ${form}`)
    switch (cmd) {
      case 'draft':
        return drafts.has(form) ? { form, body: drafts.get(form), saved_at: '2026-11-28T09:31:00+08:00' } : null
      case 'save_draft':
        drafts.set(form, body ?? '')
        return { form, body, saved_at: '2026-11-28T09:32:00+08:00' }
      case 'discard_draft':
        drafts.delete(form)
        return null
      default:
        return null
    }
  })
  return { drafts, calls }
}

const blank = () => ({ matter: '', phone: '' })

function mountForm() {
  let api: ReturnType<typeof useDraft<{ matter: string; phone: string }>> | undefined
  const form = reactive(blank())
  const wrapper = mount(
    defineComponent({
      setup() {
        api = useDraft('reception', form, blank)
        return () => h('div')
      },
    }),
  )
  return { form, wrapper, draft: api! }
}

const pause = () => new Promise((resolve) => setTimeout(resolve, 400))

describe('useDraft', () => {
  it('writes what is typed, puts it back on the next visit, and forgets it once saved', async () => {
    const { drafts } = backend()
    const first = mountForm()
    await flushPromises()
    first.form.matter = '渡槽渗漏'
    first.form.phone = '13912345678'
    await pause()
    await flushPromises()
    expect(JSON.parse(drafts.get('reception') ?? '{}')).toEqual({ matter: '渡槽渗漏', phone: '13912345678' })
    expect(first.draft.savedAt.value).toBe('2026-11-28T09:32:00+08:00')

    // Leaving the screen at once, before the pause is over, still writes the last keystroke.
    first.form.matter = '渡槽渗漏，春灌缺水'
    first.wrapper.unmount()
    await flushPromises()
    expect(JSON.parse(drafts.get('reception') ?? '{}').matter).toBe('渡槽渗漏，春灌缺水')

    const second = mountForm()
    await flushPromises()
    expect(second.form).toEqual({ matter: '渡槽渗漏，春灌缺水', phone: '13912345678' })
    expect(second.draft.restoredFrom.value).toBe('2026-11-28T09:31:00+08:00')

    second.draft.saved()
    await flushPromises()
    expect(drafts.has('reception')).toBe(false)
    // The form is reset after saving: nothing is written back.
    Object.assign(second.form, blank())
    await pause()
    await flushPromises()
    expect(drafts.has('reception')).toBe(false)
  })

  it('放弃草稿 empties the form and the book', async () => {
    const { drafts } = backend()
    drafts.set('reception', JSON.stringify({ matter: '旧的', phone: '' }))
    const { form, draft } = mountForm()
    await flushPromises()
    expect(form.matter).toBe('旧的')
    draft.discard()
    await pause()
    await flushPromises()
    expect(form).toEqual(blank())
    expect(drafts.has('reception')).toBe(false)
    expect(draft.restoredFrom.value).toBeNull()
  })

  it('an empty form writes nothing', async () => {
    const { calls } = backend()
    const { form, wrapper } = mountForm()
    await flushPromises()
    form.matter = ''
    await pause()
    wrapper.unmount()
    await flushPromises()
    expect(calls).toEqual(['draft reception'])
  })

  it('closing the window at once after a keystroke writes it first', async () => {
    const { drafts } = backend()
    const { form, wrapper } = mountForm()
    await flushPromises()
    form.phone = '13912345678'
    // No pause: the window's close is asked for before typing has paused long enough.
    await finishBeforeClose()
    expect(JSON.parse(drafts.get('reception') ?? '{}').phone).toBe('13912345678')
    wrapper.unmount()
  })
})

describe('closing the window', () => {
  it('waits for every task, and for a stuck one only so long', async () => {
    const done: string[] = []
    const forgetQuick = beforeClose(async () => {
      done.push('quick')
    })
    const forgetStuck = beforeClose(() => new Promise(() => {}))
    const started = Date.now()
    await finishBeforeClose(50)
    expect(done).toEqual(['quick'])
    expect(Date.now() - started).toBeLessThan(1000)
    forgetQuick()
    forgetStuck()
    await finishBeforeClose(50)
    expect(done).toEqual(['quick'])
  })
})
