// Event forms driven by a table: for each event kind, the fields it has (exactly the fields of
// its serde variant), so the form shows only those and sends nothing else — the store refuses a
// field the kind does not have.

import type {
  DateTime,
  CaseEventKind,
  CaseEventKindName,
  CaseStatus,
  IsoDate,
  MediationEventKind,
  MediationEventKindName,
  SuggestionEventKindInput,
  SuggestionEventKindName,
  TimelineEntry,
} from '../api/types'
import {
  ANSWER_CLASS_LABELS,
  CONFIRMATION_LABELS,
  MEDIATION_RESULT_LABELS,
  PERFORMANCE_LABELS,
  SATISFACTION_LABELS,
  options,
  type Choice,
} from './labels'
import { LIMITS, MAX_AMOUNT_YUAN, checkDateNotFuture, checkRequired, checkText, optionalText } from './validate'

/** `names`: a list of names typed on one line, separated by 、 or commas (sent as a list). */
export type FieldType = 'text' | 'textarea' | 'date' | 'select' | 'number' | 'names'

export interface FieldSpec {
  key: string
  label: string
  type: FieldType
  required: boolean
  options?: Choice[]
  /** A date that may not be after today. */
  past?: boolean
  /** The longest text the store keeps (docs/cli.md §3.6). */
  max?: number
  placeholder?: string
  /** A date that may not be before the event's day: the store's refusal, word for word. */
  notBeforeEvent?: string
  /** Left out of what is sent when empty: the kind's field is optional (`unit?: string`). */
  omitEmpty?: boolean
}

/** What the form holds: text for every field, numbers as text until sent. */
export type FieldValues = Record<string, string>

/** A filled-in event form; each view turns it into its command's input. */
export interface EventDraft<Kind extends string> {
  kind: Kind
  values: FieldValues
  at: DateTime | null
  deputy: string | null
  note: string | null
}

const text = (key: string, label: string, required = true, max: number = LIMITS.label): FieldSpec => ({
  key,
  label,
  type: 'text',
  required,
  max,
})
const long = (key: string, label: string, required = true, max: number = LIMITS.long): FieldSpec => ({
  key,
  label,
  type: 'textarea',
  required,
  max,
})
const satisfaction: FieldSpec = {
  key: 'satisfaction',
  label: '满意度',
  type: 'select',
  required: true,
  options: options(SATISFACTION_LABELS),
}

export const CASE_EVENT_FIELDS: Record<CaseEventKindName, FieldSpec[]> = {
  accepted: [],
  answered_on_spot: [long('answer', '答复内容')],
  not_accepted: [
    long('reason', '不予受理理由', true, LIMITS.note),
    text('route', '告知途径（信访/诉讼/仲裁等）', true, LIMITS.note),
  ],
  referred: [
    text('to', '交办单位'),
    { key: 'deadline', label: '办理期限', type: 'date', required: true, notBeforeEvent: '办理期限不能早于交办日期' },
  ],
  // The unit is the latest referral's unless another is named (the form fills it in); a new
  // deadline moves the date the answer is owed by.
  chased: [
    { ...text('unit', '督办单位', false), omitEmpty: true, placeholder: '不填则为交办单位' },
    { ...text('by', '督办人', false), omitEmpty: true, placeholder: '可不填，如 镇人大办公室' },
    {
      key: 'deadline',
      label: '新的办理期限',
      type: 'date',
      required: false,
      omitEmpty: true,
      notBeforeEvent: '督办的新期限不能早于督办日期',
    },
  ],
  reply_received: [text('from', '答复单位', false), long('content', '答复内容')],
  fed_back: [],
  follow_up: [satisfaction],
  sent_back: [long('reason', '退回理由', true, LIMITS.note)],
  to_council: [],
  to_mediation: [
    {
      ...text('mediation_no', '调解编号', false, LIMITS.code),
      placeholder: '在“人民调解”中新建调解时会自动登记，一般不用在此填写',
    },
  ],
  closed: [],
  reopened: [long('reason', '重新办理理由', true, LIMITS.note)],
}

const names = (key: string, label: string, placeholder: string): FieldSpec => ({
  key,
  label,
  type: 'names',
  required: false,
  omitEmpty: true,
  placeholder,
})
const recorder: FieldSpec = {
  ...text('recorder', '记录人', false, LIMITS.name),
  omitEmpty: true,
  placeholder: '不填则为登记的代表',
}

