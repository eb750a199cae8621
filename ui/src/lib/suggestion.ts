// 代表建议: the new-suggestion form (what it holds, its checks, what it sends) and what the
// screen shows of a suggestion's life. The rules are the store's (crates/casebook/src/store/ops.rs,
// `add_suggestion` and `check_suggestion_event`); the form checks only what it can see.

import type {
  SuggestionEvent,
  SuggestionEventKindName,
  SuggestionInput,
  SuggestionListing,
} from '../api/types'
import { ANSWER_CLASS_LABELS, SATISFACTION_LABELS, SUGGESTION_EVENT_LABELS } from './labels'
import { toRfc3339 } from './time'
import { LIMITS, checkRequired, checkText, optionalText } from './validate'

/** What the new-suggestion form holds. */
export interface SuggestionForm {
  title: string
  category: string
  reasons: string
  proposals: string
  /** Case numbers, one or more. */
  cases: string[]
  /** Deputy id. */
  lead: string | null
  /** Deputy ids. */
  cosigners: string[]
  unit: string
  drafted_at: Date | null
  drafted_by: string
}

export function emptySuggestion(cases: string[] = []): SuggestionForm {
  return {
    title: '',
    category: '',
    reasons: '',
    proposals: '',
    cases,
    lead: null,
    cosigners: [],
    unit: '',
    drafted_at: null,
    drafted_by: '',
  }
}

/** Messages by field for what is missing or wrong, in the store's words. */
export function checkSuggestion(form: SuggestionForm): Record<string, string> {
  const errors: Record<string, string> = {}
  const put = (key: string, problem: string | null) => {
    if (problem) errors[key] = problem
  }
  put('title', checkRequired(form.title, '案由') ?? checkText(form.title, '案由', LIMITS.title))
  if (!form.category) errors.category = '请选择类别'
  put('reasons', checkRequired(form.reasons, '理由') ?? checkText(form.reasons, '理由', LIMITS.long, true))
  put('proposals', checkRequired(form.proposals, '具体建议') ?? checkText(form.proposals, '具体建议', LIMITS.long, true))
  if (!form.cases.some((c) => c.trim() !== '')) {
    errors.cases = '代表建议来自群众反映：请至少关联一件接待登记（案件编号）'
  }
  if (!form.lead) errors.lead = '请选择领衔代表'
  if (form.lead && form.cosigners.includes(form.lead)) errors.cosigners = '领衔代表不必再列为附议代表'
  put('unit', checkText(form.unit, '建议承办单位', LIMITS.label))
  put('drafted_by', checkText(form.drafted_by, '起草人', LIMITS.name))
  return errors
}

/** What `add_suggestion` takes. */
export function suggestionInput(form: SuggestionForm): SuggestionInput {
  return {
    title: form.title.trim(),
    category: form.category,
    reasons: form.reasons.trim(),
    proposals: form.proposals.trim(),
    cases: form.cases.map((c) => c.trim()).filter((c) => c !== ''),
    lead: form.lead ?? '',
    cosigners: form.cosigners,
    unit: optionalText(form.unit),
    drafted_at: form.drafted_at ? toRfc3339(form.drafted_at) : null,
    drafted_by: optionalText(form.drafted_by),
  }
}

/**
 * The kinds of event the suggestion may take now, as `check_suggestion_event` allows them:
 * handed in once; assigned and answered once handed in; an opinion of an answer not asked about.
 */
export function suggestionEventChoices(
  s: SuggestionListing,
): { value: SuggestionEventKindName; label: string; disabled: boolean }[] {
  const submitted = s.state.submitted_on !== null
  const allowed: Record<SuggestionEventKindName, boolean> = {
    submitted: !submitted,
    assigned: submitted,
    answered: submitted,
    satisfaction: s.state.answered_on !== null && s.state.satisfaction === null,
  }
  return (Object.keys(allowed) as SuggestionEventKindName[]).map((value) => ({
    value,
    label: SUGGESTION_EVENT_LABELS[value],
    disabled: !allowed[value],
  }))
}

/** An event's particulars in one line. */
export function suggestionEventDetail(event: SuggestionEvent): string {
  switch (event.kind) {
    case 'submitted':
      return [event.to && `提交至${event.to}`, event.registered_no && `登记编号${event.registered_no}`]
        .filter(Boolean)
        .join('，')
    case 'assigned':
      return `交${event.unit}办理，答复期限 ${event.deadline}`
    case 'answered':
      return `${event.unit ? `${event.unit}：` : ''}${ANSWER_CLASS_LABELS[event.class]}。${event.answer}`
    case 'satisfaction':
      return `代表${SATISFACTION_LABELS[event.satisfaction]}${event.opinion ? `：${event.opinion}` : ''}`
  }
}
