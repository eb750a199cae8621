// What the deputy reads for each stored name. The words come from Rust, in one table (the
// `labels` command, crates/casebook/src/domain/labels.rs), loaded once at start by `loadLabels`
// before the first screen; this module only looks them up. Purely presentational choices (tag
// colours, one-line summaries) stay here.

import type {
  AgentKind,
  AnswerClass,
  Approval,
  AuditAction,
  CaseEventKind,
  CaseEventKindName,
  CaseStatus,
  Channel,
  Choice as ChoiceOf,
  ConfirmationResult,
  CongressLevel,
  DeputyActivityKind,
  ItemTopic,
  Labels,
  MediationEventKind,
  MediationEventKindName,
  MediationResult,
  MediationSource,
  MeetingKind,
  MeetingEventKindName,
  PartyRole,
  Performance,
  ReceptionKind,
  Satisfaction,
  Sex,
  SuggestionEventKindName,
  SuggestionStatus,
  VoteMethod,
} from '../api/types'

import { api } from '../api'

/** A stored value with its label, as the table lists them. */
export type Choice<T extends string = string> = ChoiceOf<T>

const table: Labels = {
  channels: [],
  sexes: [],
  statuses: [],
  satisfactions: [],
  case_events: [],
  vote_methods: [],
  meeting_kinds: [],
  approvals: [],
  item_topics: [],
  meeting_events: [],
  mediation_sources: [],
  party_roles: [],
  agent_kinds: [],
  mediation_results: [],
  performances: [],
  confirmations: [],
  mediation_events: [],
  suggestion_events: [],
  suggestion_statuses: [],
  answer_classes: [],
  congress_levels: [],
  reception_kinds: [],
  dispute_types: [],
  suggestion_categories: [],
  deputy_activities: [],
  audit_actions: [],
}

/** Takes the table the `labels` command answered (the app at start, the tests from a copy). */
export function setLabels(labels: Labels): void {
  Object.assign(table, labels)
}

/** The classes of deputies' suggestions, in the NPCSC's order (a suggestion's 类别). */
export function suggestionCategories(): string[] {
  return table.suggestion_categories
}

/** The dispute types (类别), in the statistics' order. */
export function disputeTypes(): string[] {
  return table.dispute_types
}

/**
 * The categories a reception of `kind` takes: the Ministry's dispute types for a dispute, the
 * classes of deputies' suggestions for any other kind (`reception_category` in the core).
 */
export function receptionCategories(kind: ReceptionKind): string[] {
  return kind === 'dispute' ? table.dispute_types : table.suggestion_categories
}

/**
 * A `Record<value, label>` over one list of the table, read when looked up: `STATUS_LABELS[s]`
 * in a template, or `options(STATUS_LABELS)` for a select, in the table's order.
 */
function labelsOf<T extends string>(pick: (labels: Labels) => Choice[]): Record<T, string> {
  const find = (key: string | symbol) => pick(table).find((choice) => choice.value === key)
  return new Proxy({} as Record<T, string>, {
    get: (_, key) => find(key)?.label,
    has: (_, key) => find(key) !== undefined,
    ownKeys: () => pick(table).map((choice) => choice.value),
    getOwnPropertyDescriptor: (_, key) => {
      const found = find(key)
      return found && { value: found.label, enumerable: true, configurable: true, writable: false }
    },
  })
}

/** Options for a select, in the labels' order. */
export function options<T extends string>(labels: Record<T, string>): Choice<T>[] {
  return (Object.keys(labels) as T[]).map((value) => ({ value, label: labels[value] }))
}

