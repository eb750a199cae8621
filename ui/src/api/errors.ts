// Where a refusal is shown: a kind that belongs to a form field marks that field (the user's
// input stays as typed); anything else becomes a message box.

import { ElMessage } from 'element-plus'
import { toApiError } from './index'
import type { ErrorKind } from './types'

/** Per kind, what to do instead of the message box; the handler gets the Chinese message. */
export type FieldHandlers = Partial<Record<ErrorKind, (message: string) => void>>

/** Shows `reason`: on the field that handles its kind, else in an error message. */
export function showError(reason: unknown, fields: FieldHandlers = {}): void {
  const error = toApiError(reason)
  const onField = fields[error.kind]
  if (onField) {
    onField(error.message)
  } else {
    ElMessage.error({ message: error.message, duration: 6000, showClose: true })
  }
}

/**
 * The 0-based row a backend message names, as in “第2位来访人电话…” (the store numbers visitors
 * and parties from 1), or null when it names none.
 */
export function rowInMessage(message: string): number | null {
  const found = /第(\d+)位/.exec(message)
  return found ? Number(found[1]) - 1 : null
}
