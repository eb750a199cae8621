import { computed, shallowRef, watch, type Ref } from 'vue'
import { useRoute, useRouter, type LocationQuery } from 'vue-router'
import { showError } from '../api/errors'
import type { Page, PageQuery } from '../api/types'
import { whenSignedIn } from '../state'
import { useLoad } from './useLoad'

/** Rows a list screen draws at a time: a web view holding a thousand rows costs hundreds of MB. */
export const PAGE_SIZE = 20

function text(value: LocationQuery[string]): string {
  return typeof value === 'string' ? value : ''
}

/**
 * A long list shown a page at a time, with one record open beside it. The page and the open
 * record live in the address (`?offset=&open=`), so coming back shows the same; the open record
 * is read on its own, since a link (a case, the 待办 panel) may name one on another page.
 */
export function usePagedRecords<T>(
  loadPage: (page: PageQuery) => Promise<Page<T>>,
  loadOne: (key: string) => Promise<T | null>,
): {
  records: Ref<T[]>
  hasMore: Ref<boolean>
  offset: Ref<number>
  loading: Ref<boolean>
  shown: Ref<T | null>
  reload: () => Promise<void>
  open: (key: string | null) => void
  go: (offset: number) => void
} {
  const route = useRoute()
  const router = useRouter()
  const listPath = route.path
  const offset = computed(() => Number(text(route.query.offset)) || 0)
  const openKey = computed(() => text(route.query.open))
  const { data: page, loading, reload: reloadPage } = useLoad(() =>
    loadPage({ offset: offset.value, limit: PAGE_SIZE }),
  )
  const shown = shallowRef<T | null>(null) as Ref<T | null>

  async function reloadShown(): Promise<void> {
    const key = openKey.value
    if (!key) {
      shown.value = null
      return
    }
    try {
      await whenSignedIn()
      shown.value = await loadOne(key)
    } catch (reason) {
      showError(reason)
    }
  }

  function setQuery(change: Record<string, string | number | null>): void {
    const query: Record<string, string> = {}
    for (const [key, value] of Object.entries({ ...route.query, ...change })) {
      if (typeof value === 'string' && value !== '') query[key] = value
      if (typeof value === 'number' && value !== 0) query[key] = String(value)
    }
    void router.replace({ query })
  }

  // Leaving the screen empties the query too; that is no reason to read again.
  watch(offset, () => {
    if (route.path === listPath) void reloadPage()
  })
  watch(openKey, () => {
    if (route.path === listPath) void reloadShown()
  }, { immediate: true })

  return {
    records: computed(() => page.value?.items ?? []),
    hasMore: computed(() => page.value?.has_more ?? false),
    offset,
    loading,
    shown,
    reload: async () => {
      await Promise.all([reloadPage(), reloadShown()])
    },
    open: (key) => setQuery({ open: key }),
    go: (to) => setQuery({ offset: to }),
  }
}
