import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { idleTimer } from '../src/lib/idle'

const MINUTE = 60_000

beforeEach(() => {
  vi.useFakeTimers()
})
afterEach(() => {
  vi.useRealTimers()
})

describe('the idle lock', () => {
  it('fires once after the set time without activity', () => {
    const onIdle = vi.fn()
    const timer = idleTimer(onIdle)
    timer.start(15 * MINUTE)
    vi.advanceTimersByTime(15 * MINUTE - 1)
    expect(onIdle).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onIdle).toHaveBeenCalledTimes(1)
    vi.advanceTimersByTime(60 * MINUTE)
    expect(onIdle, 'not again until started again').toHaveBeenCalledTimes(1)
  })

  it('counts from the last activity', () => {
    const onIdle = vi.fn()
    const timer = idleTimer(onIdle)
    timer.start(MINUTE)
    vi.advanceTimersByTime(50_000)
    timer.touch()
    vi.advanceTimersByTime(50_000)
    expect(onIdle, '50 s after the last key').not.toHaveBeenCalled()
    timer.touch()
    vi.advanceTimersByTime(59_999)
    expect(onIdle).not.toHaveBeenCalled()
    vi.advanceTimersByTime(1)
    expect(onIdle).toHaveBeenCalledTimes(1)
  })

  it('does nothing once stopped, and restarts with a new time', () => {
    const onIdle = vi.fn()
    const timer = idleTimer(onIdle)
    timer.start(MINUTE)
    timer.stop()
    vi.advanceTimersByTime(10 * MINUTE)
    expect(onIdle).not.toHaveBeenCalled()
    timer.start(2 * MINUTE)
    vi.advanceTimersByTime(MINUTE)
    timer.start(5 * MINUTE)
    vi.advanceTimersByTime(4 * MINUTE)
    expect(onIdle, 'the new time counts from the restart').not.toHaveBeenCalled()
    vi.advanceTimersByTime(MINUTE)
    expect(onIdle).toHaveBeenCalledTimes(1)
  })
})
