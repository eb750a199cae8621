// 代表建议: the form's checks and what it sends, which events the life allows, and the screen —
// a suggestion's life shown, its answer recorded, and a draft started from a case.
import { afterEach, describe, expect, it, vi } from 'vitest'
import { flushPromises, mount } from '@vue/test-utils'
import { createMemoryHistory, createRouter } from 'vue-router'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import SuggestionsView from '../src/views/SuggestionsView.vue'
import { routes } from '../src/router'
import { em } from '../src/state'
import type { SuggestionListing } from '../src/api/types'
import {
  checkSuggestion,
  emptySuggestion,
  suggestionEventChoices,
  suggestionEventDetail,
  suggestionInput,
} from '../src/lib/suggestion'
import { suggestionEventKind } from '../src/lib/eventForm'
import { DEPUTIES } from './fixtures'
import { mountScreen, until } from './helpers'

function listing(events: SuggestionListing['events'] = []): SuggestionListing {
  const submitted = events.some((e) => e.kind === 'submitted')
  const answered = events.some((e) => e.kind === 'answered')
  return {
    id: 's1',
    number: 'BX建议〔2026〕1号',
    station: 'BX',
    year: 2026,
    seq: 1,
    title: '关于维修东岭村渡槽的建议',
    category: '资源环境、城乡建设和农林水利',
    reasons: '渡槽漏水，灌溉受影响',
    proposals: '列入明年水利计划',
    cases: ['BX-2026-0001', 'BX-2026-0002'],
    lead: DEPUTIES[0].id,
    cosigners: [],
    congress: 'county',
    drafted_at: '2026-11-27T09:00:00+08:00',
    lead_name: '李秀英',
    cosigner_names: ['王立新'],
    state: {
      status: answered ? 'answered' : submitted ? 'submitted' : 'drafted',
      submitted_on: submitted ? '2026-11-28' : null,
      registered_no: null,
      units: [],
      deadline: null,
      answered_on: answered ? '2026-12-03' : null,
      answer_class: answered ? 'planned' : null,
      satisfaction: null,
    },
    status_label: answered ? '已答复' : submitted ? '已提交' : '草拟',
    overdue: false,
    events,
  }
}

const SUBMITTED = {
  id: 'e1',
  suggestion: 's1',
  at: '2026-11-28T10:00:00+08:00',
  deputy: null,
  note: null,
  kind: 'submitted' as const,
  to: '县人大常委会代表工作委员会',
  registered_no: '第0123号',
}

describe('the suggestion form', () => {
  it('asks for a source case, a lead, and no lead among the co-signers', () => {
    const form = emptySuggestion()
    const errors = checkSuggestion(form)
    expect(Object.keys(errors).sort()).toEqual(['cases', 'category', 'lead', 'proposals', 'reasons', 'title'])
    expect(errors.cases).toContain('请至少关联一件接待登记')
    Object.assign(form, {
      title: ' 关于维修渡槽的建议 ',
      category: '社会及公共事务',
      reasons: '漏水',
      proposals: '维修',
      cases: ['BX-2026-0001', ' '],
      lead: 'a',
      cosigners: ['a'],
    })
    expect(checkSuggestion(form)).toEqual({ cosigners: '领衔代表不必再列为附议代表' })
    form.cosigners = ['b']
    expect(checkSuggestion(form)).toEqual({})
    expect(suggestionInput(form)).toEqual({
      title: '关于维修渡槽的建议',
      category: '社会及公共事务',
      reasons: '漏水',
      proposals: '维修',
      cases: ['BX-2026-0001'],
      lead: 'a',
      cosigners: ['b'],
      unit: null,
      drafted_at: null,
      drafted_by: null,
    })
  })

  it('offers the events the life allows, and sends an assignment without a deadline as such', () => {
    const allowed = (s: SuggestionListing) =>
      suggestionEventChoices(s)
        .filter((c) => !c.disabled)
        .map((c) => c.value)
    expect(allowed(listing())).toEqual(['submitted'])
    expect(allowed(listing([SUBMITTED]))).toEqual(['assigned', 'answered'])
    expect(suggestionEventKind('assigned', { unit: '镇农业农村办', deadline: '' })).toEqual({
      kind: 'assigned',
      unit: '镇农业农村办',
    })
    expect(suggestionEventDetail(SUBMITTED)).toBe('提交至县人大常委会代表工作委员会，登记编号第0123号')
  })
})

