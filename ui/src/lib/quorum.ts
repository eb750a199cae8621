// The council's quorum arithmetic, as QuorumRule and motion_passes in
// crates/casebook/src/domain/meeting.rs: integers only, so 2/3 of 30 is exactly 20.

import type { QuorumRule, RightsReview, Votes } from '../api/types'

/** What the pass rule reads of a rights review (the form's, before it is sent, or a stored one). */
export type ReviewVerdict = Pick<RightsReview, 'infringes'> & { correction?: string | null }

export const DEFAULT_QUORUM: QuorumRule = { numerator: 2, denominator: 3 }

/** Whether `present` of `expected` members make a quorum. */
export function quorumMet(rule: QuorumRule, expected: number, present: number): boolean {
  return present * rule.denominator >= expected * rule.numerator
}

/** The fewest members present for a quorum. */
export function quorumMinimum(rule: QuorumRule, expected: number): number {
  return Math.ceil((expected * rule.numerator) / Math.max(rule.denominator, 1))
}

/** A motion passes with the quorum met and more than half of those present in favour. */
export function motionPasses(met: boolean, present: number, votes: Votes): boolean {
  return met && votes.for * 2 > present
}

/** An item also fails when its rights review found an infringement without a correction. */
export function itemPasses(
  met: boolean,
  present: number,
  votes: Votes,
  review: ReviewVerdict | null,
): boolean {
  const blocked = review !== null && review.infringes && !review.correction?.trim()
  return motionPasses(met, present, votes) && !blocked
}

/** What is wrong with the numbers themselves (the store refuses these as `quorum`), or null. */
export function quorumProblem(rule: QuorumRule, expected: number, present: number): string | null {
  if (rule.numerator <= 0 || rule.denominator <= 0 || rule.numerator > rule.denominator) {
    return `法定人数比例 ${rule.numerator}/${rule.denominator} 不合理`
  }
  if (expected <= 0) return '应到人数必须大于0'
  if (present > expected) return `实到人数（${present}）不能多于应到人数（${expected}）`
  return null
}

/** Votes cast on an item, which may not exceed those present. */
export function votesCast(votes: Votes): number {
  return votes.for + votes.against + votes.abstain
}

/** Attendance as a percentage with one decimal, e.g. `67.7%`. */
export function attendance(expected: number, present: number): string {
  return expected > 0 ? `${((present * 100) / expected).toFixed(1)}%` : '—'
}
