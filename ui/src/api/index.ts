// Typed wrappers over the shell's Tauri commands. Argument names are camelCase here; Tauri
// converts them to the Rust parameters' snake_case names.

import { invoke, type InvokeArgs } from '@tauri-apps/api/core'
import type {
  AuditPage,
  AuditQuery,
  BackupMade,
  BackupStatus,
  BookStatus,
  CaseDetail,
  CaseEventAdded,
  CaseEventInput,
  CasePage,
  Page,
  PageQuery,
  CaseQuery,
  CommandError,
  CommandErrorKind,
  DeputyActivityAdded,
  DeputyActivityInput,
  DeputyActivityListing,
  DeputyListing,
  DocumentKind,
  Draft,
  DueList,
  DutyShiftListing,
  EnrolledBook,
  EnrolmentSummary,
  EnrolmentWritten,
  Exported,
  Imported,
  IsoDate,
  Labels,
  MediationAdded,
  MediationEventAdded,
  MediationEventInput,
  MediationInput,
  MediationListing,
  MeetingAdded,
  MeetingEventAdded,
  MeetingEventInput,
  MeetingInput,
  MeetingListing,
  ReceptionAdded,
  ReceptionInput,
  Renumbered,
  ReportKind,
  RosterImported,
  Settings,
  SignInDeputy,
  SignOutReason,
  StationAccepted,
  Stats,
  SuggestionAdded,
  SuggestionEventAdded,
  SuggestionEventInput,
  SuggestionInput,
  SuggestionListing,
  SyncOutcome,
  SyncView,
  Today,
  Unlocked,
} from './types'

/** A refused or failed command, with the backend's kind and Chinese message. */
export class ApiError extends Error implements CommandError {
  readonly kind: CommandErrorKind
  /** The input field refused, as a path (`visitors.1.phone`), when the refusal names one. */
  readonly field: string | null

  constructor(kind: CommandErrorKind, message: string, field: string | null = null) {
    super(message)
    this.name = 'ApiError'
    this.kind = kind
    this.field = field
  }
}

function isCommandError(value: unknown): value is CommandError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as CommandError).kind === 'string' &&
    typeof (value as CommandError).message === 'string'
  )
}

/** Whatever a rejected `invoke` gave, as an ApiError (a bare string comes from Tauri itself). */
export function toApiError(reason: unknown): ApiError {
  if (reason instanceof ApiError) return reason
  if (isCommandError(reason)) {
    return new ApiError(reason.kind, reason.message, typeof reason.field === 'string' ? reason.field : null)
  }
  const text = reason instanceof Error ? reason.message : String(reason)
  return new ApiError('internal', `程序内部出错：${text}`)
}

/**
 * Told when a command answers `sign_in_required`: nobody is signed in (退出, idle), so the shell
 * refreshes the book's status and shows the sign-in layer. Set once by the shell's state.
 */
export const signInWatch: { required: () => void } = { required: () => undefined }

async function call<T>(command: string, args?: InvokeArgs): Promise<T> {
  try {
    return await invoke<T>(command, args)
  } catch (reason) {
    const error = toApiError(reason)
    if (error.kind === 'sign_in_required') signInWatch.required()
    throw error
  }
}

