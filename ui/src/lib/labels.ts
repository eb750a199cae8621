// What the deputy reads for each stored name: the same labels as the Rust `label()` methods.
// `Record<Union, string>` makes the compiler insist on a label for every value.

import type {
  CaseEventKind,
  CaseEventKindName,
  CaseStatus,
  Channel,
  ConfirmationResult,
  MediationEventKind,
  MediationEventKindName,
  MediationResult,
  MediationSource,
  PartyRole,
  Performance,
  Satisfaction,
  Sex,
  VoteMethod,
} from '../api/types'

export interface Choice<T extends string = string> {
  value: T
  label: string
}

/** Options for a select, in the labels' order. */
export function options<T extends string>(labels: Record<T, string>): Choice<T>[] {
  return (Object.keys(labels) as T[]).map((value) => ({ value, label: labels[value] }))
}

export const CHANNEL_LABELS: Record<Channel, string> = {
  station_visit: '到站接待',
  grid_visit: '网格走访',
  phone: '电话',
  wechat: '微信',
  letter: '来信',
}

export const SEX_LABELS: Record<Sex, string> = { male: '男', female: '女' }

export const STATUS_LABELS: Record<CaseStatus, string> = {
  pending: '待受理',
  in_progress: '办理中',
  referred: '已交办',
  replied: '已答复',
  fed_back: '已反馈',
  followed_up: '已回访',
  sent_back: '退回重办',
  in_council: '议事会审议中',
  in_mediation: '调解中',
  not_accepted: '不予受理',
  closed: '已办结',
}

export const SATISFACTION_LABELS: Record<Satisfaction, string> = {
  satisfied: '满意',
  basically_satisfied: '基本满意',
  dissatisfied: '不满意',
}

export const CASE_EVENT_LABELS: Record<CaseEventKindName, string> = {
  accepted: '受理',
  answered_on_spot: '当场答复',
  not_accepted: '不予受理',
  referred: '交办',
  chased: '督办',
  reply_received: '收到答复',
  fed_back: '反馈群众',
  follow_up: '回访',
  sent_back: '退回重办',
  to_council: '提交议事会',
  to_mediation: '转入调解',
  closed: '办结',
  reopened: '重新办理',
}

export const VOTE_METHOD_LABELS: Record<VoteMethod, string> = {
  show_of_hands: '举手表决',
  secret_ballot: '无记名投票',
}

export const MEDIATION_SOURCE_LABELS: Record<MediationSource, string> = {
  application: '当事人申请',
  own_initiative: '主动调解',
  transferred: '移交',
  entrusted: '委托',
}

export const PARTY_ROLE_LABELS: Record<PartyRole, string> = {
  applicant: '申请人',
  respondent: '被申请人',
}

export const MEDIATION_RESULT_LABELS: Record<MediationResult, string> = {
  succeeded_written: '调解成功（书面协议）',
  succeeded_oral: '调解成功（口头协议）',
  failed: '调解不成',
  terminated: '终止调解',
}

export const PERFORMANCE_LABELS: Record<Performance, string> = {
  full: '已履行',
  partial: '部分履行',
  none: '未履行',
}

export const CONFIRMATION_LABELS: Record<ConfirmationResult, string> = {
  pending: '审查中',
  confirmed: '确认有效',
  rejected: '不予确认',
}

export const MEDIATION_EVENT_LABELS: Record<MediationEventKindName, string> = {
  session: '调解记录',
  agreement: '调解协议',
  result: '调解结果',
  performance: '履行情况',
  follow_up: '回访',
  judicial_confirmation: '司法确认',
}

/** A case event's particulars in one line, as `CaseEventKind::detail` writes them. */
export function caseEventDetail(event: CaseEventKind): string | null {
  switch (event.kind) {
    case 'answered_on_spot':
      return `答复：${event.answer}`
    case 'not_accepted':
      return `理由：${event.reason}；告知途径：${event.route}`
    case 'referred':
      return `交${event.to}办理，期限 ${event.deadline}`
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
    case 'session':
      return [
        `地点：${event.place}`,
        `当事人陈述：${event.statements}`,
        event.facts && `查明事实：${event.facts}`,
        event.outcome && `调解情况：${event.outcome}`,
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
      return event.routes
        ? `${MEDIATION_RESULT_LABELS[event.result]}；告知途径：${event.routes}`
        : MEDIATION_RESULT_LABELS[event.result]
    case 'performance':
      return PERFORMANCE_LABELS[event.performance]
    case 'follow_up':
      return `满意度：${SATISFACTION_LABELS[event.satisfaction]}`
    case 'judicial_confirmation':
      return `${event.applied_on} 向${event.court}申请，${CONFIRMATION_LABELS[event.result]}`
  }
}
