import { describe, expect, it } from 'vitest'
import {
  DEFAULT_QUORUM,
  attendance,
  meetingAttendance,
  meetingItemPasses,
  motionPasses,
  quorumMet,
  quorumMinimum,
  quorumProblem,
} from '../src/lib/quorum'

// The same cases as crates/casebook/src/domain/meeting.rs.
describe('two-thirds quorum', () => {
  it.each([
    [30, 20, true],
    [30, 19, false],
    [31, 21, true],
    [31, 20, false],
    [3, 2, true],
    [1, 1, true],
  ])('%i expected, %i present → %s', (expected, present, met) => {
    expect(quorumMet(DEFAULT_QUORUM, expected, present)).toBe(met)
    const minimum = quorumMinimum(DEFAULT_QUORUM, expected)
    expect(quorumMet(DEFAULT_QUORUM, expected, minimum)).toBe(true)
    expect(quorumMet(DEFAULT_QUORUM, expected, minimum - 1)).toBe(false)
  })

  it('works out other rules exactly', () => {
    const threeQuarters = { numerator: 3, denominator: 4 }
    expect(quorumMinimum(threeQuarters, 12)).toBe(9)
    expect(quorumMet(threeQuarters, 12, 8)).toBe(false)
    expect(quorumMinimum(DEFAULT_QUORUM, 31)).toBe(21)
  })

  it('shows attendance with one decimal', () => {
    expect(attendance(31, 21)).toBe('67.7%')
    expect(attendance(0, 0)).toBe('—')
  })
})

describe('motions', () => {
  const votes = (yes: number) => ({ for: yes, against: 0, abstain: 0 })

  it.each([
    [true, 20, 11, true],
    [true, 20, 10, false],
    [true, 21, 11, true],
    [false, 20, 20, false],
  ])('quorum %s, %i present, %i for → %s', (met, present, yes, passes) => {
    expect(motionPasses(met, present, votes(yes))).toBe(passes)
  })

  // 村委会组织法 Art. 27: an infringing resolution is corrected, and the corrected text decided again.
  it('an infringing resolution passes only once its corrected text is voted again', () => {
    const council = meetingAttendance('council', DEFAULT_QUORUM, 30, 20, null)
    const review = { infringes: true, note: '未将出嫁女列入分红名单', correction: '' }
    const rule = 'present_majority' as const
    expect(meetingItemPasses(council, rule, votes(15), review)).toBe(false)
    const corrected = { ...review, correction: '补列出嫁女' }
    expect(meetingItemPasses(council, rule, votes(15), corrected), 'a correction alone').toBe(false)
    expect(meetingItemPasses(council, rule, votes(15), { ...corrected, revote: votes(10) })).toBe(false)
    expect(meetingItemPasses(council, rule, votes(15), { ...corrected, revote: votes(11) })).toBe(true)
    expect(meetingItemPasses(council, rule, votes(15), { infringes: false })).toBe(true)
    expect(meetingItemPasses(council, rule, votes(15), null)).toBe(true)
  })

  it('names numbers that cannot be right', () => {
    expect(quorumProblem(DEFAULT_QUORUM, 31, 21)).toBeNull()
    expect(quorumProblem(DEFAULT_QUORUM, 10, 12)).toContain('不能多于应到人数')
    expect(quorumProblem(DEFAULT_QUORUM, 0, 0)).toContain('应到人数必须大于0')
    expect(quorumProblem({ numerator: 4, denominator: 3 }, 10, 8)).toContain('不合理')
  })
})
