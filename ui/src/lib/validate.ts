// Checks made before anything is sent, with the same rules and Chinese wording as the store
// (crates/casebook/src/validate.rs), so a deputy sees the problem next to the field at once.
// Each check returns the message to show, or null when the value is fine.

import type { IsoDate } from '../api/types'
import { stationNow } from './time'

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK_DIGITS = '10X98765432'
/** The store accepts times up to this far ahead, for PCs whose clocks run a little fast. */
export const CLOCK_TOLERANCE_MS = 10 * 60 * 1000

/**
 * The longest text of each kind of field, in characters: the store's `validate::limits`
 * (docs/cli.md §3.6). Inputs carry them as `maxlength`; the checks below say it in words.
 */
export const LIMITS = {
  /** A person's name. */
  name: 50,
  /** A code: case number, mediation number. */
  code: 50,
  /** Village, place, department, court, sub-type. */
  label: 100,
  /** An agenda item's title. */
  title: 200,
  /** An address. */
  address: 200,
  /** Notes, reasons, routes, rights review, performance method. */
  note: 1000,
  /** The visitor's own words and every long text. */
  long: 5000,
  /** Entries of a list: parties, mediators, participants. */
  list: 200,
} as const

/** The largest amount a mediation agreement may name, in yuan. */
export const MAX_AMOUNT_YUAN = 100_000_000

/** No record is dated before this day. */
export const EARLIEST_DATE: IsoDate = '2000-01-01'
/** Deadlines and planned days lie at most this many years ahead. */
export const FUTURE_YEARS = 3

/**
 * What no field may hold: controls (NUL, ESC, DEL, C1) and the bidirectional overrides; long
 * text may keep newlines and tabs.
 */
function forbiddenAt(text: string, multiline: boolean): number | null {
  const chars = [...text]
  for (let i = 0; i < chars.length; i++) {
    const code = chars[i].codePointAt(0) ?? 0
    const lineBreak = code === 0x0a || code === 0x09
    const control = code < 0x20 || (code >= 0x7f && code <= 0x9f)
    const bidi = (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069)
    if ((control && !(multiline && lineBreak)) || bidi) return i + 1
  }
  return null
}

/**
 * A text within `max` characters and without control characters, with the store's message.
 * Windows line breaks count as the newline the store turns them into.
 */
export function checkText(
  text: string | null | undefined,
  what: string,
  max: number,
  multiline = false,
): string | null {
  const trimmed = (text ?? '').trim().replace(/\r\n?/g, '\n')
  const at = forbiddenAt(trimmed, multiline)
  if (at !== null) {
    const allowed = multiline ? '（换行除外）' : ''
    return `${what}第${at}个字符是看不见的控制字符，不能保存${allowed}：请删除后重新输入`
  }
  const count = [...trimmed].length
  return count > max ? `${what}不能超过${max}字（现为${count}字），请精简后保存` : null
}

/** A date not before 2000-01-01. */
export function checkNotTooEarly(date: IsoDate, what: string): string | null {
  return date < EARLIEST_DATE ? `${what}（${date}）早于2000年1月1日，请核对年份` : null
}

/** A promised date at most FUTURE_YEARS after `from`. */
export function checkAhead(date: IsoDate, from: IsoDate, what: string): string | null {
  const limit = `${String(Number(from.slice(0, 4)) + FUTURE_YEARS).padStart(4, '0')}${from.slice(4)}`
  return date > limit ? `${what}（${date}）太远：最晚可定在${limit}（${FUTURE_YEARS}年内），请核对日期` : null
}

/** The GB 11643 check digit of the first 17 digits. */
export function idCheckDigit(first17: string): string {
  let sum = 0
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]
  return ID_CHECK_DIGITS[sum % 11]
}

