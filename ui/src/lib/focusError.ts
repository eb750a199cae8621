import { nextTick } from 'vue'

/**
 * Brings the first field marked wrong inside `root` into view and puts the cursor in it, so that
 * a deputy who pressed 保存 always sees why nothing was saved (in a long form or a drawer the
 * message may be far above or below the button).
 */
export async function showFirstError(root: ParentNode | null | undefined): Promise<void> {
  await nextTick()
  const item = (root ?? document).querySelector('.is-error')
  if (!item) return
  item.scrollIntoView({ block: 'center' })
  const input = item.querySelector<HTMLElement>('input:not([type="hidden"]):not([disabled]), textarea')
  input?.focus({ preventScroll: true })
}
