// The new-mediation form: what it holds, its checks, and the input it sends.

import type { Agent, AgentKind, MediationInput, MediationSource, MediatorInput, Party, PartyRole, Sex } from '../api/types'
import { stationToday, stationNow, toRfc3339 } from './time'
import {
  LIMITS,
  checkContact,
  checkMobile,
  checkNotFuture,
  checkRequired,
  checkText,
  contactInput,
  normalizeMobile,
  optionalText,
} from './validate'

export interface PartyRow {
  role: PartyRole
  name: string
  sex: Sex | ''
  age: number | null
  phone: string
  id_number: string
  address: string
  /** 民族, e.g. 汉族. */
  ethnicity: string
  /** 职业或职务. */
  occupation: string
  /** '' while the party has no agent. */
  agent_kind: AgentKind | ''
  agent_name: string
  agent_relation: string
  agent_phone: string
}

export interface MediationForm {
  case_no: string
  source: MediationSource
  dispute_type: string
  dispute_subtype: string
  /** null: now. */
  accepted_at: Date | null
  summary: string
  parties: PartyRow[]
  /** Deputy ids of invited mediators, or names of other mediators typed in. */
  mediators: string[]
  consent: boolean
  /** Every party agreed to mediation (人民调解法 Art. 17). */
  agreed_to_mediation: boolean
}

export function emptyParty(role: PartyRole): PartyRow {
  return {
    role,
    name: '',
    sex: '',
    age: null,
    phone: '',
    id_number: '',
    address: '',
    ethnicity: '',
    occupation: '',
    agent_kind: '',
    agent_name: '',
    agent_relation: '',
    agent_phone: '',
  }
}

export function emptyMediation(): MediationForm {
  return {
    case_no: '',
    source: 'application',
    dispute_type: '',
    dispute_subtype: '',
    accepted_at: null,
    summary: '',
    parties: [emptyParty('applicant'), emptyParty('respondent')],
    mediators: [],
    consent: false,
    agreed_to_mediation: false,
  }
}

/** Field key → message; party fields are keyed `parties.N.field`. */
export function checkMediation(form: MediationForm, now: Date = stationNow()): Record<string, string> {
  const errors: Record<string, string> = {}
  const put = (key: string, problem: string | null) => {
    if (problem) errors[key] = problem
  }
  put('accepted_at', form.accepted_at && checkNotFuture(form.accepted_at, now))
  put('dispute_type', checkRequired(form.dispute_type, '纠纷类型'))
  put('summary', checkRequired(form.summary, '纠纷简要情况'))
  const today = stationToday(now)
  form.parties.forEach((party, i) => {
    put(`parties.${i}.name`, checkRequired(party.name, '当事人姓名'))
    for (const [field, problem] of Object.entries(checkContact(party, today))) {
      put(`parties.${i}.${field}`, problem)
    }
    put(`parties.${i}.ethnicity`, checkText(party.ethnicity ?? '', '民族', LIMITS.name, false))
    put(`parties.${i}.occupation`, checkText(party.occupation ?? '', '职业', LIMITS.label, false))
    if (party.agent_kind) {
      put(`parties.${i}.agent.name`, checkRequired(party.agent_name, '代理人姓名'))
      put(`parties.${i}.agent.phone`, party.agent_phone.trim() ? checkMobile(party.agent_phone) : null)
    }
  })
  const roles = new Set(form.parties.map((p) => p.role))
  if (!roles.has('applicant') || !roles.has('respondent')) {
    errors.parties = '调解须至少有申请人和被申请人各一方'
  }
  if (!form.mediators.length) errors.mediators = '请至少填写一名调解员'
  if (!form.consent) errors.consent = '当事人的个人信息须经本人同意才能记录，请确认并勾选'
  if (!form.agreed_to_mediation) {
    errors.agreed_to_mediation = '当事人一方明确拒绝调解的，不得调解（《人民调解法》第十七条）：请确认各方同意调解并勾选'
  }
  return errors
}

function agentInput(row: PartyRow): Agent | undefined {
  if (!row.agent_kind) return undefined
  const phone = optionalText(row.agent_phone)
  return {
    kind: row.agent_kind,
    name: row.agent_name.trim(),
    relation: optionalText(row.agent_relation),
    phone: phone && normalizeMobile(phone),
  }
}

function partyInput(row: PartyRow): Party {
  const party: Party = {
    role: row.role,
    name: row.name.trim(),
    sex: row.sex || null,
    age: row.age,
    ...contactInput(row),
    address: optionalText(row.address),
  }
  // Drafts saved before these fields existed lack them.
  const ethnicity = optionalText(row.ethnicity ?? '')
  const occupation = optionalText(row.occupation ?? '')
  const agent = agentInput(row)
  if (ethnicity) party.ethnicity = ethnicity
  if (occupation) party.occupation = occupation
  if (agent) party.agent = agent
  return party
}

/**
 * The command's input; call only when `checkMediation` found nothing. `deputyIds` tells the
 * deputies picked from the roster from names typed in for other mediators.
 */
export function mediationInput(form: MediationForm, deputyIds: Set<string>): MediationInput {
  const mediators: MediatorInput[] = form.mediators.map((m) =>
    deputyIds.has(m) ? m : { name: m.trim() },
  )
  return {
    case_no: optionalText(form.case_no),
    source: form.source,
    dispute_type: form.dispute_type,
    dispute_subtype: optionalText(form.dispute_subtype),
    accepted_at: form.accepted_at && toRfc3339(form.accepted_at),
    summary: form.summary.trim(),
    parties: form.parties.map(partyInput),
    mediators,
    consent: form.consent,
    agreed_to_mediation: form.agreed_to_mediation,
  }
}
