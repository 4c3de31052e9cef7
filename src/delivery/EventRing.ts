/**
 * A bounded double-ended queue over a circular array. `pushBack` and `shift` are O(1)
 * (amortised: the backing array doubles as it fills, up to `capacity`, so an idle tracker
 * costs a few slots rather than `capacity`). `unshiftAll` puts a batch back at the front in
 * its original order, for events that were taken out for delivery and not delivered.
 */
export interface EventRing<A> {
  readonly size: number
  /** Length of the backing array now (for tests: it grows with what is held, not up front). */
  readonly slotCount: number
  /** Appends `item` unless the ring is full; returns whether it was kept. */
  pushBack(item: A): boolean
  /** The oldest item, or undefined when empty. */
  peek(): A | undefined
  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): A | undefined
  /**
   * Puts `items` back in front of everything held, keeping their order. Items beyond the
   * capacity are not kept (the last ones of `items` go first); returns how many were kept.
   */
  unshiftAll(items: ReadonlyArray<A>): number
  /** A copy of the held items, oldest first (for tests and diagnostics, not the hot path). */
  toArray(): Array<A>
}

// Closure state rather than a class's fields: the minifier renames it.
export const makeEventRing = <A>(capacity: number, initialSlots = 16): EventRing<A> => {
  let slots = new Array<A | undefined>(Math.max(1, Math.min(capacity, initialSlots)))
  let head = 0
  let count = 0

  const grow = (needed: number): void => {
    let length = slots.length
    while (length < needed) length *= 2
    length = Math.min(Math.max(length, needed), capacity)
    const next = new Array<A | undefined>(length)
    for (let i = 0; i < count; i++) next[i] = slots[(head + i) % slots.length]
    slots = next
    head = 0
  }

  return {
    get size() {
      return count
    },
    get slotCount() {
      return slots.length
    },
    pushBack: (item) => {
      if (count >= capacity) return false
      if (count === slots.length) grow(count + 1)
      slots[(head + count) % slots.length] = item
      count++
      return true
    },
    peek: () => (count === 0 ? undefined : slots[head]),
    shift: () => {
      if (count === 0) return undefined
      const item = slots[head]
      slots[head] = undefined
      head = (head + 1) % slots.length
      count--
      return item
    },
    unshiftAll: (items) => {
      const kept = Math.min(items.length, capacity - count)
      if (kept <= 0) return 0
      if (count + kept > slots.length) grow(count + kept)
      for (let i = kept - 1; i >= 0; i--) {
        head = (head - 1 + slots.length) % slots.length
        slots[head] = items[i]
        count++
      }
      return kept
    },
    toArray: () => {
      const out: Array<A> = []
      for (let i = 0; i < count; i++) out.push(slots[(head + i) % slots.length] as A)
      return out
    }
  }
}
