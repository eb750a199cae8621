import { onBeforeUnmount, onMounted, watch } from 'vue'
import { idleTimer } from '../lib/idle'
import { app, signOut } from '../state'

/** What counts as someone at the PC. */
const ACTIVITY = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const

/** Minutes when the settings have not arrived (src-tauri/src/settings.rs IDLE_LOCK_DEFAULT). */
const DEFAULT_MINUTES = 15

/**
 * Signs the deputy out (`idle`) after the set minutes without a key, a click, a mouse move or
 * the wheel. The screen underneath stays as it was: the sign-in layer only covers it.
 */
export function useIdleSignOut(): void {
  const timer = idleTimer(() => {
    signOut('idle').catch(() => undefined)
  })
  const touch = (): void => timer.touch()

  watch(
    () => [app.book?.signed_in?.id ?? null, app.settings?.idle_lock_minutes ?? DEFAULT_MINUTES] as const,
    ([deputy, minutes]) => {
      if (deputy) timer.start(minutes * 60_000)
      else timer.stop()
    },
    { immediate: true },
  )
  onMounted(() => {
    for (const kind of ACTIVITY) window.addEventListener(kind, touch, { capture: true, passive: true })
  })
  onBeforeUnmount(() => {
    timer.stop()
    for (const kind of ACTIVITY) window.removeEventListener(kind, touch, { capture: true })
  })
}
