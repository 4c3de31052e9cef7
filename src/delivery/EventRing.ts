/**
 * A bounded double-ended queue over a circular array. `pushBack` and `shift` are O(1)
 * (amortised: the backing array doubles as it fills, up to `capacity`, so an idle tracker
 * costs a few slots rather than `capacity`). `unshiftAll` puts a batch back at the front in
 * its original order, for events that were taken out for delivery and not delivered.
 */
export class EventRing<A> {
  private slots: Array<A | undefined>
  private head = 0
  private count = 0

  constructor(
    readonly capacity: number,
    initialSlots = 16
  ) {
    this.slots = new Array<A | undefined>(Math.max(1, Math.min(capacity, initialSlots)))
  }

  get size(): number {
    return this.count
  }

  /** Appends `item` unless the ring is full; returns whether it was kept. */
  pushBack(item: A): boolean {
    if (this.count >= this.capacity) return false
    if (this.count === this.slots.length) this.grow(this.count + 1)
    this.slots[(this.head + this.count) % this.slots.length] = item
    this.count++
    return true
  }

  /** The oldest item, or undefined when empty. */
  peek(): A | undefined {
    return this.count === 0 ? undefined : this.slots[this.head]
  }

  /** Removes and returns the oldest item, or undefined when empty. */
  shift(): A | undefined {
    if (this.count === 0) return undefined
    const item = this.slots[this.head]
    this.slots[this.head] = undefined
    this.head = (this.head + 1) % this.slots.length
    this.count--
    return item
  }

  /**
   * Puts `items` back in front of everything held, keeping their order. Items beyond the
   * capacity are not kept (the last ones of `items` go first); returns how many were kept.
   */
  unshiftAll(items: ReadonlyArray<A>): number {
    const kept = Math.min(items.length, this.capacity - this.count)
    if (kept <= 0) return 0
    if (this.count + kept > this.slots.length) this.grow(this.count + kept)
    for (let i = kept - 1; i >= 0; i--) {
      this.head = (this.head - 1 + this.slots.length) % this.slots.length
      this.slots[this.head] = items[i]
      this.count++
    }
    return kept
  }

  /** A copy of the held items, oldest first (for tests and diagnostics, not the hot path). */
  toArray(): Array<A> {
    const out: Array<A> = []
    for (let i = 0; i < this.count; i++) out.push(this.slots[(this.head + i) % this.slots.length] as A)
    return out
  }

  private grow(needed: number): void {
    let length = this.slots.length
    while (length < needed) length *= 2
    length = Math.min(Math.max(length, needed), this.capacity)
    const next = new Array<A | undefined>(length)
    for (let i = 0; i < this.count; i++) next[i] = this.slots[(this.head + i) % this.slots.length]
    this.slots = next
    this.head = 0
  }
}
