// The meeting form (民主议事会 and the villagers' meetings of the Organic Law): what it holds,
// its checks, and the input it sends; and the form of what follows a meeting (公示, objections
// and their answers, how a decision was carried out).

import type {
  AgendaItemInput,
  Approval,
  IsoDate,
  ItemTopic,
  MeetingEvent,
  MeetingEventKind,
  MeetingEventKindName,
  MeetingInput,
  MeetingKind,
  MeetingListing,
  QuorumRule,
  VoteMethod,
  Votes,
} from '../api/types'
import type { FieldSpec, FieldValues } from './eventForm'
import type { Choice } from './labels'
import { stationNow, toRfc3339 } from './time'
import { LIMITS, checkNotFuture, checkRequired, optionalText } from './validate'
import {
  DEFAULT_QUORUM,
  countsHouseholds,
  hasOwnRule,
  householdsProblem,
  meetingAttendance,
  quorumProblem,
  suggestedApproval,
  votesCast,
} from './quorum'

export interface ItemRow {
  title: string
  case_no: string
  /** 土地承包 / 集体收益分配 / 成员资格, or none. */
  topic: ItemTopic | null
  discussion: string
  votes: Votes
  method: VoteMethod
  approval: Approval
  resolution: string
  /** A rights review was made (e.g. 出嫁女土地权益). */
  reviewed: boolean
  infringes: boolean
  review_note: string
  /** The corrected text of the resolution. */
  correction: string
  /** The corrected text was put to the vote again at the meeting. */
  revoted: boolean
  revote: Votes
}

export interface MeetingForm {
  kind: MeetingKind
  village: string
  held_at: Date | null
  place: string
  host: string
  recorder: string
  deputies: string[]
  expected: number | null
  present: number | null
  households_expected: number | null
  households_present: number | null
  quorum: QuorumRule
  items: ItemRow[]
  published_from: IsoDate | null
  published_to: IsoDate | null
  published_place: string
}

const noVotes = (): Votes => ({ for: 0, against: 0, abstain: 0 })

export function emptyItem(): ItemRow {
  return {
    title: '',
    case_no: '',
    topic: null,
    discussion: '',
    votes: noVotes(),
    method: 'show_of_hands',
    approval: 'present_majority',
    resolution: '',
    reviewed: false,
    infringes: false,
    review_note: '',
    correction: '',
    revoted: false,
    revote: noVotes(),
  }
}

export function emptyMeeting(): MeetingForm {
  return {
    kind: 'council',
    village: '',
    held_at: null,
    place: '',
    host: '',
    recorder: '',
    deputies: [],
    expected: null,
    present: null,
    households_expected: null,
    households_present: null,
    quorum: { ...DEFAULT_QUORUM },
    items: [emptyItem()],
    published_from: null,
    published_to: null,
    published_place: '',
  }
}

/**
 * Fills in what an item row saved by an earlier version lacks (a draft typed before kinds and
 * rules existed); true when something was missing.
 */
export function completeItems(form: MeetingForm): boolean {
  let changed = false
  form.items.forEach((item, i) => {
    const fresh = emptyItem() as unknown as Record<string, unknown>
    const row = item as unknown as Record<string, unknown>
    if (Object.keys(fresh).some((key) => row[key] === undefined)) {
      form.items[i] = { ...emptyItem(), ...item }
      changed = true
    }
  })
  return changed
}

/** The quorum as the form's numbers give it, or null until both counts are typed. */
export function formAttendance(form: MeetingForm) {
  if (form.expected === null || form.present === null || form.expected <= 0) return null
  const households: [number, number] | null =
    countsHouseholds(form.kind) && form.households_expected !== null && form.households_present !== null
      ? [form.households_expected, form.households_present]
      : null
  return meetingAttendance(form.kind, form.quorum, form.expected, form.present, households)
}

/**
 * Marks an item as concerning `topic`, and suggests the rule the law asks for it: two thirds of
 * all for 土地承包, 集体收益分配 and 成员资格. A rule the deputy chose stays chosen.
 */
export function setTopic(item: ItemRow, topic: ItemTopic | null): void {
  const wasSuggested = item.approval === suggestedApproval(item.topic)
  item.topic = topic
  if (wasSuggested) item.approval = suggestedApproval(topic)
}

