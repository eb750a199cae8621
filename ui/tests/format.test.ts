import { describe, expect, it } from 'vitest'
import { formatCount, formatSize } from '../src/lib/format'
import { fileOnStickExample, stickExample, systemOf } from '../src/lib/platform'

describe('formatCount', () => {
  it('groups thousands', () => {
    expect(formatCount(0)).toBe('0')
    expect(formatCount(999)).toBe('999')
    expect(formatCount(13028)).toBe('13,028')
    expect(formatCount(1234567)).toBe('1,234,567')
  })
})

describe('formatSize', () => {
  it('keeps small files in bytes', () => {
    expect(formatSize(0)).toBe('0 字节')
    expect(formatSize(1023)).toBe('1,023 字节')
  })
  it('shows KB and MB with one decimal below 100', () => {
    expect(formatSize(1024)).toBe('1.0 KB')
    expect(formatSize(3482)).toBe('3.4 KB')
    expect(formatSize(150 * 1024)).toBe('150 KB')
    expect(formatSize(5 * 1024 * 1024 + 512 * 1024)).toBe('5.5 MB')
    expect(formatSize(3 * 1024 ** 3)).toBe('3.0 GB')
  })
})

describe('path examples follow the system', () => {
  const WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36'
  const LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko)'
  const MAC = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15'

  it('reads the system from the user agent', () => {
    expect(systemOf(WINDOWS)).toBe('windows')
    expect(systemOf(LINUX)).toBe('linux')
    expect(systemOf(MAC)).toBe('mac')
  })

  it('gives a drive letter only on Windows', () => {
    expect(stickExample('windows')).toBe('E:\\')
    expect(fileOnStickExample('同步包.lsb', 'windows')).toBe('E:\\同步包.lsb')
    expect(stickExample('linux')).not.toContain(':')
    expect(fileOnStickExample('同步包.lsb', 'linux')).toBe('/media/用户名/U盘名称/同步包.lsb')
    expect(fileOnStickExample('同步包.lsb', 'mac')).toBe('/Volumes/U盘名称/同步包.lsb')
  })
})
