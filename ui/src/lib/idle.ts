// The idle lock's clock: `onIdle` runs once when nothing has touched the timer for `timeoutMs`.
// Activity only notes the time (a key or a mouse move costs nothing); the one timer, when it
// fires early, waits for the rest.

export interface IdleTimer {
  /** Activity: the idle time counts from now. */
  touch(): void
  /** Counts from now with `timeoutMs` (restarts a running timer). */
  start(timeoutMs: number): void
  stop(): void
}

export function idleTimer(onIdle: () => void, now: () => number = Date.now): IdleTimer {
  let last = 0
  let timeout = 0
  let timer: ReturnType<typeof setTimeout> | undefined

  function check(): void {
    const idle = now() - last
    if (idle >= timeout) {
      timer = undefined
      onIdle()
    } else {
      timer = setTimeout(check, timeout - idle)
    }
  }

  return {
    touch() {
      last = now()
    },
    start(timeoutMs) {
      clearTimeout(timer)
      timeout = timeoutMs
      last = now()
      timer = setTimeout(check, timeoutMs)
    },
    stop() {
      clearTimeout(timer)
      timer = undefined
    },
  }
}
