// The shared validation vectors (tests/vectors/validation.json at the repository root) through
// the form's checks; crates/casebook/tests/vectors.rs runs the same file through the core's, so
// what the window accepts and what the book accepts cannot drift apart.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  approvalNeeded,
  householdsProblem,
  meetingAttendance,
  meetingItemPasses,
  motionPasses,
  quorumMet,
  quorumMinimum,
  quorumProblem,
  votesCast,
} from '../src/lib/quorum'
import { checkMeeting, emptyMeeting, formAttendance } from '../src/lib/meeting'
import type { Approval, MeetingKind } from '../src/api/types'
import { stationToday } from '../src/lib/time'
import {
  checkDateNotFuture,
  checkIdNumber,
  checkMobile,
  checkNotTooEarly,
  contactInput,
} from '../src/lib/validate'

interface Verdict {
  ok: boolean
  kind?: string
  field?: string
  why?: string
  note?: string
}

const vectors = JSON.parse(
  readFileSync(resolve(__dirname, '../../tests/vectors/validation.json'), 'utf8'),
) as {
  id_numbers: (Verdict & { input: string; canonical?: string })[]
  mobiles: (Verdict & { input: string; canonical?: string })[]
  dates: (Verdict & { date?: string; days_from_today?: number })[]
  quorum: (Verdict & { rule: [number, number]; expected: number; present: number; met?: boolean; minimum?: number })[]
  votes: (Verdict & { present: number; votes: { for: number; against: number; abstain: number }; met: boolean; passes?: boolean })[]
  meeting_quorum: (Verdict & MeetingCase & { met?: boolean; basis?: string; minimum?: number; households_minimum?: number })[]
  meeting_items: (Verdict &
    MeetingCase & {
      approval: Approval
      votes: { for: number; against: number; abstain: number }
      review?: { infringes: boolean; note?: string; correction?: string; revote?: { for: number; against: number; abstain: number } }
      passes?: boolean
      needed?: number
    })[]
}

/** A meeting's kind and counts, as the shared vectors give them; each case names its article (`law`). */
interface MeetingCase {
  law: string
  meeting: MeetingKind
  expected: number
  present: number
  households?: [number, number]
  rule?: [number, number]
}

function addDays(day: string, days: number): string {
  const date = new Date(`${day}T00:00:00Z`)
  date.setUTCDate(date.getUTCDate() + days)
  return date.toISOString().slice(0, 10)
}

describe('shared validation vectors', () => {
  it.each(vectors.id_numbers)('ID number $input', (c) => {
    const problem = checkIdNumber(c.input, stationToday())
    expect(problem === null, problem ?? 'accepted').toBe(c.ok)
    if (c.why) expect(problem).toContain(c.why)
    if (c.canonical) expect(contactInput({ phone: '', id_number: c.input }).id_number).toBe(c.canonical)
  })

  it.each(vectors.mobiles)('mobile $input', (c) => {
    const problem = checkMobile(c.input)
    expect(problem === null, problem ?? 'accepted').toBe(c.ok)
    if (c.canonical) expect(contactInput({ phone: c.input, id_number: '' }).phone).toBe(c.canonical)
  })

  it.each(vectors.dates)('date $date $days_from_today', (c) => {
    const today = stationToday()
    const date = c.date ?? addDays(today, c.days_from_today ?? 0)
    const problem = checkNotTooEarly(date, '日期') ?? checkDateNotFuture(date, today)
    expect(problem === null, problem ?? 'accepted').toBe(c.ok)
  })

  it.each(vectors.quorum)('quorum $rule of $expected, $present present', (c) => {
    const rule = { numerator: c.rule[0], denominator: c.rule[1] }
    const problem = quorumProblem(rule, c.expected, c.present)
    expect(problem === null, problem ?? 'accepted').toBe(c.ok)
    if (c.ok) {
      expect(quorumMet(rule, c.expected, c.present)).toBe(c.met)
      expect(quorumMinimum(rule, c.expected)).toBe(c.minimum)
    }
  })

  it.each(vectors.votes)('votes $votes of $present present', (c) => {
    expect(votesCast(c.votes) <= c.present).toBe(c.ok)
    if (c.ok) expect(motionPasses(c.met, c.present, c.votes)).toBe(c.passes)
  })

  // 村委会组织法 Arts. 22, 26, 28 and the council's own rule, each case citing its article.
  it.each(vectors.meeting_quorum)('$meeting of $expected, $present present, households $households ($law)', (c) => {
    const rule = c.rule ? { numerator: c.rule[0], denominator: c.rule[1] } : { numerator: 2, denominator: 3 }
    const counts = quorumProblem(rule, c.expected, c.present)
    const problem =
      householdsProblem(c.meeting, c.households?.[0] ?? null, c.households?.[1] ?? null) ??
      (counts === null ? null : { field: 'present', message: counts })
    expect(problem === null, problem?.message ?? 'accepted').toBe(c.ok)
    if (!c.ok) {
      expect(problem?.field).toBe(c.field)
      return
    }
    const a = meetingAttendance(c.meeting, rule, c.expected, c.present, c.households ?? null)
    expect(a.met).toBe(c.met)
    expect(a.basis).toBe(c.basis)
    expect(a.membersMinimum).toBe(c.minimum)
    expect(a.householdsMinimum).toBe(c.households_minimum ?? null)
  })

  // Present majority (Arts. 22/26/28), two thirds of all (农村土地承包法 Arts. 28, 52), the re-vote (Art. 27).
  it.each(vectors.meeting_items)('$meeting item, $approval: $note ($law)', (c) => {
    const form = emptyMeeting()
    Object.assign(form, {
      kind: c.meeting,
      village: '东岭村',
      held_at: new Date('2026-01-10T19:30:00+08:00'),
      place: '村委会会议室',
      host: '陈志明',
      recorder: '梁少玲',
      expected: c.expected,
      present: c.present,
      households_expected: c.households?.[0] ?? null,
      households_present: c.households?.[1] ?? null,
    })
    const zero = { for: 0, against: 0, abstain: 0 }
    Object.assign(form.items[0], {
      title: '议题',
      approval: c.approval,
      votes: { ...zero, ...c.votes },
      reviewed: c.review !== undefined,
      infringes: c.review?.infringes ?? false,
      review_note: c.review?.note ?? '',
      correction: c.review?.correction ?? '',
      revoted: c.review?.revote !== undefined,
      revote: { ...zero, ...c.review?.revote },
    })
    const errors = checkMeeting(form, new Date('2026-02-01T10:00:00+08:00'))
    expect(Object.keys(errors).length === 0, JSON.stringify(errors)).toBe(c.ok)
    if (!c.ok) {
      expect(errors[c.field ?? '']).toBeTruthy()
      return
    }
    const a = formAttendance(form)
    expect(a).not.toBeNull()
    if (!a) return
    const item = form.items[0]
    const review = item.reviewed
      ? { infringes: item.infringes, correction: item.correction, revote: item.revoted ? item.revote : null }
      : null
    expect(meetingItemPasses(a, item.approval, item.votes, review)).toBe(c.passes)
    expect(approvalNeeded(item.approval, a.votingPresent, a.votingAll)).toBe(c.needed)
  })
})
