import { ref, watch } from 'vue'
import type { PathHandler } from '../api/errors'

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
    /**
     * A handler for refusals that name their field (`visitors.1.phone`): marks that field when
     * the form shows it (`shown`, a row's index written `*`). `rows` maps a list's index in what
     * was sent back to the form's row, for lists whose blank rows are not sent.
     */
    atPath:
      (shown: string[], rows: Record<string, number[]> = {}): PathHandler =>
      (path, message) => {
        const parts = path.split('.')
        const pattern = parts.map((part) => (/^\d+$/.test(part) ? '*' : part)).join('.')
        if (!shown.includes(pattern)) return false
        const sent = rows[parts[0]]
        if (sent && parts.length > 1) {
          const row = sent[Number(parts[1])]
          if (row === undefined) return false
          parts[1] = String(row)
        }
        put(parts.join('.'), message)
        return true
      },
  }
}
