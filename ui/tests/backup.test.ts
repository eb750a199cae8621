import { afterEach, describe, expect, it } from 'vitest'
import { clearMocks, mockIPC } from '@tauri-apps/api/mocks'
import type { BackupStatus } from '../src/api/types'
import { backupWarning, isWholePath, lastBackupText } from '../src/lib/backup'
import { formatChineseDateTime } from '../src/lib/time'
import TodayView from '../src/views/TodayView.vue'
import WizardView from '../src/views/WizardView.vue'
import { app } from '../src/state'
import { EMPTY_TODAY, bookStatus } from './fixtures'
import { mountScreen, until } from './helpers'

const LAST = { path: '/media/usb/DL-20261205-1830-412.backup', taken_at: '2026-12-05T18:30:00+08:00' }

function status(overrides: Partial<BackupStatus> = {}): BackupStatus {
  return { folder_chosen: true, last: LAST, days_since: 1, stale: false, ...overrides }
}

afterEach(() => {
  clearMocks()
  app.book = null
  document.body.innerHTML = ''
})

describe('backup words', () => {
  it('names the last backup in Chinese, or that there is none', () => {
    expect(formatChineseDateTime('2026-12-05T08:05:00+08:00')).toBe('2026年12月5日 08:05')
    expect(lastBackupText(status())).toBe('上次备份：2026年12月5日 18:30')
    expect(lastBackupText(status({ last: null, days_since: null, stale: true }))).toBe('还没有备份过')
  })

  it('warns only when Rust says the backup is stale, and says what to do', () => {
    expect(backupWarning(status())).toBeNull()
    expect(backupWarning(status({ days_since: 8, stale: true }))).toBe(
      '已超过7天没有备份台账，请插上U盘并在“设置”中立即备份',
    )
    expect(backupWarning(status({ last: null, days_since: null, stale: true }))).toContain('还没有备份过')
    expect(backupWarning(status({ folder_chosen: false, last: null, days_since: null, stale: true }))).toContain(
      '还没有设置备份文件夹',
    )
  })

  it('takes only whole paths for the folder', () => {
    for (const path of ['E:\\台账备份', 'E:/备份', '\\\\server\\share', '/media/usb/台账备份']) {
      expect(isWholePath(path), path).toBe(true)
    }
    for (const path of ['台账备份', 'E:', './backup', '']) {
      expect(isWholePath(path), path).toBe(false)
    }
  })
})

describe('今日值班 › backup reminder', () => {
  it('shows the last backup quietly while it is recent', async () => {
    mockIPC((cmd) =>
      cmd === 'today' ? EMPTY_TODAY : cmd === 'backup_status' ? status() : cmd === 'due' ? { items: [], total: 0, late: 0 } : null,
    )
    const wrapper = await mountScreen(TodayView)
    await until(() => wrapper.find('[data-testid="backup-last"]').exists())
    expect(wrapper.get('[data-testid="backup-last"]').text()).toBe('上次备份：2026年12月5日 18:30')
    expect(wrapper.find('[data-testid="backup-warning"]').exists()).toBe(false)
  })

  it('warns when the backup is stale, backs up at once or leads to 设置', async () => {
    const calls: string[] = []
    let current = status({ days_since: 9, stale: true })
    mockIPC((cmd) => {
      calls.push(cmd)
      if (cmd === 'today') return EMPTY_TODAY
      if (cmd === 'due') return { items: [], total: 0, late: 0 }
      if (cmd === 'backup_status') return current
      if (cmd === 'back_up_now') {
        current = status({ last: { ...LAST, taken_at: '2026-12-14T09:00:00+08:00' }, days_since: 0 })
        return { path: LAST.path, bytes: 1024, taken_at: '2026-12-14T09:00:00+08:00', seq: 1, encrypted: true, removed: [] }
      }
      return null
    })
    const wrapper = await mountScreen(TodayView)
    await until(() => wrapper.find('[data-testid="backup-warning"]').exists())
    const warning = wrapper.get('[data-testid="backup-warning"]').text()
    expect(warning).toContain('已超过7天没有备份台账')
    expect(warning).toContain('上次备份：2026年12月5日 18:30')
    await wrapper.get('[data-testid="backup-now-reminder"]').trigger('click')
    await until(() => !wrapper.find('[data-testid="backup-warning"]').exists())
    expect(calls).toContain('back_up_now')
    expect(wrapper.get('[data-testid="backup-last"]').text()).toBe('上次备份：2026年12月14日 09:00')

    current = status({ folder_chosen: false, last: null, days_since: null, stale: true })
    wrapper.unmount()
    const again = await mountScreen(TodayView)
    await until(() => again.find('[data-testid="backup-warning"]').exists())
    expect(again.find('[data-testid="backup-now-reminder"]').exists(), 'no folder to back up into').toBe(false)
    await again.get('[data-testid="backup-go-settings"]').trigger('click')
    await until(() => again.vm.$router.currentRoute.value.path === '/settings')
  })
})

