import { computed, onBeforeUnmount, onMounted, ref, toRaw, watch } from 'vue'
import { api, toApiError } from '../api'
import type { DateTime } from '../api/types'
import { beforeClose } from '../lib/closing'
import { decodeDraft, encodeDraft, hasContent } from '../lib/draft'
import { app, whenSignedIn } from '../state'

/** How long typing pauses before the draft is written: short, so that little is at risk. */
const WRITE_AFTER_MS = 300

/**
 * Keeps what the deputy types in `form` as the book's draft `key` (`reception`,
 * `case-event:DL-2026-0001`), so that moving to another screen, closing the window or a power cut
 * loses nothing. On mount a kept draft is put back into the form; once the form is saved the
 * draft goes. `fresh` makes an empty form; `ignore` names the fields a fresh form fills by itself
 * (the time now), which alone are not worth keeping.
 */
export function useDraft<F extends object>(
  key: string,
  form: F,
  fresh: () => F,
  ignore: readonly (keyof F)[] = [],
) {
  /** When the draft now in the form was written, if the form was filled from one. */
  const restoredFrom = ref<DateTime | null>(null)
  /** When this session last wrote the draft. */
  const savedAt = ref<DateTime | null>(null)
  /** Why the draft could not be written, shown beside the form. */
  const failure = ref('')
  const typed = computed(() => hasContent(form, fresh(), ignore))

  /** The body the book holds now (null: none); undefined when unknown. */
  let written: string | null | undefined
  let ready = false
  /** The last write, settled once the book has it. */
  let writing: Promise<void> = Promise.resolve()
  let timer: ReturnType<typeof setTimeout> | undefined

  /** Writes the form as the draft now, unless the book has it already; settles once written. */
  function write(): Promise<void> {
    clearTimeout(timer)
    if (!ready) return writing
    const body = hasContent(form, fresh(), ignore) ? encodeDraft(toRaw(form)) : null
    if (body === written) return writing
    written = body
    const done =
      body === null
        ? api.discardDraft(key).then(() => {
            savedAt.value = null
          })
        : api.saveDraft(key, body).then((draft) => {
            savedAt.value = draft.saved_at
          })
    writing = done.then(
      () => {
        failure.value = ''
      },
      (reason: unknown) => {
        written = undefined
        const error = toApiError(reason)
        // Signed out meanwhile: written once a deputy signs in again (watched below).
        if (error.kind !== 'sign_in_required') failure.value = `草稿未能暂存：${error.message}`
      },
    )
    return writing
  }

  watch(
    () => app.book?.signed_in?.id,
    (deputy) => {
      if (deputy) void write()
    },
  )

  watch(form, () => {
    clearTimeout(timer)
    timer = setTimeout(() => void write(), WRITE_AFTER_MS)
  })

  onMounted(async () => {
    try {
      await whenSignedIn()
      const draft = await api.draft(key)
      // What the deputy typed while the draft was being read wins over the draft.
      const fields = draft && !typed.value ? decodeDraft<F>(draft.body) : null
      if (draft && fields) {
        Object.assign(form, fields)
        restoredFrom.value = draft.saved_at
      }
      written = draft?.body ?? null
    } catch (reason) {
      failure.value = `草稿未能读取：${toApiError(reason).message}`
    }
    ready = true
  })
  // Closing the window waits for the last keystrokes to be written.
  const forgetOnClose = beforeClose(write)
  onBeforeUnmount(() => {
    forgetOnClose()
    void write()
  })

  /** Forgets the draft in the book (the form itself is the caller's to reset). */
  function forget(): void {
    clearTimeout(timer)
    restoredFrom.value = null
    savedAt.value = null
    written = null
    api.discardDraft(key).catch((reason: unknown) => {
      written = undefined
      failure.value = `草稿未能删除：${toApiError(reason).message}`
    })
  }

  return {
    restoredFrom,
    savedAt,
    failure,
    /** Whether the form holds anything typed. */
    typed,
    /** 继续填写: the deputy goes on with the restored draft. */
    keep(): void {
      restoredFrom.value = null
    },
    /** 放弃草稿: an empty form and no draft. */
    discard(): void {
      forget()
      Object.assign(form, fresh())
    },
    /** The form is in the book now: its draft goes; the form keeps what it shows until reset. */
    saved(): void {
      forget()
      written = encodeDraft(toRaw(form))
    },
  }
}
