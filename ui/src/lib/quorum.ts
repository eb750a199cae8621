// The meeting arithmetic, as crates/casebook/src/domain/meeting.rs works it out: integers only,
// so 2/3 of 30 is exactly 20. "以上" includes the number itself, "过半数" does not. Quorum by kind
// follows the Organic Law of Villagers' Committees (村民会议 Art. 22, 村民代表会议 Art. 26,
// 村民小组会议 Art. 28); a council keeps the station's own rule. docs/domain.md cites each rule.

import type {
  Approval,
  ItemTopic,
  MeetingKind,
  QuorumBasis,
  QuorumRule,
  RightsReview,
  Votes,
} from '../api/types'

/** What the pass rule reads of a rights review (the form's, before it is sent, or a stored one). */
export type ReviewVerdict = Pick<RightsReview, 'infringes'> & {
  correction?: string | null
  revote?: Votes | null
}

export const DEFAULT_QUORUM: QuorumRule = { numerator: 2, denominator: 3 }

/** Whether `present` of `expected` members make a quorum by a council's rule. */
export function quorumMet(rule: QuorumRule, expected: number, present: number): boolean {
  return present * rule.denominator >= expected * rule.numerator
}

/** The fewest members present for a quorum by a council's rule. */
export function quorumMinimum(rule: QuorumRule, expected: number): number {
  return Math.ceil((expected * rule.numerator) / Math.max(rule.denominator, 1))
}

/** A motion passes by the old council rule: the quorum met and more than half of those present in favour. */
export function motionPasses(met: boolean, present: number, votes: Votes): boolean {
  return met && votes.for * 2 > present
}

/** A share the law words as 过半数 (strictly more than half) or N分之M以上 (the number included). */
export type Share = { kind: 'more_than_half' } | { kind: 'at_least'; rule: QuorumRule }

const TWO_THIRDS: Share = { kind: 'at_least', rule: DEFAULT_QUORUM }

export function shareMet(share: Share, of: number, count: number): boolean {
  return share.kind === 'more_than_half' ? count * 2 > of : quorumMet(share.rule, of, count)
}

export function shareMinimum(share: Share, of: number): number {
  return share.kind === 'more_than_half' ? Math.floor(of / 2) + 1 : quorumMinimum(share.rule, of)
}

/** The kinds whose law counts households too (村民会议 Art. 22, 村民小组会议 Art. 28). */
export function countsHouseholds(kind: MeetingKind): boolean {
  return kind === 'villagers_assembly' || kind === 'group'
}

/** Only a council sets its own quorum; the others follow the law. */
export function hasOwnRule(kind: MeetingKind): boolean {
  return kind === 'council'
}

/** The members' share that must attend, by kind. */
export function membersShare(kind: MeetingKind, rule: QuorumRule): Share {
  if (kind === 'villagers_assembly') return { kind: 'more_than_half' }
  if (kind === 'council') return { kind: 'at_least', rule }
  return TWO_THIRDS
}

/** Who `expected`/`present` count, as the form and the minutes name them. */
export const MEMBERS: Record<MeetingKind, string> = {
  villagers_assembly: '本村18周岁以上村民',
  representatives: '村民代表会议组成人员',
  group: '本组18周岁以上村民',
  council: '议事会成员',
}

/** The article behind each kind's quorum; a council's rule is the station's. */
export const QUORUM_SOURCE: Record<MeetingKind, string> = {
  villagers_assembly: '村民委员会组织法第二十二条：18周岁以上村民过半数，或三分之二以上的户的代表参加',
  representatives: '村民委员会组织法第二十六条：三分之二以上的组成人员参加',
  group: '村民委员会组织法第二十八条：本组18周岁以上村民三分之二以上，或三分之二以上的户的代表参加',
  council: '本站议事规则',
}

export interface MeetingAttendance {
  membersMinimum: number
  membersMet: boolean
  householdsMinimum: number | null
  householdsMet: boolean
  met: boolean
  /** The count the votes are taken against: members, or households when only they make the quorum. */
  basis: QuorumBasis
  votingPresent: number
  votingAll: number
}

/** The quorum of a meeting of `kind` (`rule`: a council's own), as `domain::attendance`. */
export function meetingAttendance(
  kind: MeetingKind,
  rule: QuorumRule,
  expected: number,
  present: number,
  households: [number, number] | null,
): MeetingAttendance {
  const members = membersShare(kind, rule)
  const membersMet = shareMet(members, expected, present)
  const counted = countsHouseholds(kind) ? households : null
  const householdsMet = counted !== null && shareMet(TWO_THIRDS, counted[0], counted[1])
  const byHouseholds = counted !== null && householdsMet && !membersMet
  return {
    membersMinimum: shareMinimum(members, expected),
    membersMet,
    householdsMinimum: counted === null ? null : shareMinimum(TWO_THIRDS, counted[0]),
    householdsMet,
    met: membersMet || householdsMet,
    basis: byHouseholds ? 'households' : 'members',
    votingPresent: byHouseholds && counted ? counted[1] : present,
    votingAll: byHouseholds && counted ? counted[0] : expected,
  }
}

/** Votes in favour an item's rule needs, of those present and of all on the meeting's basis. */
export function approvalNeeded(approval: Approval, present: number, all: number): number {
  return approval === 'two_thirds_of_all'
    ? shareMinimum(TWO_THIRDS, all)
    : shareMinimum({ kind: 'more_than_half' }, present)
}

export function approvalPasses(approval: Approval, inFavour: number, present: number, all: number): boolean {
  return inFavour >= approvalNeeded(approval, present, all)
}

/**
 * Whether an item passes: the quorum met, its rule met and, when its review found an
 * infringement, the corrected text voted again and passed by the same rule.
 */
export function meetingItemPasses(
  attendance: MeetingAttendance,
  approval: Approval,
  votes: Votes,
  review: ReviewVerdict | null,
): boolean {
  if (!attendance.met) return false
  const passes = (v: Votes) => approvalPasses(approval, v.for, attendance.votingPresent, attendance.votingAll)
  if (review?.infringes) {
    return Boolean(review.correction?.trim()) && review.revote != null && passes(review.revote)
  }
  return passes(votes)
}

/** The rule the form suggests for an item marked as concerning one of these. */
export function suggestedApproval(topic: ItemTopic | null): Approval {
  return topic === null ? 'present_majority' : 'two_thirds_of_all'
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

/** What is wrong with the households' counts, keyed by field, as `domain::check_households`. */
export function householdsProblem(
  kind: MeetingKind,
  expected: number | null,
  present: number | null,
): { field: 'households_expected' | 'households_present'; message: string } | null {
  if (expected === null && present === null) return null
  if (!countsHouseholds(kind)) {
    return { field: 'households_expected', message: '这类会议按人数计算法定人数，不按户' }
  }
  if (expected === null) return { field: 'households_expected', message: '请填写应到户数' }
  if (present === null) return { field: 'households_present', message: '请填写实到户数' }
  if (expected <= 0) return { field: 'households_expected', message: '应到户数必须大于0' }
  if (present > expected) {
    return { field: 'households_present', message: `实到户数（${present}）不能多于应到户数（${expected}）` }
  }
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
