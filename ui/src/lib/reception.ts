// The reception form: what it holds, the checks made before saving, and the input it sends.

import type { Channel, IsoDate, ReceptionInput, ReceptionKind, Sex, Visitor } from '../api/types'
import { stationToday, stationNow, toRfc3339 } from './time'
import {
  LIMITS,
  checkAhead,
  checkContact,
  checkNotFuture,
  checkNotTooEarly,
  checkRequired,
  checkText,
  contactInput,
  optionalText,
} from './validate'

export interface VisitorRow {
  name: string
  sex: Sex | ''
  age: number | null
  phone: string
  id_number: string
  address: string
  representative: boolean
}

export interface ReceptionForm {
  received_at: Date | null
  channel: Channel
  deputies: string[]
  visitors: VisitorRow[]
  head_count: number | null
  /** 接待类型: a dispute takes one of the Ministry's types, any other kind a suggestion class. */
  kind: ReceptionKind
  category: string
  subcategory: string
  matter: string
  request: string
  proposed_handling: string
  place: string
  reply_due: IsoDate | null
  confidential: boolean
  consent: boolean
}

/** Field key → message; visitor fields are keyed `visitors.N.field`. */
export type FormErrors = Record<string, string>

export function emptyVisitor(): VisitorRow {
  return { name: '', sex: '', age: null, phone: '', id_number: '', address: '', representative: false }
}

export function emptyReception(now: Date = stationNow()): ReceptionForm {
  return {
    received_at: now,
    channel: 'station_visit',
    deputies: [],
    visitors: [emptyVisitor()],
    head_count: null,
    kind: 'dispute',
    category: '',
    subcategory: '',
    matter: '',
    request: '',
    proposed_handling: '',
    place: '',
    reply_due: null,
    confidential: false,
    consent: false,
  }
}

/** A row the deputy left blank is not a visitor. */
function isBlank(row: VisitorRow): boolean {
  return (
    !row.name.trim() &&
    !row.sex &&
    row.age === null &&
    !row.phone.trim() &&
    !row.id_number.trim() &&
    !row.address.trim() &&
    !row.representative
  )
}

/** Name, phone, ID number or address identify a person and need their consent. */
export function hasPersonalData(row: VisitorRow): boolean {
  return [row.name, row.phone, row.id_number, row.address].some((text) => text.trim() !== '')
}

export function checkReception(form: ReceptionForm, now: Date = stationNow()): FormErrors {
  const errors: FormErrors = {}
  const put = (key: string, problem: string | null) => {
    if (problem) errors[key] = problem
  }
  const receivedDay = form.received_at ? toRfc3339(form.received_at).slice(0, 10) : null
  put(
    'received_at',
    form.received_at && receivedDay
      ? checkNotTooEarly(receivedDay, '接待时间') ?? checkNotFuture(form.received_at, now)
      : '请填写接待时间',
  )
  put('deputies', form.deputies.length ? null : '请至少选择一位接待代表')
  put('category', checkRequired(form.category, '类别'))
  put('subcategory', checkText(form.subcategory, '细分类别', LIMITS.label))
  put('place', checkText(form.place, '接待地点', LIMITS.label))
  put('matter', checkRequired(form.matter, '事由') ?? checkText(form.matter, '事由', LIMITS.long, true))
  put('request', checkRequired(form.request, '诉求') ?? checkText(form.request, '诉求', LIMITS.long, true))
  put('proposed_handling', checkText(form.proposed_handling, '拟办意见', LIMITS.long, true))
  const today = stationToday(now)
  form.visitors.forEach((row, i) => {
    const who = `第${i + 1}位来访人`
    put(`visitors.${i}.name`, checkText(row.name, `${who}姓名`, LIMITS.name))
    put(`visitors.${i}.address`, checkText(row.address, `${who}住址`, LIMITS.address))
    for (const [field, problem] of Object.entries(checkContact(row, today))) {
      put(`visitors.${i}.${field}`, problem)
    }
    if (row.age !== null && (row.age < 0 || row.age > 120)) put(`visitors.${i}.age`, '年龄不合理')
  })
  if (!form.consent && form.visitors.some(hasPersonalData)) {
    errors.consent = '记录了来访人的姓名、电话、身份证号或住址，须征得本人同意并勾选此项'
  }
  const listed = form.visitors.filter((row) => !isBlank(row)).length
  if (form.head_count !== null && form.head_count < Math.max(listed, 1)) {
    errors.head_count = `来访人数不能少于登记的来访人（${Math.max(listed, 1)}人）`
  }
  if (form.reply_due && receivedDay) {
    put(
      'reply_due',
      form.reply_due < receivedDay
        ? '承诺答复日期不能早于接待日期'
        : checkAhead(form.reply_due, receivedDay, '承诺答复日期'),
    )
  }
  return errors
}

function visitorInput(row: VisitorRow): Visitor {
  return {
    name: optionalText(row.name),
    sex: row.sex || null,
    age: row.age,
    ...contactInput(row),
    address: optionalText(row.address),
    representative: row.representative,
  }
}

/**
 * The form's row of each visitor sent, in order (blank rows are not sent): a refusal's
 * `visitors.1.phone` is the second row sent, which is not the form's second row when a blank
 * row sits above it.
 */
export function sentVisitorRows(form: ReceptionForm): number[] {
  return form.visitors.flatMap((row, i) => (isBlank(row) ? [] : [i]))
}

/** The command's input; call only when `checkReception` found nothing. */
export function receptionInput(form: ReceptionForm): ReceptionInput {
  return {
    received_at: toRfc3339(form.received_at ?? stationNow()),
    channel: form.channel,
    deputies: form.deputies,
    visitors: form.visitors.filter((row) => !isBlank(row)).map(visitorInput),
    head_count: form.head_count,
    kind: form.kind,
    category: form.category,
    subcategory: optionalText(form.subcategory),
    matter: form.matter.trim(),
    request: form.request.trim(),
    proposed_handling: optionalText(form.proposed_handling),
    place: optionalText(form.place),
    reply_due: form.reply_due,
    confidential: form.confidential,
    consent: form.consent,
  }
}
