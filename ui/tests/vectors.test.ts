// The shared validation vectors (tests/vectors/validation.json at the repository root) through
// the form's checks; crates/casebook/tests/vectors.rs runs the same file through the core's, so
// what the window accepts and what the book accepts cannot drift apart.
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { quorumMet, quorumMinimum, quorumProblem, motionPasses, votesCast } from '../src/lib/quorum'
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
})
