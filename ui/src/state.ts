// What the whole app shares: the open book, the settings, and the roster lists that several
// screens offer in their selects (loaded once, reloaded after a roster or bundle import).

import { reactive, watch } from 'vue'
import { api, signInWatch } from './api'
import type { BookStatus, DeputyListing, Settings, SignOutReason } from './api/types'
import { stationToday } from './lib/time'

export const app = reactive({
  book: null as BookStatus | null,
  settings: null as Settings | null,
})

/** Whether the sign-in layer shows: the book is open and waits for a deputy to sign in. */
export function signInShown(): boolean {
  return !!app.book?.open && app.book.sign_in_required
}

/** Asks the shell again who is signed in (after a command found nobody was). */
export async function refreshBook(): Promise<void> {
  try {
    app.book = await api.bookStatus()
  } catch {
    // The next command says what is wrong.
  }
}

signInWatch.required = () => {
  if (app.book && !app.book.sign_in_required) app.book = { ...app.book, signed_in: null, sign_in_required: true }
  void refreshBook()
}

/** Resolves once nobody needs to sign in: screens under the sign-in layer load after it. */
export function whenSignedIn(): Promise<void> {
  if (!signInShown()) return Promise.resolve()
  return new Promise((resolve) => {
    const stop = watch(signInShown, (shown) => {
      if (shown) return
      stop()
      resolve()
    })
  })
}

/** 切换代表, 退出, or the idle time passed: the sign-in layer shows over the screen as it is. */
export async function signOut(reason: SignOutReason): Promise<void> {
  app.book = await api.signOut(reason)
}

/** A case number of this station for placeholders (`DL-2026-0002`), not another station's. */
export function caseNoExample(seq: number): string {
  const code = app.book?.code ?? 'XX'
  return `${code}-${stationToday().slice(0, 4)}-${String(seq).padStart(4, '0')}`
}

/** Bigger text everywhere: the root font size and Element Plus' own sizes follow this class. */
export function applyLargeFont(on: boolean): void {
  document.documentElement.classList.toggle('large-font', on)
}

/**
 * `n` em of the page's text in pixels, for what takes a width only in pixels (table columns):
 * re-rendered, it follows 大字体 like the CSS does.
 */
export function em(n: number): number {
  void app.settings?.large_font // the dependency that re-renders the caller when 大字体 changes
  return Math.round(n * parseFloat(getComputedStyle(document.documentElement).fontSize))
}

export async function loadSettings(): Promise<void> {
  app.settings = await api.settings()
  applyLargeFont(app.settings.large_font)
}

export async function saveSettings(settings: Settings): Promise<void> {
  app.settings = await api.saveSettings(settings)
  applyLargeFont(app.settings.large_font)
}

/** A list loaded once and shared; a failed load is tried again next time. */
function shared<T>(load: () => Promise<T>) {
  let pending: Promise<T> | null = null
  return {
    get: (): Promise<T> =>
      (pending ??= load().catch((reason: unknown) => {
        pending = null
        throw reason
      })),
    forget: (): void => {
      pending = null
    },
  }
}

const deputies = shared(api.deputies)

/** Every deputy on the roster (retired ones included, flagged `active: false`). */
export const loadDeputies: () => Promise<DeputyListing[]> = deputies.get

/** After an import the roster may have changed. */
export const rosterChanged: () => void = deputies.forget

let firstScreenReported = false

/** Tells the shell, once, that the first screen shows its data (start-up time is measured). */
export function reportFirstScreen(): void {
  if (firstScreenReported) return
  firstScreenReported = true
  // After the next paint, not merely after the DOM update.
  requestAnimationFrame(() =>
    setTimeout(() => {
      api.firstScreenShown().catch(() => undefined)
    }),
  )
}
