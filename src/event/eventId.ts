/**
 * Event ids: UUIDv7 (RFC 9562), time-ordered within a process. 48 bits of Unix milliseconds,
 * then a 42-bit counter (12 bits of `rand_a`, the top 30 of `rand_b`) that starts at a random
 * value each millisecond and counts up within it, then 32 random bits. Ids made later in a
 * process compare greater, also within one millisecond and when the wall clock steps back.
 *
 * Made here rather than by a library per id: random bits come from one `crypto.getRandomValues`
 * call per 256 words, and the hex text from a table, since every emitted event needs one.
 */

const hex = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"))

const pool = new Uint32Array(256)
let cursor = pool.length

const randomWord = (): number => {
  if (cursor === pool.length) {
    crypto.getRandomValues(pool)
    cursor = 0
  }
  return pool[cursor++]!
}

// The id's clock and counter: `counterHigh` is 12 bits (`rand_a`), `counterLow` 30.
let lastMs = -1
let counterHigh = 0
let counterLow = 0

const hex32 = (word: number): string =>
  hex[word >>> 24]! + hex[(word >>> 16) & 0xff]! + hex[(word >>> 8) & 0xff]! + hex[word & 0xff]!

/** A new UUIDv7, greater than every id this process made before. */
export const newEventId = (): string => {
  const nowMs = Date.now()
  if (nowMs > lastMs) {
    lastMs = nowMs
    // The counter's top bit starts clear: room to count up within the millisecond.
    counterHigh = randomWord() & 0x7ff
    counterLow = randomWord() & 0x3fffffff
  } else if (counterLow < 0x3fffffff) {
    counterLow++
  } else {
    counterLow = 0
    if (counterHigh < 0xfff) {
      counterHigh++
    } else {
      // 2^42 ids in one millisecond: borrow the next one.
      lastMs++
      counterHigh = randomWord() & 0x7ff
    }
  }
  const msHigh = Math.floor(lastMs / 0x10000)
  const msLow = lastMs % 0x10000
  const tail = randomWord()
  return (
    hex32(msHigh) +
    "-" +
    hex[msLow >>> 8]! +
    hex[msLow & 0xff]! +
    "-7" +
    hex[counterHigh >>> 8]![1]! +
    hex[counterHigh & 0xff]! +
    "-" +
    // The variant (binary 10), then the counter's top 14 bits of `rand_b`.
    hex[0x80 | (counterLow >>> 24)]! +
    hex[(counterLow >>> 16) & 0xff]! +
    "-" +
    hex[(counterLow >>> 8) & 0xff]! +
    hex[counterLow & 0xff]! +
    hex32(tail)
  )
}