/** A warning when an item's rule is weaker than its topic asks, or the body only consults. */
export function ruleHint(kind: MeetingKind, item: Pick<ItemRow, 'topic' | 'approval'>, topicLabel: string): string | null {
  if (item.topic === null) return null
  if (kind === 'council') {
    return `民主议事会为协商议事会议，涉及${topicLabel}的事项须提交村民会议或村民代表会议依法表决`
  }
  if (item.approval === 'present_majority') {
    return `涉及${topicLabel}的事项，依法一般须经全体成员三分之二以上同意`
  }
  return null
}

/** Field key → message; item fields are keyed `items.N.field`. */
export function checkMeeting(form: MeetingForm, now: Date = stationNow()): Record<string, string> {
  const errors: Record<string, string> = {}
  const put = (key: string, problem: string | null) => {
    if (problem && !errors[key]) errors[key] = problem
  }
  put('village', checkRequired(form.village, '村（居）名称'))
  put('held_at', form.held_at ? checkNotFuture(form.held_at, now) : '请填写会议时间')
  put('place', checkRequired(form.place, '会议地点'))
  put('host', checkRequired(form.host, '主持人'))
  put('recorder', checkRequired(form.recorder, '记录人'))
  if (form.expected === null) put('expected', '请填写应到人数')
  if (form.present === null) put('present', '请填写实到人数')
  if (form.expected !== null && form.present !== null) {
    put('present', quorumProblem(hasOwnRule(form.kind) ? form.quorum : DEFAULT_QUORUM, form.expected, form.present))
  }
  if (countsHouseholds(form.kind)) {
    const problem = householdsProblem(form.kind, form.households_expected, form.households_present)
    if (problem) put(problem.field, problem.message)
  }
  const counted = formAttendance(form)
  const present = counted?.votingPresent ?? form.present
  form.items.forEach((item, i) => {
    put(`items.${i}.title`, checkRequired(item.title, `第${i + 1}项议题`))
    const cast = votesCast(item.votes)
    if (present !== null && cast > present) {
      put(`items.${i}.votes`, `表决票数合计（${cast}）超过实到人数（${present}）`)
    }
    if (item.reviewed && item.infringes && item.revoted) {
      if (!item.correction.trim()) {
        put(`items.${i}.rights_review.correction`, '重新表决的是纠正后的决议，请填写纠正后的决议内容')
      }
      const recast = votesCast(item.revote)
      if (present !== null && recast > present) {
        put(`items.${i}.rights_review.revote`, `重新表决票数合计（${recast}）超过实到人数（${present}）`)
      }
    }
  })
  if (form.published_to && !form.published_from) put('published_from', '请填写公示开始日期')
  if (form.published_place.trim() && !form.published_from) put('published_from', '填写了公示地点，请同时填写公示开始日期')
  const heldOn = form.held_at && toRfc3339(form.held_at).slice(0, 10)
  if (form.published_from && heldOn && form.published_from < heldOn) {
    put('published_from', '公示开始日期不能早于会议日期')
  }
  if (form.published_from && form.published_to && form.published_to < form.published_from) {
    put('published_to', '公示结束日期不能早于开始日期')
  }
  return errors
}

function itemInput(item: ItemRow): AgendaItemInput {
  const infringes = item.reviewed && item.infringes
  return {
    title: item.title.trim(),
    case_no: optionalText(item.case_no),
    topic: item.topic,
    discussion: optionalText(item.discussion),
    votes: { ...item.votes },
    method: item.method,
    approval: item.approval,
    resolution: optionalText(item.resolution),
    rights_review: item.reviewed
      ? {
          infringes: item.infringes,
          note: optionalText(item.review_note),
          correction: infringes ? optionalText(item.correction) : null,
          revote: infringes && item.revoted ? { ...item.revote } : null,
        }
      : null,
  }
}

/** The command's input; call only when `checkMeeting` found nothing. */
export function meetingInput(form: MeetingForm): MeetingInput {
  const households = countsHouseholds(form.kind)
  return {
    kind: form.kind,
    village: form.village.trim(),
    held_at: toRfc3339(form.held_at ?? stationNow()),
    place: form.place.trim(),
    host: form.host.trim(),
    recorder: form.recorder.trim(),
    deputies: form.deputies,
    expected: form.expected ?? 0,
    present: form.present ?? 0,
    households_expected: households ? form.households_expected : null,
    households_present: households ? form.households_present : null,
    quorum: hasOwnRule(form.kind) ? { ...form.quorum } : null,
    items: form.items.map(itemInput),
    published_from: form.published_from,
    published_to: form.published_to,
    published_place: optionalText(form.published_place),
  }
}

