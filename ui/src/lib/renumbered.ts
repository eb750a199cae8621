// What the screens say about records renumbered after a restore. The core decides which records
// took a new number (Book::renumbered, when the town sent the station's log back); these are
// the words, and which results bring the news.

import type { Imported, RenumberedKind, SyncOutcome } from '../api/types'

/** What a renumbered record is, as the 同步 screen's list names it. */
export const RENUMBERED_KIND_LABELS: Record<RenumberedKind, string> = {
  case: '案件',
  mediation: '人民调解',
}

/**
 * How many records an import or a sync cycle renumbered: only the town's bundle (a cycle's
 * `pulled`) can bring back the station's log, so the hub's answer to the push never counts.
 */
export function renumberedBy(result: Imported | SyncOutcome | null | undefined): number {
  if (!result) return 0
  return 'pulled' in result ? (result.pulled?.renumbered ?? 0) : result.renumbered
}

/** The warning after an import or a sync that renumbered `count` records; null for none. */
export function renumberedWarning(count: number): string | null {
  if (count <= 0) return null
  return (
    `${count} 件恢复后登记的记录原编号已被镇里保存的本站记录使用，已改用新编号。` +
    '请为每件打印编号更正通知，交给来访人。'
  )
}

/** `原编号 BX-2026-0002（恢复台账后更正）`, shown beside the record's number now. */
export function formerNumberText(former: string): string {
  return `原编号 ${former}（恢复台账后更正）`
}
