// What the screens say about backups. Rust decides whether a backup is stale (backup_status,
// src-tauri/src/station/backup.rs); these are the words.

import type { BackupStatus } from '../api/types'
import { formatChineseDateTime } from './time'

/** A backup older than this many days is stale (STALE_AFTER_DAYS in Rust). */
export const STALE_AFTER_DAYS = 7

/** `上次备份：2026年12月5日 18:30`, or that there has been none. */
export function lastBackupText(status: BackupStatus): string {
  return status.last ? `上次备份：${formatChineseDateTime(status.last.taken_at)}` : '还没有备份过'
}

/** The warning when the last backup is stale or there is none; null when it is recent. */
export function backupWarning(status: BackupStatus): string | null {
  if (!status.stale) return null
  if (!status.folder_chosen) {
    return '还没有设置备份文件夹：请插上U盘，在“设置”中选择U盘上的文件夹并立即备份台账'
  }
  if (!status.last) return '台账还没有备份过：请插上U盘，在“设置”中立即备份'
  return `已超过${STALE_AFTER_DAYS}天没有备份台账，请插上U盘并在“设置”中立即备份`
}

/**
 * Whether `path` is a whole path on this PC (`E:\台账备份`, `\\server\share`, `/media/u`), as
 * the settings require of the backup folder: a relative one would depend on where the app started.
 */
export function isWholePath(path: string): boolean {
  return /^([A-Za-z]:[\\/]|\\\\|\/)/.test(path)
}