// ---- what follows a meeting: 公示, objections and their answers, how a decision was carried out

/**
 * The fields of each kind of meeting event, for the shared event form: the item and the
 * objection are chosen from this meeting's own.
 */
export function meetingEventFields(meeting: MeetingListing): Record<MeetingEventKindName, FieldSpec[]> {
  const items: Choice[] = meeting.items.map((item, i) => ({ value: String(i + 1), label: `第${i + 1}项：${item.title}` }))
  const passed = items.filter((_, i) => meeting.items[i].passed)
  const objections: Choice[] = openObjections(meeting).map((event) => ({
    value: event.id,
    label: `${event.at.slice(0, 10)} ${event.kind === 'objection' ? (event.raised_by ?? '') + event.content : ''}`.slice(0, 60),
  }))
  const item = (choices: Choice[]): FieldSpec => ({
    key: 'item',
    label: '涉及议题',
    type: 'select',
    required: false,
    options: choices,
    placeholder: '不选则为整个会议',
  })
  return {
    published: [
      { key: 'from', label: '公示开始', type: 'date', required: true },
      { key: 'to', label: '公示结束', type: 'date', required: true },
      { key: 'place', label: '公示地点', type: 'text', required: true, max: LIMITS.label, placeholder: '如 村务公开栏' },
    ],
    objection: [
      item(items),
      { key: 'raised_by', label: '异议人', type: 'text', required: false, max: LIMITS.name, placeholder: '可不填' },
      { key: 'content', label: '异议内容', type: 'textarea', required: true, max: LIMITS.long },
    ],
    answered: [
      { key: 'objection', label: '答复哪条异议', type: 'select', required: true, options: objections },
      { key: 'answer', label: '答复内容', type: 'textarea', required: true, max: LIMITS.long },
    ],
    carried_out: [
      item(passed),
      { key: 'report', label: '执行情况', type: 'textarea', required: true, max: LIMITS.long },
    ],
  }
}

/** Objections of `meeting` without an answer yet, in order. */
export function openObjections(meeting: MeetingListing): MeetingEvent[] {
  const answered = new Set(meeting.events.flatMap((event) => (event.kind === 'answered' ? [event.objection] : [])))
  return meeting.events.filter((event) => event.kind === 'objection' && !answered.has(event.id))
}

/** The kinds of event the meeting can take now: a 公示 while it has none, an answer to an open objection, the carrying out of a decision taken. */
export function meetingEventKinds(
  meeting: MeetingListing,
  labels: Record<MeetingEventKindName, string>,
): { value: MeetingEventKindName; label: string; disabled: boolean }[] {
  const allowed: Record<MeetingEventKindName, boolean> = {
    published: meeting.publication === null,
    objection: true,
    answered: openObjections(meeting).length > 0,
    carried_out: meeting.items.some((item) => item.passed),
  }
  return (Object.keys(allowed) as MeetingEventKindName[]).map((value) => ({
    value,
    label: labels[value],
    disabled: !allowed[value],
  }))
}

/** The meeting event of `kind` with exactly its fields (checked by `checkFields` first). */
export function meetingEventKind(
  kind: MeetingEventKindName,
  values: FieldValues,
  meeting: MeetingListing,
): MeetingEventKind {
  const fields = meetingEventFields(meeting)[kind]
  const out: Record<string, string | number | null> = {}
  for (const field of fields) {
    const value = optionalText(values[field.key])
    out[field.key] = field.key === 'item' && value !== null ? Number(value) : value
  }
  return { kind, ...out } as MeetingEventKind
}

/** One line for a meeting event in the timeline. */
export function meetingEventDetail(event: MeetingEvent, meeting: MeetingListing): string {
  const item = (n: number | null | undefined) => (n ? `第${n}项“${meeting.items[n - 1]?.title ?? ''}”` : '')
  switch (event.kind) {
    case 'published':
      return `${event.from} 至 ${event.to}，地点：${event.place}`
    case 'objection':
      return [event.raised_by, item(event.item) && `对${item(event.item)}`, `：${event.content}`]
        .filter(Boolean)
        .join('')
    case 'answered': {
      const objection = meeting.events.find((e) => e.id === event.objection)
      const about = objection?.kind === 'objection' ? `（${objection.at.slice(0, 10)}收到的异议）` : ''
      return `答复${about}：${event.answer}`
    }
    case 'carried_out':
      return item(event.item) ? `${item(event.item)}：${event.report}` : event.report
  }
}
