// A form's draft as text and back. The forms hold times as Dates whose local fields read station
// time (see time.ts), so a time is kept as those fields, not as an instant: a draft restored on a
// PC whose zone changed still shows the time that was typed.

const pad = (n: number, width = 2) => String(n).padStart(width, '0')

/** How a time travels inside a draft's JSON. */
interface WallClock {
  $wallClock: string
}

function isWallClock(value: unknown): value is WallClock {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.keys(value).length === 1 &&
    typeof (value as WallClock).$wallClock === 'string'
  )
}

function toWallClock(at: Date): WallClock {
  return {
    $wallClock:
      `${pad(at.getFullYear(), 4)}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}` +
      `T${pad(at.getHours())}:${pad(at.getMinutes())}:${pad(at.getSeconds())}`,
  }
}

function fromWallClock({ $wallClock }: WallClock): Date | null {
  const parts = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})$/.exec($wallClock)
  if (!parts) return null
  const [y, mo, d, h, mi, s] = parts.slice(1).map(Number)
  return new Date(y, mo - 1, d, h, mi, s)
}

/** The form's fields as a draft's body. */
export function encodeDraft(form: object): string {
  return JSON.stringify(form, function (this: Record<string, unknown>, key, value: unknown) {
    const raw = this[key]
    return raw instanceof Date ? toWallClock(raw) : value
  })
}

/** A draft's body as form fields; null for a body this version cannot read. */
export function decodeDraft<F extends object>(body: string): Partial<F> | null {
  try {
    const value: unknown = JSON.parse(body, (_key, field: unknown) =>
      isWallClock(field) ? fromWallClock(field) : field,
    )
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Partial<F>) : null
  } catch {
    return null
  }
}

/**
 * Whether the deputy has typed anything: the form differs from a fresh one, leaving out the
 * fields (`ignore`) a fresh form fills by itself (the time now, the deputies on duty).
 */
export function hasContent<F extends object>(form: F, fresh: F, ignore: readonly (keyof F)[] = []): boolean {
  const without = (value: F) => {
    const copy = { ...value } as Record<string, unknown>
    for (const key of ignore) delete copy[key as string]
    return encodeDraft(copy)
  }
  return without(form) !== without(fresh)
}
