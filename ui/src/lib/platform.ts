// Examples of paths as this PC writes them: a drive letter on Windows, a mount point elsewhere.
// The browser's user agent names the system; no plugin is needed for an example.

export type System = 'windows' | 'mac' | 'linux'

/** The PC's system, from the web view's user agent. */
export function systemOf(userAgent: string = navigator.userAgent): System {
  if (/Windows/i.test(userAgent)) return 'windows'
  if (/Mac OS X|Macintosh/i.test(userAgent)) return 'mac'
  return 'linux'
}

/** Where a USB stick usually appears, for placeholders. */
export function stickExample(system: System = systemOf()): string {
  switch (system) {
    case 'windows':
      return 'E:\\'
    case 'mac':
      return '/Volumes/U盘名称'
    case 'linux':
      return '/media/用户名/U盘名称'
  }
}

/** A file `name` on the USB stick, for placeholders. */
export function fileOnStickExample(name: string, system: System = systemOf()): string {
  const stick = stickExample(system)
  return system === 'windows' ? `${stick}${name}` : `${stick}/${name}`
}
