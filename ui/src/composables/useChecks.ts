import { ref, watch } from 'vue'
import { rowInMessage } from '../api/errors'

/**
 * Field messages for a form: the checks run when the deputy first tries to save and then follow
 * every edit, so a corrected field clears at once; refusals from the backend land on fields too.
 */
export function useChecks<F extends object>(form: F, check: (form: F) => Record<string, string>) {
  const errors = ref<Record<string, string>>({})
  let tried = false
  watch(form, () => {
    if (tried) errors.value = check(form)
  })

  const put = (key: string, message: string) => {
    errors.value = { ...errors.value, [key]: message }
  }

  return {
    errors,
    /** Runs the checks; true when nothing is wrong. */
    passes(): boolean {
      tried = true
      errors.value = check(form)
      return Object.keys(errors.value).length === 0
    },
    /** For a fresh form. */
    reset(): void {
      tried = false
      errors.value = {}
    },
    /** A refusal handler that shows its message on `key`. */
    on: (key: string) => (message: string) => put(key, message),
    /** A refusal handler for a row's field: the row the message names (“第2位…”), else `fallback`. */
    onRow: (list: string, field: string, fallback: () => number) => (message: string) =>
      put(`${list}.${rowInMessage(message) ?? fallback()}.${field}`, message),
  }
}