export const CHANNEL_LABELS = labelsOf<Channel>((t) => t.channels)
export const SEX_LABELS = labelsOf<Sex>((t) => t.sexes)
export const STATUS_LABELS = labelsOf<CaseStatus>((t) => t.statuses)
export const SATISFACTION_LABELS = labelsOf<Satisfaction>((t) => t.satisfactions)
export const CASE_EVENT_LABELS = labelsOf<CaseEventKindName>((t) => t.case_events)
export const VOTE_METHOD_LABELS = labelsOf<VoteMethod>((t) => t.vote_methods)
export const MEETING_KIND_LABELS = labelsOf<MeetingKind>((t) => t.meeting_kinds)
export const APPROVAL_LABELS = labelsOf<Approval>((t) => t.approvals)
export const ITEM_TOPIC_LABELS = labelsOf<ItemTopic>((t) => t.item_topics)
export const MEETING_EVENT_LABELS = labelsOf<MeetingEventKindName>((t) => t.meeting_events)
export const MEDIATION_SOURCE_LABELS = labelsOf<MediationSource>((t) => t.mediation_sources)
export const PARTY_ROLE_LABELS = labelsOf<PartyRole>((t) => t.party_roles)
export const AGENT_KIND_LABELS = labelsOf<AgentKind>((t) => t.agent_kinds)
export const MEDIATION_RESULT_LABELS = labelsOf<MediationResult>((t) => t.mediation_results)
export const PERFORMANCE_LABELS = labelsOf<Performance>((t) => t.performances)
export const CONFIRMATION_LABELS = labelsOf<ConfirmationResult>((t) => t.confirmations)
export const MEDIATION_EVENT_LABELS = labelsOf<MediationEventKindName>((t) => t.mediation_events)
export const SUGGESTION_EVENT_LABELS = labelsOf<SuggestionEventKindName>((t) => t.suggestion_events)
export const SUGGESTION_STATUS_LABELS = labelsOf<SuggestionStatus>((t) => t.suggestion_statuses)
export const ANSWER_CLASS_LABELS = labelsOf<AnswerClass>((t) => t.answer_classes)
export const CONGRESS_LABELS = labelsOf<CongressLevel>((t) => t.congress_levels)
export const AUDIT_ACTION_LABELS = labelsOf<AuditAction>((t) => t.audit_actions)
export const RECEPTION_KIND_LABELS = labelsOf<ReceptionKind>((t) => t.reception_kinds)
export const DEPUTY_ACTIVITY_LABELS = labelsOf<DeputyActivityKind>((t) => t.deputy_activities)

/** A case event's particulars in one line, as `CaseEventKind::detail` writes them. */
export function caseEventDetail(event: CaseEventKind): string | null {
  switch (event.kind) {
    case 'answered_on_spot':
      return `答复：${event.answer}`
    case 'not_accepted':
      return `理由：${event.reason}；告知途径：${event.route}`
    case 'referred':
      return `交${event.to}办理，期限 ${event.deadline}`
    case 'chased': {
      // As the core's timeline says it (`casebook case show`).
      const parts = [
        event.unit && `督办${event.unit}`,
        event.by && `督办人：${event.by}`,
        event.deadline && `新期限 ${event.deadline}`,
      ].filter(Boolean)
      return parts.length ? parts.join('，') : null
    }
    case 'reply_received':
      return event.from ? `${event.from}答复：${event.content}` : `答复：${event.content}`
    case 'follow_up':
      return `满意度：${SATISFACTION_LABELS[event.satisfaction]}`
    case 'sent_back':
    case 'reopened':
      return `理由：${event.reason}`
    case 'to_mediation':
      return event.mediation_no ? `调解编号 ${event.mediation_no}` : null
    default:
      return null
  }
}

/** A mediation event's particulars in one line. */
export function mediationEventDetail(event: MediationEventKind): string {
  switch (event.kind) {
    case 'rights_notified':
      return '已向当事人送达人民调解权利义务告知书'
    case 'investigation':
      return [
        `地点：${event.place}`,
        `被调查人：${event.subject}`,
        `调查内容：${event.content}`,
        event.participants?.length && `调查人：${event.participants.join('、')}`,
        event.recorder && `记录人：${event.recorder}`,
      ]
        .filter(Boolean)
        .join('；')
    case 'session':
      return [
        `地点：${event.place}`,
        event.participants?.length && `参加人：${event.participants.join('、')}`,
        `当事人陈述：${event.statements}`,
        event.facts && `查明事实：${event.facts}`,
        event.outcome && `调解情况：${event.outcome}`,
        event.recorder && `记录人：${event.recorder}`,
      ]
        .filter(Boolean)
        .join('；')
    case 'agreement':
      return [
        `协议内容：${event.terms}`,
        `履行方式：${event.performance_method}`,
        `履行期限：${event.performance_deadline}`,
        `履行地点：${event.performance_place}`,
        event.amount_yuan !== null && `涉及金额：${event.amount_yuan}元`,
        event.copies !== null && `协议份数：${event.copies}份`,
      ]
        .filter(Boolean)
        .join('；')
    case 'result':
      return [
        MEDIATION_RESULT_LABELS[event.result],
        event.routes && `告知途径：${event.routes}`,
        event.oral_terms && `口头协议内容：${event.oral_terms}`,
      ]
        .filter(Boolean)
        .join('；')
    case 'performance':
      return PERFORMANCE_LABELS[event.performance]
    case 'follow_up':
      return `满意度：${SATISFACTION_LABELS[event.satisfaction]}`
    case 'judicial_confirmation':
      return `${event.applied_on} 向${event.court}申请，${CONFIRMATION_LABELS[event.result]}`
  }
}

/** Asks the app for the table; `main.ts` waits for it before the first screen. */
export async function loadLabels(): Promise<void> {
  setLabels(await api.labels())
}