export const api = {
  bookStatus: () => call<BookStatus>('book_status'),
  createBook: (code: string, name: string, passphrase: string) =>
    call<BookStatus>('create_book', { code, name, passphrase }),
  unlockBook: (passphrase: string, remember: boolean) => call<Unlocked>('unlock_book', { passphrase, remember }),
  unlockRemembered: () => call<Unlocked>('unlock_remembered'),
  forgetPassphrase: () => call<BookStatus>('forget_passphrase'),
  changePassphrase: (current: string, passphrase: string) =>
    call<Unlocked>('change_passphrase', { current, passphrase }),
  encryptBook: (passphrase: string) => call<BookStatus>('encrypt_book', { passphrase }),
  signInDeputies: () => call<SignInDeputy[]>('sign_in_deputies'),
  signIn: (deputy: string, pin: string) => call<BookStatus>('sign_in', { deputy, pin }),
  signOut: (reason: SignOutReason) => call<BookStatus>('sign_out', { reason }),
  importRoster: (path: string) => call<RosterImported>('import_roster', { path }),
  today: () => call<Today>('today'),
  /** What is owed within `withinDays` days and what is late, soonest first (the 待办 panel). */
  due: (withinDays: number, rows: number) => call<DueList>('due', { withinDays, rows }),
  dutyShifts: (from: IsoDate, to: IsoDate) => call<DutyShiftListing[]>('duty_shifts', { from, to }),
  deputies: () => call<DeputyListing[]>('deputies'),
  labels: () => call<Labels>('labels'),
  listCases: (filter: CaseQuery) => call<CasePage>('list_cases', { filter }),
  caseDetail: (caseNo: string) => call<CaseDetail>('case_detail', { caseNo }),
  addReception: (input: ReceptionInput) => call<ReceptionAdded>('add_reception', { input }),
  addCaseEvent: (caseNo: string, input: CaseEventInput) =>
    call<CaseEventAdded>('add_case_event', { caseNo, input }),
  meetings: (page: PageQuery) => call<Page<MeetingListing>>('meetings', { page }),
  meeting: (id: string) => call<MeetingListing | null>('meeting', { id }),
  addMeeting: (input: MeetingInput) => call<MeetingAdded>('add_meeting', { input }),
  addMeetingEvent: (id: string, input: MeetingEventInput) =>
    call<MeetingEventAdded>('add_meeting_event', { id, input }),
  mediations: (page: PageQuery) => call<Page<MediationListing>>('mediations', { page }),
  mediation: (number: string) => call<MediationListing | null>('mediation', { number }),
  addMediation: (input: MediationInput) => call<MediationAdded>('add_mediation', { input }),
  addMediationEvent: (number: string, input: MediationEventInput) =>
    call<MediationEventAdded>('add_mediation_event', { number, input }),
  addDeputyActivity: (input: DeputyActivityInput) =>
    call<DeputyActivityAdded>('add_deputy_activity', { input }),
  /** Deputies' reports to voters (述职) and trainings, of one deputy (id) or all, newest first. */
  deputyActivities: (deputy: string | null, from: IsoDate | null, to: IsoDate | null) =>
    call<DeputyActivityListing[]>('deputy_activities', { deputy, from, to }),
  suggestions: (page: PageQuery) => call<Page<SuggestionListing>>('suggestions', { page }),
  suggestion: (number: string) => call<SuggestionListing>('suggestion', { number }),
  addSuggestion: (input: SuggestionInput) => call<SuggestionAdded>('add_suggestion', { input }),
  addSuggestionEvent: (number: string, input: SuggestionEventInput) =>
    call<SuggestionEventAdded>('add_suggestion_event', { number, input }),
  stats: (from: IsoDate | null, to: IsoDate | null) => call<Stats>('stats', { from, to }),
  slipHtml: (caseNo: string) => call<string>('slip_html', { caseNo }),
  documentHtml: (kind: DocumentKind, id: string) => call<string>('document_html', { kind, id }),
  reportHtml: (kind: ReportKind, from: IsoDate | null, to: IsoDate | null) =>
    call<string>('report_html', { kind, from, to }),
  saveReport: (kind: ReportKind, from: IsoDate | null, to: IsoDate | null, dir: string, format: 'xlsx' | 'html') =>
    call<string>('save_report', { kind, from, to, dir, format }),
  syncStatus: () => call<SyncView>('sync_status'),
  syncNow: () => call<SyncOutcome>('sync_now'),
  /** The records that took a new number after a restore, oldest first (each needs a 编号更正通知). */
  renumbered: () => call<Renumbered[]>('renumbered'),
  ownFingerprint: () => call<string>('own_fingerprint'),
  readEnrolment: (path: string) => call<EnrolmentSummary>('read_enrolment', { path }),
  createBookFromEnrolment: (path: string, passphrase: string) =>
    call<EnrolledBook>('create_book_from_enrolment', { path, passphrase }),
  writeStationKeys: (dir: string) => call<string>('write_station_keys', { dir }),
  writeEnrolment: (code: string, dir: string) => call<EnrolmentWritten>('write_enrolment', { code, dir }),
  checkStationKeys: (path: string) => call<StationAccepted>('check_station_keys', { path }),
  acceptStationKeys: (path: string, replaceKeys: boolean) =>
    call<StationAccepted>('accept_station_keys', { path, replaceKeys }),
  exportBundle: (to: string, dir: string) => call<Exported>('export_bundle', { to, dir }),
  importBundle: (path: string) => call<Imported>('import_bundle', { path }),
  settings: () => call<Settings>('settings'),
  saveSettings: (settings: Settings) => call<Settings>('save_settings', { settings }),
  backUpNow: () => call<BackupMade>('back_up_now'),
  backupStatus: () => call<BackupStatus>('backup_status'),
  backupEncrypted: (path: string) => call<boolean>('backup_encrypted', { path }),
  restoreBook: (path: string, passphrase: string | null) =>
    call<BookStatus>('restore_book', { path, passphrase }),
  draft: (form: string) => call<Draft | null>('draft', { form }),
  saveDraft: (form: string, body: string) => call<Draft>('save_draft', { form, body }),
  discardDraft: (form: string) => call<void>('discard_draft', { form }),
  firstScreenShown: () => call<void>('first_screen_shown'),
  /** Says that `document` of the record `id` is about to be printed (the audit trail). */
  recordPrint: (document: DocumentKind, id: string) => call<void>('record_print', { document, id }),
  auditTrail: (query: AuditQuery) => call<AuditPage>('audit_trail', { query }),
}

/**
 * The meetings named by `ids` (a case's, the 待办 panel's), read one by one: a book may hold
 * tens of thousands, of which a screen names a few. One that cannot be read is left out.
 */
export async function meetingsNamed(ids: readonly string[]): Promise<MeetingListing[]> {
  const found = await Promise.all([...new Set(ids)].map((id) => api.meeting(id).catch(() => null)))
  return found.filter((meeting): meeting is MeetingListing => meeting !== null)
}
