// The council meeting form: what it holds, its checks, and the input it sends.

import type { AgendaItemInput, IsoDate, MeetingInput, QuorumRule, VoteMethod, Votes } from '../api/types'
import { stationNow, toRfc3339 } from './time'
import { checkNotFuture, checkRequired, optionalText } from './validate'
import { DEFAULT_QUORUM, quorumProblem, votesCast } from './quorum'

export interface ItemRow {
  title: string
  case_no: string
  discussion: string
  votes: Votes
  method: VoteMethod
  resolution: string
  /** A rights review was made (e.g. 出嫁女土地权益). */
  reviewed: boolean
  infringes: boolean
  review_note: string
  correction: string
}

export interface MeetingForm {
  village: string
  held_at: Date | null
  place: string
  host: string
  recorder: string
  deputies: string[]
  expected: number | null
  present: number | null
  quorum: QuorumRule
  items: ItemRow[]
  published_from: IsoDate | null
  published_to: IsoDate | null
}

export function emptyItem(): ItemRow {
  return {
    title: '',
    case_no: '',
    discussion: '',
    votes: { for: 0, against: 0, abstain: 0 },
    method: 'show_of_hands',
    resolution: '',
    reviewed: false,
    infringes: false,
    review_note: '',
    correction: '',
  }
}

export function emptyMeeting(): MeetingForm {
  return {
    village: '',
    held_at: null,
    place: '',
    host: '',
    recorder: '',
    deputies: [],
    expected: null,
    present: null,
    quorum: { ...DEFAULT_QUORUM },
    items: [emptyItem()],
    published_from: null,
    published_to: null,
  }
}

/** Field key → message; item fields are keyed `items.N.field`. */
export function checkMeeting(form: MeetingForm, now: Date = stationNow()): Record<string, string> {
  const errors: Record<string, string> = {}
  const put = (key: string, problem: string | null) => {
    if (problem) errors[key] = problem
  }
  put('village', checkRequired(form.village, '村（居）名称'))
  put('held_at', form.held_at ? checkNotFuture(form.held_at, now) : '请填写会议时间')
  put('place', checkRequired(form.place, '会议地点'))
  put('host', checkRequired(form.host, '主持人'))
  put('recorder', checkRequired(form.recorder, '记录人'))
  if (form.expected === null) put('expected', '请填写应到人数')
  if (form.present === null) put('present', '请填写实到人数')
  if (form.expected !== null && form.present !== null) {
    put('present', quorumProblem(form.quorum, form.expected, form.present))
  }
  form.items.forEach((item, i) => {
    put(`items.${i}.title`, checkRequired(item.title, `第${i + 1}项议题`))
    const cast = votesCast(item.votes)
    if (form.present !== null && cast > form.present) {
      put(`items.${i}.votes`, `表决票数合计（${cast}）超过实到人数（${form.present}）`)
    }
  })
  if (form.published_to && !form.published_from) put('published_from', '请填写公示开始日期')
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
  return {
    title: item.title.trim(),
    case_no: optionalText(item.case_no),
    discussion: optionalText(item.discussion),
    votes: { ...item.votes },
    method: item.method,
    resolution: optionalText(item.resolution),
    rights_review: item.reviewed
      ? {
          infringes: item.infringes,
          note: optionalText(item.review_note),
          correction: optionalText(item.correction),
        }
      : null,
  }
}

/** The command's input; call only when `checkMeeting` found nothing. */
export function meetingInput(form: MeetingForm): MeetingInput {
  return {
    village: form.village.trim(),
    held_at: toRfc3339(form.held_at ?? stationNow()),
    place: form.place.trim(),
    host: form.host.trim(),
    recorder: form.recorder.trim(),
    deputies: form.deputies,
    expected: form.expected ?? 0,
    present: form.present ?? 0,
    quorum: { ...form.quorum },
    items: form.items.map(itemInput),
    published_from: form.published_from,
    published_to: form.published_to,
  }
}