describe('the suggestions screen', () => {
  afterEach(() => {
    clearMocks()
    vi.restoreAllMocks()
    document.body.innerHTML = ''
  })

  it('lists a suggestion, shows its life and records the answer with its class', async () => {
    const added: Record<string, unknown>[] = []
    const asked: unknown[] = []
    mockIPC((cmd, args) => {
      switch (cmd) {
        case 'suggestions':
          asked.push(args)
          return { items: [listing([SUBMITTED])], has_more: false }
        case 'suggestion':
          return (args as { number: string }).number === 'BX建议〔2026〕1号' ? listing([SUBMITTED]) : null
        case 'deputies':
          return DEPUTIES
        case 'draft':
          return null
        case 'add_suggestion_event':
          added.push(args as Record<string, unknown>)
          return {
            id: 'e2',
            number: 'BX建议〔2026〕1号',
            state: { ...listing([SUBMITTED]).state, status: 'answered' },
            status_label: '已答复',
          }
        default:
          return null
      }
    })
    const wrapper = await mountScreen(SuggestionsView)
    // A page at a time, as the other long lists.
    expect(asked).toEqual([{ page: { offset: 0, limit: 20 } }])
    expect(wrapper.text()).toContain('BX建议〔2026〕1号')
    expect(wrapper.text()).toContain('王立新')
    expect(wrapper.text()).toContain('已提交')
    await wrapper.find('.el-table__row').trigger('click')
    await flushPromises()
    const drawer = document.body.textContent ?? ''
    expect(drawer).toContain('提交至县人大常委会代表工作委员会，登记编号第0123号')
    expect(drawer).toContain('BX-2026-0002')
    expect(drawer).toContain('打印代表建议')

    const kind = wrapper
      .findAllComponents({ name: 'ElSelect' })
      .find((select) => select.element.closest('[data-testid="event-kind"]') || select.find('[data-testid="event-kind"]').exists())
    expect(kind).toBeDefined()
    kind?.vm.$emit('update:modelValue', 'answered')
    await flushPromises()
    const classSelect = wrapper
      .findAllComponents({ name: 'ElSelect' })
      .find((select) => select.element.closest('[data-testid="event-field-class"]') || select.find('[data-testid="event-field-class"]').exists())
    expect(classSelect).toBeDefined()
    classSelect?.vm.$emit('update:modelValue', 'planned')
    const answer = document.querySelector<HTMLTextAreaElement>('[data-testid="event-field-answer"] textarea')
    expect(answer).not.toBeNull()
    if (!answer) return
    answer.value = '已列入明年水利计划'
    answer.dispatchEvent(new Event('input'))
    await flushPromises()
    document.querySelector<HTMLElement>('[data-testid="event-save"]')?.click()
    await flushPromises()
    expect(added).toEqual([
      {
        number: 'BX建议〔2026〕1号',
        input: { at: null, deputy: null, note: null, kind: 'answered', class: 'planned', answer: '已列入明年水利计划' },
      },
    ])
  })

  it('starts a draft from a case: the form opens with the case as its source', async () => {
    mockIPC((cmd) => {
      switch (cmd) {
        case 'suggestions':
          return { items: [], has_more: false }
        case 'deputies':
          return DEPUTIES
        default:
          return null
      }
    })
    // Mounted on the route that carries the case, as the case page's button leads there.
    const router = createRouter({ history: createMemoryHistory(), routes })
    await router.push({ path: '/suggestions', query: { new: 'BX-2026-0007' } })
    const screen = mount(SuggestionsView, { global: { plugins: [router], mocks: { $em: em } }, attachTo: document.body })
    await flushPromises()
    await until(() => (document.body.textContent ?? '').includes('起草代表建议'))
    expect(document.body.textContent).toContain('BX-2026-0007')
    expect(router.currentRoute.value.query).toEqual({})
    screen.unmount()
  })
})
