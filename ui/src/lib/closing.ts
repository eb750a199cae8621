/**
 * Work the window waits for when the deputy closes it: a form's last keystrokes, not yet written
 * as its draft (typing pauses 0.3 s before a draft is written). The window closes once every task
 * is done, or after `CLOSE_WAIT_MS` whatever they do: a stuck task never keeps the app open.
 */

/** The longest a closing window waits for its tasks. */
export const CLOSE_WAIT_MS = 2000

const tasks = new Set<() => Promise<unknown>>()

/** Runs `task` when the window is about to close; returns the function that forgets it. */
export function beforeClose(task: () => Promise<unknown>): () => void {
  tasks.add(task)
  return () => tasks.delete(task)
}

/** Runs every task at once and waits for all of them, at most `limit` ms. */
export async function finishBeforeClose(limit = CLOSE_WAIT_MS): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, limit)))
  const all = Promise.allSettled([...tasks].map((task) => Promise.resolve().then(task)))
  await Promise.race([all, waited])
  clearTimeout(timer)
}