/** The names of a `names` field: split at 、 ， , ; (a name may hold a space: 镇司法所 邓文杰). */
export function splitNames(value: string): string[] {
  return value
    .split(/[、，,;；\n]+/)
    .map((name) => name.trim())
    .filter(Boolean)
}

export const MEDIATION_EVENT_FIELDS: Record<MediationEventKindName, FieldSpec[]> = {
  rights_notified: [],
  investigation: [
    text('place', '调查地点'),
    text('subject', '被调查人'),
    long('content', '调查内容'),
    names('participants', '其他调查人', '用顿号分隔，如 镇司法所 邓文杰、李秀英；可不填'),
    recorder,
  ],
  session: [
    text('place', '调解地点'),
    names('participants', '参加人', '当事人、代理人、邀请参加的人，用顿号分隔'),
    long('statements', '当事人陈述'),
    long('facts', '查明的事实', false),
    long('outcome', '调解情况', false),
    recorder,
  ],
  agreement: [
    long('facts', '纠纷事实及争议焦点'),
    long('responsibilities', '各方责任'),
    long('terms', '协议内容'),
    text('performance_method', '履行方式', true, LIMITS.note),
    { key: 'performance_deadline', label: '履行期限', type: 'date', required: true },
    text('performance_place', '履行地点'),
    { key: 'amount_yuan', label: '涉及金额（元）', type: 'number', required: false },
    {
      key: 'copies',
      label: '协议份数',
      type: 'number',
      required: false,
      placeholder: '不填则按当事人数加1',
    },
  ],
  result: [
    {
      key: 'result',
      label: '调解结果',
      type: 'select',
      required: true,
      options: options(MEDIATION_RESULT_LABELS),
    },
    {
      ...long('routes', '告知的其他途径（诉讼/仲裁/行政）', false, LIMITS.note),
      placeholder: '调解不成时必填',
    },
    {
      ...long('oral_terms', '口头协议内容', false),
      omitEmpty: true,
      placeholder: '口头协议时必填（《人民调解法》第二十八条：应当记录协议内容）',
    },
  ],
  performance: [
    {
      key: 'performance',
      label: '履行情况',
      type: 'select',
      required: true,
      options: options(PERFORMANCE_LABELS),
    },
  ],
  follow_up: [satisfaction],
  judicial_confirmation: [
    { key: 'applied_on', label: '申请日期', type: 'date', required: true, past: true },
    text('court', '受理法院'),
    {
      key: 'result',
      label: '确认结果',
      type: 'select',
      required: true,
      options: options(CONFIRMATION_LABELS),
    },
  ],
}

/** A suggestion's life: the fields of each event (`SuggestionEventKindInput`). */
export const SUGGESTION_EVENT_FIELDS: Record<SuggestionEventKindName, FieldSpec[]> = {
  submitted: [
    { ...text('to', '提交至', false), placeholder: '如 县人大常委会代表工作委员会，可不填', omitEmpty: true },
    { ...text('registered_no', '登记编号', false, LIMITS.code), placeholder: '人大给的编号，可不填', omitEmpty: true },
  ],
  assigned: [
    text('unit', '承办单位'),
    {
      key: 'deadline',
      label: '答复期限',
      type: 'date',
      required: false,
      placeholder: '不填则为交办后三个月',
      notBeforeEvent: '答复期限不能早于交办日期',
      omitEmpty: true,
    },
  ],
  answered: [
    { ...text('unit', '答复单位', false), omitEmpty: true },
    {
      key: 'class',
      label: '答复类别',
      type: 'select',
      required: true,
      options: options(ANSWER_CLASS_LABELS),
    },
    long('answer', '答复内容'),
  ],
  satisfaction: [
    { ...satisfaction, label: '代表满意度' },
    { ...long('opinion', '代表意见', false, LIMITS.note), omitEmpty: true },
  ],
}

/**
 * Messages by field key for what is missing or wrong. `eventDay` is the station's day of the
 * event (today when its time is left empty).
 */