/** An 18-digit resident ID number: format, birth date and check digit (`x` counts as `X`). */
export function checkIdNumber(raw: string, today: IsoDate): string | null {
  const id = raw.trim().toUpperCase()
  const refuse = (why: string) => `身份证号码不正确：${why}`
  if (id.length !== 18) return refuse('应为18位')
  if (!/^\d{17}[\dX]$/.test(id)) return refuse('前17位应为数字，最后一位为数字或X')
  const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`
  if (!isRealDate(birth)) return refuse('出生日期不存在')
  if (birth < '1900-01-01' || birth > today) return refuse('出生日期不合理')
  if (idCheckDigit(id) !== id[17]) return refuse('最后一位与前17位对不上，请核对是否抄错')
  return null
}

function isRealDate(date: IsoDate): boolean {
  const parsed = new Date(`${date}T00:00:00Z`)
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === date
}

/** A mobile number with spaces and dashes taken out. */
export function normalizeMobile(raw: string): string {
  return raw.replace(/[\s-]/g, '')
}

/** A mainland mobile number: 1, then 3–9, then 9 digits. */
export function checkMobile(raw: string): string | null {
  return /^1[3-9]\d{9}$/.test(normalizeMobile(raw))
    ? null
    : '手机号码不正确：应为1开头的11位数字，第二位为3至9'
}

/** A time that has happened (within the store's clock tolerance). */
export function checkNotFuture(at: Date, now: Date = stationNow()): string | null {
  return at.getTime() > now.getTime() + CLOCK_TOLERANCE_MS ? '时间晚于现在，请核对日期' : null
}

/** A date no later than `today`. */
export function checkDateNotFuture(date: IsoDate, today: IsoDate): string | null {
  return date > today ? '日期晚于今天，请核对日期' : null
}

/** A text that is not blank. */
export function checkRequired(text: string | null | undefined, what: string): string | null {
  return text && text.trim() !== '' ? null : `请填写${what}`
}

/** Trimmed text, or null when blank: how the store treats optional text. */
export function optionalText(text: string | null | undefined): string | null {
  const trimmed = text?.trim() ?? ''
  return trimmed === '' ? null : trimmed
}

/** The phone and ID number of a visitor or a party, as typed. */
export interface Contact {
  phone: string
  id_number: string
}

/** Messages for the contact fields that are filled in and wrong. */
export function checkContact(contact: Contact, today: IsoDate): Partial<Record<keyof Contact, string>> {
  const problems: Partial<Record<keyof Contact, string>> = {}
  const phone = contact.phone.trim() && checkMobile(contact.phone)
  const id = contact.id_number.trim() && checkIdNumber(contact.id_number, today)
  if (phone) problems.phone = phone
  if (id) problems.id_number = id
  return problems
}

/** The contact fields as the store keeps them: digits only, `X` upper-case, blank as null. */
export function contactInput(contact: Contact): { phone: string | null; id_number: string | null } {
  const phone = optionalText(contact.phone)
  return {
    phone: phone && normalizeMobile(phone),
    id_number: optionalText(contact.id_number)?.toUpperCase() ?? null,
  }
}

/**
 * The store's passphrase rule (`lock::check_passphrase` in crates/casebook/src/store/lock.rs),
 * same order and wording: at least 8 characters, not too plain. The app checks again.
 */
export function checkPassphrase(passphrase: string): string | null {
  const chars = [...passphrase]
  if (chars.length < 8) return '密码太短：至少8个字符。可以用一句好记的话，如“东岭村2026年修渡槽”'
  const distinct = new Set(chars).size
  const codes = chars.map((c) => c.codePointAt(0) ?? 0)
  const stepped = codes.slice(1).every((code, i) => Math.abs(code - (codes[i] ?? 0)) === 1)
  if (distinct < 4 || stepped) {
    return '密码太简单（重复或连续的字符），别人容易猜到。请加上汉字、字母或不连续的数字'
  }
  if (chars.every((c) => c >= '0' && c <= '9') && chars.length < 12) {
    return '只用数字的密码至少要12位；也可以加上汉字或字母'
  }
  return null
}

/** The repeated passphrase, checked against the first. */
export function checkRepeated(passphrase: string, repeated: string): string | null {
  return passphrase === repeated ? null : '两次输入的密码不一样，请重新输入'
}
