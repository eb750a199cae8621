// Where a refusal is shown: a refusal that names its field (a path into the input, as the core
// checked it: `visitors.1.phone`) marks that field, with the user's input left as typed; a
// kind that belongs to a form field marks that field; `sign_in_required` is left to the sign-in
// layer; anything else becomes a message box.

import { ElMessage } from 'element-plus'
import { toApiError } from './index'
import type { CommandErrorKind } from './types'

/** Per kind, what to do instead of the message box; the handler gets the Chinese message. */
export type FieldHandlers = Partial<Record<CommandErrorKind, (message: string) => void>>

/** Marks the form field at a refusal's path; false when the form shows no such field. */
export type PathHandler = (path: string, message: string) => boolean

/**
 * Shows `reason`: on the field its path names (through `atPath`), else on the field that
 * handles its kind, else in an error message.
 */
export function showError(reason: unknown, fields: FieldHandlers = {}, atPath?: PathHandler): void {
  const error = toApiError(reason)
  // Nobody is signed in: the sign-in layer says so, not a message box over it.
  if (error.kind === 'sign_in_required') return
  if (error.field !== null && atPath?.(error.field, error.message)) return
  const onField = fields[error.kind]
  if (onField) {
    onField(error.message)
  } else {
    ElMessage.error({ message: error.message, duration: 6000, showClose: true })
  }
}