export function checkFields(
  fields: FieldSpec[],
  values: FieldValues,
  today: IsoDate,
  eventDay: IsoDate = today,
): Record<string, string> {
  const errors: Record<string, string> = {}
  for (const field of fields) {
    const value = values[field.key] ?? ''
    const problem =
      (field.required ? checkRequired(value, field.label) : null) ??
      (field.type === 'number' && value.trim() !== '' && !/^\d+$/.test(value.trim())
        ? `${field.label}应为整数`
        : null) ??
      (field.past && value ? checkDateNotFuture(value, today) : null) ??
      (field.notBeforeEvent && value && value < eventDay ? field.notBeforeEvent : null) ??
      (field.type === 'names' ? checkNames(value, field.label) : null) ??
      (field.max ? checkText(value, field.label, field.max, field.type === 'textarea') : null) ??
      (field.key === 'amount_yuan' && Number(value) > MAX_AMOUNT_YUAN
        ? `涉及金额不能超过${MAX_AMOUNT_YUAN}元（一亿元），请核对`
        : null)
    if (problem) errors[field.key] = problem
  }
  return errors
}

/** Each name of a `names` field within the store's limits (docs/cli.md §3.6). */
function checkNames(value: string, label: string): string | null {
  const list = splitNames(value)
  if (list.length > LIMITS.list) return `${label}不能超过${LIMITS.list}人`
  for (const name of list) {
    const problem = checkText(name, label, LIMITS.name, false)
    if (problem) return problem
  }
  return null
}

function payload(
  fields: FieldSpec[],
  values: FieldValues,
): Record<string, string | number | string[] | null> {
  const out: Record<string, string | number | string[] | null> = {}
  for (const field of fields) {
    const value = optionalText(values[field.key])
    if (value === null && field.omitEmpty) continue
    if (field.type === 'names') {
      out[field.key] = splitNames(value ?? '')
      continue
    }
    out[field.key] = field.type === 'number' && value !== null ? Number(value) : value
  }
  return out
}

/** The event of `kind` with exactly its fields (checked by `checkFields` first). */
export function caseEventKind(kind: CaseEventKindName, values: FieldValues): CaseEventKind {
  return { kind, ...payload(CASE_EVENT_FIELDS[kind], values) } as CaseEventKind
}

/** The mediation event of `kind` with exactly its fields (checked by `checkFields` first). */
export function mediationEventKind(
  kind: MediationEventKindName,
  values: FieldValues,
): MediationEventKind {
  return { kind, ...payload(MEDIATION_EVENT_FIELDS[kind], values) } as MediationEventKind
}

/** The suggestion event of `kind` with exactly its fields (checked by `checkFields` first). */
export function suggestionEventKind(kind: SuggestionEventKindName, values: FieldValues): SuggestionEventKindInput {
  return { kind, ...payload(SUGGESTION_EVENT_FIELDS[kind], values) } as SuggestionEventKindInput
}

/** The unit of the case's latest referral: a 督办 chases it unless the deputy names another. */
export function latestReferralUnit(timeline: readonly TimelineEntry[]): string | null {
  for (let i = timeline.length - 1; i >= 0; i--) {
    const entry = timeline[i]
    if (entry.kind === 'referred') return entry.to
  }
  return null
}

/** What the case's event form fills in when a kind is picked: the unit a 督办 chases. */
export function caseEventPrefill(timeline: readonly TimelineEntry[]): Partial<Record<CaseEventKindName, FieldValues>> {
  const unit = latestReferralUnit(timeline)
  return unit ? { chased: { unit } } : {}
}

/**
 * Which of the unit's papers the case can print: the 交办单 once it was referred, the 督办单
 * once that latest referral was chased (as `casebook render referral|chase` decides).
 */
export function referralPapers(timeline: readonly TimelineEntry[]): { referral: boolean; chase: boolean } {
  const referred = timeline.map((entry) => entry.kind).lastIndexOf('referred')
  return {
    referral: referred >= 0,
    chase: referred >= 0 && timeline.slice(referred).some((entry) => entry.kind === 'chased'),
  }
}

/** Whether a case in `status` may take an event of `kind`: `check_transition` in reception.rs. */
export function caseEventAllowed(status: CaseStatus, kind: CaseEventKindName): boolean {
  if (kind === 'reopened') return status === 'closed' || status === 'not_accepted'
  if (status === 'closed') return false
  switch (kind) {
    case 'accepted':
    case 'answered_on_spot':
    case 'not_accepted':
      return status === 'pending' || status === 'sent_back'
    case 'chased':
      return status === 'referred'
    case 'follow_up':
      return status === 'replied' || status === 'fed_back' || status === 'followed_up'
    case 'closed':
      return status !== 'pending'
    default:
      return status !== 'not_accepted'
  }
}
