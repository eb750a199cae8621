import { onMounted, ref, shallowRef, type Ref } from 'vue'
import { showError } from '../api/errors'
import { reportFirstScreen } from '../state'

/**
 * Data for a screen: loads on mount, keeps the last good data when a reload fails (and says
 * why), and tells the shell when the first screen of the session has its data.
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
      showError(reason)
    } finally {
      loading.value = false
    }
  }
  onMounted(async () => {
    await reload()
    reportFirstScreen()
  })
  return { data, loading, reload }
}
