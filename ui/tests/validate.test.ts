import { describe, expect, it } from 'vitest'
import {
  checkContact,
  checkDateNotFuture,
  checkIdNumber,
  checkMobile,
  checkNotFuture,
  checkPassphrase,
  checkRepeated,
  contactInput,
  idCheckDigit,
} from '../src/lib/validate'

const TODAY = '2026-11-28'

describe('ID numbers (GB 11643)', () => {
  it.each(['11010519491231002X', '11010519491231002x', '110101199003074477'])('accepts %s', (id) => {
    expect(checkIdNumber(id, TODAY)).toBeNull()
  })

  it('computes the check digit, X for 10', () => {
    expect(idCheckDigit('11010519491231002')).toBe('X')
    expect(idCheckDigit('11010119900307447')).toBe('7')
  })

  it.each([
    ['110105194912310021', '最后一位与前17位对不上'],
    ['11010519491231002', '18位'],
    ['1101051949123100X2', '前17位'],
    ['110105194902300028', '出生日期不存在'],
    ['110105299901010028', '出生日期不合理'],
    ['110105189912310028', '出生日期不合理'],
  ])('refuses %s (%s)', (id, why) => {
    expect(checkIdNumber(id, TODAY)).toContain(why)
  })

  it('refuses a birth date after today', () => {
    const tomorrowBorn = '11010520261129' + '000'
    expect(checkIdNumber(tomorrowBorn + idCheckDigit(tomorrowBorn), TODAY)).toContain('出生日期不合理')
  })
})

describe('mobile numbers', () => {
  it.each(['13800138000', '199 1234 5678', '150-1234-5678'])('accepts %s', (phone) => {
    expect(checkMobile(phone)).toBeNull()
  })

  it.each(['12800138000', '1380013800', '138001380001', '0750-1234567', '1380013800a', ''])(
    'refuses %s',
    (phone) => {
      expect(checkMobile(phone)).toContain('手机号码不正确')
    },
  )
})

describe('dates', () => {
  const now = new Date('2026-11-28T10:00:00+08:00')

  it('refuses a time in the future beyond the clock tolerance', () => {
    expect(checkNotFuture(new Date('2026-11-28T10:05:00+08:00'), now)).toBeNull()
    expect(checkNotFuture(new Date('2026-11-28T09:00:00+08:00'), now)).toBeNull()
    expect(checkNotFuture(new Date('2026-11-28T10:11:00+08:00'), now)).toContain('晚于现在')
    expect(checkNotFuture(new Date('2026-11-29T09:00:00+08:00'), now)).toContain('晚于现在')
  })

  it('refuses a date after today', () => {
    expect(checkDateNotFuture('2026-11-28', TODAY)).toBeNull()
    expect(checkDateNotFuture('2026-11-29', TODAY)).toContain('晚于今天')
  })
})

describe('contact fields', () => {
  it('checks only what is filled in', () => {
    expect(checkContact({ phone: '', id_number: ' ' }, TODAY)).toEqual({})
    expect(checkContact({ phone: '123', id_number: '110105194912310021' }, TODAY)).toEqual({
      phone: expect.stringContaining('手机号码'),
      id_number: expect.stringContaining('最后一位与前17位对不上'),
    })
  })

  it('sends digits only, X upper-case, blanks as null', () => {
    expect(contactInput({ phone: ' 139-2345 6789 ', id_number: '11010519491231002x' })).toEqual({
      phone: '13923456789',
      id_number: '11010519491231002X',
    })
    expect(contactInput({ phone: ' ', id_number: '' })).toEqual({ phone: null, id_number: null })
  })
})

describe('the passphrase rule, as the store has it', () => {
  it('refuses what lock::check_passphrase refuses, with its hint', () => {
    // The cases of crates/casebook/src/store/lock.rs `weak_passphrases_are_refused_with_a_hint`.
    for (const weak of ['1234567', '12345678', 'aaaaaaaa', 'abababab', '87654321', '20261204']) {
      expect(checkPassphrase(weak), weak).not.toBe(null)
    }
    for (const fine of ['东岭村2026年修渡槽', 'qingxi-dl-7391', '729183640512']) {
      expect(checkPassphrase(fine), fine).toBe(null)
    }
    expect(checkPassphrase('短密码')).toContain('至少8个字符')
    expect(checkPassphrase('20261204')).toContain('只用数字的密码至少要12位')
    expect(checkRepeated('东岭村2026年修渡槽', '东岭村2026年修渡漕')).toContain('不一样')
  })
})
