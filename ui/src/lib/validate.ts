// Checks made before anything is sent, with the same rules and Chinese wording as the store
// (crates/casebook/src/validate.rs), so a deputy sees the problem next to the field at once.
// Each check returns the message to show, or null when the value is fine.

import type { IsoDate } from '../api/types'
import { stationNow } from './time'

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
const ID_CHECK_DIGITS = '10X98765432'
/** The store accepts times up to this far ahead, for PCs whose clocks run a little fast. */
export const CLOCK_TOLERANCE_MS = 10 * 60 * 1000

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
  if (idCheckDigit(id) !== id[17]) return refuse('校验位不符，请核对是否抄错')
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
