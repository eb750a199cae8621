import { onMounted, ref, shallowRef, type Ref } from 'vue'
import { toApiError } from '../api'
import { showError } from '../api/errors'
import { reportFirstScreen, whenSignedIn } from '../state'

/**
 * Data for a screen: loads on mount, keeps the last good data when a reload fails (and says
 * why), waits for a deputy to sign in, and tells the shell when the first screen of the session has its data.
 */
export function useLoad<T>(load: () => Promise<T>): {
  data: Ref<T | null>
  loading: Ref<boolean>
  reload: () => Promise<void>
} {
  const data = shallowRef<T | null>(null) as Ref<T | null>
  const loading = ref(false)
  async function reload(): Promise<void> {
    loading.value = true
    try {
      data.value = await load()
    } catch (reason) {
      if (toApiError(reason).kind === 'sign_in_required') {
        // Under the sign-in layer: the data comes once a deputy has signed in.
        loading.value = false
        await whenSignedIn()
        return reload()
      }
      showError(reason)
    } finally {
      loading.value = false
    }
  }
  onMounted(async () => {
    await whenSignedIn()
    await reload()
    reportFirstScreen()
  })
  return { data, loading, reload }
}