describe('首次使用 › 从备份恢复', () => {
  it('asks for the passphrase of an encrypted backup, says a wrong one at its field, then tells what to recover', async () => {
    const calls: [string, unknown][] = []
    mockIPC((cmd, args) => {
      calls.push([cmd, args])
      if (cmd === 'backup_encrypted') return true
      if (cmd === 'restore_book') {
        if ((args as { passphrase: string }).passphrase !== '东岭村2026年修渡槽') {
          throw { kind: 'wrong_passphrase', message: '密码不对，台账没有打开，也没有改动。', field: null }
        }
        return bookStatus()
      }
      return null
    })
    const wrapper = await mountScreen(WizardView)
    await wrapper.get('[data-testid="wizard-mode-backup"] input').setValue(true)
    await until(() => wrapper.find('[data-testid="wizard-backup-read"]').exists())
    await wrapper.get('[data-testid="wizard-backup-read"]').trigger('click')
    await until(() => wrapper.text().includes('请选择U盘上的台账备份文件'))
    expect(calls).toEqual([])

    await wrapper.get('[data-testid="wizard-backup-path"]').setValue(LAST.path)
    await wrapper.get('[data-testid="wizard-backup-read"]').trigger('click')
    await until(() => wrapper.find('[data-testid="wizard-backup-passphrase"]').exists())
    await wrapper.get('[data-testid="wizard-backup-restore"]').trigger('click')
    await until(() => wrapper.text().includes('请输入做这份备份时本站台账的密码'))
    expect(calls.some(([cmd]) => cmd === 'restore_book')).toBe(false)

    await wrapper.get('[data-testid="wizard-backup-passphrase"]').setValue('东岭村2025年修渡槽')
    await wrapper.get('[data-testid="wizard-backup-restore"]').trigger('click')
    await until(() => wrapper.text().includes('之后改过密码的，要用当时的旧密码'))
    await wrapper.get('[data-testid="wizard-backup-passphrase"]').setValue('东岭村2026年修渡槽')
    await wrapper.get('[data-testid="wizard-backup-restore"]').trigger('click')
    await until(() => wrapper.find('[data-testid="wizard-restored-notice"]').exists())
    expect(calls).toContainEqual(['restore_book', { path: LAST.path, passphrase: '东岭村2026年修渡槽' }])
    expect(wrapper.get('[data-testid="wizard-restored-notice"]').text()).toContain(
      '备份之后录入的记录，会在下次与镇同步时从镇里找回',
    )
    expect(wrapper.text()).toContain('已从备份恢复台账：DL 东岭村人大代表联络站')
  })

  it('says a damaged backup at the file, in words a deputy knows', async () => {
    mockIPC((cmd) => {
      if (cmd === 'backup_encrypted') return false
      if (cmd === 'restore_book') throw { kind: 'storage', message: '台账数据库出错，请重试', field: null }
      return null
    })
    const wrapper = await mountScreen(WizardView)
    await wrapper.get('[data-testid="wizard-mode-backup"] input').setValue(true)
    await until(() => wrapper.find('[data-testid="wizard-backup-path"]').exists())
    await wrapper.get('[data-testid="wizard-backup-path"]').setValue(LAST.path)
    await wrapper.get('[data-testid="wizard-backup-read"]').trigger('click')
    await until(() => wrapper.find('[data-testid="wizard-backup-plain"]').exists())
    await wrapper.get('[data-testid="wizard-backup-restore"]').trigger('click')
    await until(() => wrapper.text().includes('这份备份读不出来，可能已经损坏'))
  })
})
