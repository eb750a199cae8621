import { describe, expect, it } from 'vitest'
import { checkFields, CASE_EVENT_FIELDS, MEDIATION_EVENT_FIELDS } from '../src/lib/eventForm'
import { checkReception, emptyReception } from '../src/lib/reception'
import { LIMITS, checkAhead, checkNotTooEarly, checkText } from '../src/lib/validate'

// The same limits and wording as the store (crates/casebook/src/validate.rs, docs/cli.md §3.6).

const NOW = new Date('2026-11-28T10:00:00+08:00')
const TODAY = '2026-11-28'

function filledReception() {
  const form = emptyReception(new Date('2026-11-28T09:30:00+08:00'))
  form.deputies = ['01a22069-7808-73d6-8a12-47e9e1e9e9ed']
  form.category = '山林土地'
  form.matter = '出嫁后户口仍在本村，但今年土地分红被取消'
  form.request = '请求保障出嫁女的土地权益'
  return form
}

describe('text limits', () => {
  it('counts characters, not bytes or UTF-16 units', () => {
    expect(checkText('路'.repeat(5000), '事由', LIMITS.long, true)).toBeNull()
    expect(checkText('路'.repeat(5001), '事由', LIMITS.long, true)).toBe(
      '事由不能超过5000字（现为5001字），请精简后保存',
    )
    expect(checkText('𠀀'.repeat(50), '姓名', LIMITS.name)).toBeNull()
  })

  it('refuses control characters, newlines only in long text', () => {
    expect(checkText('梁\u001b[2J秀英', '第1位来访人姓名', LIMITS.name)).toBe(
      '第1位来访人姓名第2个字符是看不见的控制字符，不能保存：请删除后重新输入',
    )
    for (const bad of ['a\u0000b', 'a\u007fb', 'a\u009bb', 'a\u202eb', 'a\nb', 'a\tb']) {
      expect(checkText(bad, '姓名', LIMITS.name), JSON.stringify(bad)).toContain('控制字符')
    }
    expect(checkText('第一行\r\n第二行\t附', '事由', LIMITS.long, true)).toBeNull()
    expect(checkText('路\u0000灯', '事由', LIMITS.long, true)).toContain('（换行除外）')
  })

  it('bounds dates: nothing before 2000, promises at most three years ahead', () => {
    expect(checkNotTooEarly('0026-11-28', '接待时间')).toContain('早于2000年1月1日')
    expect(checkNotTooEarly('2000-01-01', '接待时间')).toBeNull()
    expect(checkAhead('2029-11-28', TODAY, '承诺答复日期')).toBeNull()
    expect(checkAhead('2029-11-29', TODAY, '承诺答复日期')).toContain('最晚可定在2029-11-28')
    expect(checkAhead('9999-12-31', TODAY, '承诺答复日期')).toContain('太远')
  })
})

describe('reception form limits', () => {
  it('refuses a 40,000-character matter on the field', () => {
    const form = filledReception()
    form.matter = '路'.repeat(40_000)
    expect(checkReception(form, NOW).matter).toBe('事由不能超过5000字（现为40000字），请精简后保存')
  })

  it('refuses a reception dated 0026 and a reply due in 9999', () => {
    const form = filledReception()
    form.received_at = new Date('0026-11-28T09:30:00+08:00')
    expect(checkReception(form, NOW).received_at).toContain('2000年1月1日')
    const due = filledReception()
    due.reply_due = '9999-12-31'
    expect(checkReception(due, NOW).reply_due).toContain('太远')
  })

  it('puts a visitor name with an escape sequence on its row', () => {
    const form = filledReception()
    form.consent = true
    form.visitors[0].name = '梁\u001b[31m秀英'
    form.visitors[0].address = '村'.repeat(201)
    const errors = checkReception(form, NOW)
    expect(errors['visitors.0.name']).toContain('控制字符')
    expect(errors['visitors.0.address']).toContain('不能超过200字')
  })
})

describe('event form limits', () => {
  it('bounds each field by its own limit', () => {
    const reason = checkFields(CASE_EVENT_FIELDS.sent_back, { reason: '理'.repeat(1001) }, TODAY)
    expect(reason.reason).toContain('不能超过1000字')
    const answer = checkFields(CASE_EVENT_FIELDS.answered_on_spot, { answer: '答'.repeat(5000) }, TODAY)
    expect(answer).toEqual({})
  })

  it('refuses an amount over one hundred million yuan', () => {
    const values = {
      facts: '界址', responsibilities: '双方', terms: '重测', performance_method: '现场',
      performance_deadline: '2026-12-28', performance_place: '东岭村', amount_yuan: '100000001',
    }
    expect(checkFields(MEDIATION_EVENT_FIELDS.agreement, values, TODAY).amount_yuan).toContain('一亿元')
    expect(checkFields(MEDIATION_EVENT_FIELDS.agreement, { ...values, amount_yuan: '100000000' }, TODAY)).toEqual({})
  })
})
