// Numbers as a deputy reads them: counts with thousands separators, sizes in KB or MB.

/** `13028` → `13,028`. */
export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

/** A file's size in bytes → `812 字节`, `3.4 KB`, `12.5 MB` (1 KB = 1024 bytes). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${formatCount(bytes)} 字节`
  const units = ['KB', 'MB', 'GB']
  let value = bytes / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit += 1
  }
  const shown = value >= 100 ? Math.round(value).toString() : value.toFixed(1)
  return `${shown} ${units[unit]}`
}
