import * as FiberRef from "effect/FiberRef"
import type { ContextKeyOf, EventOf } from "../event/Vocabulary.js"

/**
 * What a traced call knows about the work it does: the context keys of the map's vocabulary (a
 * job's instance, type and name; a user's account) and any key an event map keeps for its own
 * use. Outer calls establish it for the calls they make (a handler knows the job's name; the
 * `AlarmService.schedule` it calls does not), and a call can teach its callers what it learnt
 * (the metadata read inside an alarm tells the dispatcher which job woke up).
 *
 * @category Instrumentation
 */
export interface CallContext {
  readonly [key: string]: unknown
}

// The type a context key has in the vocabulary's events (unknown where no event carries it).
type ContextValue<E, K extends PropertyKey> = E extends unknown ? (K extends keyof E ? E[K] : never) : never

/**
 * The call context of a vocabulary's maps: its context keys typed as its events carry them,
 * each optional (unknown until a call establishes or learns it), and any other key.
 *
 * @category Instrumentation
 */
export type ContextOf<V> = CallContext & {
  readonly [K in ContextKeyOf<V>]?: ContextValue<EventOf<V>, K> | undefined
}

/** An event waiting for the context its vocabulary needs, or for fields it fills later. */
export interface DeferredEvent {
  readonly type: string
  /** The `Service.method` whose recipe made it. */
  readonly source: string
  readonly fields: Readonly<Record<string, unknown>>
  readonly timestampMs: number
  /** Fields known only later in the request; `undefined` while not yet known. */
  readonly fill?: ((context: CallContext) => Readonly<Record<string, unknown>> | undefined) | undefined
}

/** An event held back, with the frame whose context completes it. */
export interface WaitingEvent {
  readonly event: DeferredEvent
  readonly frame: ContextFrame
}

/**
 * One traced call's view of the call context: a snapshot of its caller's, plus its own. A frame
 * is mutable on purpose: what an inner call learns is written into every frame of the chain
 * (newer knowledge wins: an alarm scheduled after one was cancelled is pending), and events
 * that waited for it are released.
 *
 * Events keep the order they happened in: the outermost frame of a request holds one queue, and
 * once an event waits there, every later event of the request waits behind it.
 */
export class ContextFrame {
  readonly fields: Record<string, unknown>
  readonly root: ContextFrame
  waiting: Array<WaitingEvent> | undefined = undefined
  readonly #parent: ContextFrame | undefined

  /**
   * A frame over its caller's (a copy of what the caller knows), or at the top over `ambient`
   * (what the build knows), plus the call's `own` context: `own` wins, even where it says
   * `undefined` (which is not knowledge: the key stays unknown).
   */
  constructor(
    parent: ContextFrame | undefined,
    own: Readonly<Record<string, unknown>> | undefined,
    ambient?: Readonly<Record<string, unknown>>
  ) {
    // Loops, not spreads: `fields` grows key by key, and spreading such objects is slow.
    const fields: Record<string, unknown> = {}
    if (parent !== undefined) {
      const inherited = parent.fields
      for (const key in inherited) fields[key] = inherited[key]
    } else if (ambient !== undefined) {
      for (const key in ambient) {
        if (own !== undefined && Object.hasOwn(own, key)) continue
        const value = ambient[key]
        if (value !== undefined) fields[key] = value
      }
    }
    this.fields = fields
    this.#parent = parent
    this.root = parent === undefined ? this : parent.root
    if (own !== undefined) assignDefined(this.fields, own)
  }

  get context(): CallContext {
    return this.fields
  }

  /** Writes what was learnt into the whole chain; returns whether anything changed. */
  learn(knowledge: Readonly<Record<string, unknown>>): boolean {
    let changed = false
    for (let frame: ContextFrame | undefined = this; frame !== undefined; frame = frame.#parent) {
      if (assignDefined(frame.fields, knowledge)) changed = true
    }
    return changed
  }

  /** Whether events of this request are waiting: a new one must wait behind them. */
  get holding(): boolean {
    return this.root.waiting !== undefined && this.root.waiting.length > 0
  }

  hold(event: DeferredEvent): void {
    ;(this.root.waiting ??= []).push({ event, frame: this })
  }
}

const assignDefined = (target: Record<string, unknown>, source: Readonly<Record<string, unknown>>): boolean => {
  let changed = false
  for (const key in source) {
    const value = source[key]
    if (value === undefined) continue
    if (target[key] !== value) {
      target[key] = value
      changed = true
    }
  }
  return changed
}

/**
 * Where one fiber keeps its innermost traced call while its calls run: a cell, given to the
 * fiber by its outermost call (one fiber ref set) and taken away at that call's end (one more),
 * and set and put back in place by the calls inside, so that an inner call neither copies the
 * fiber's fiber refs (as `FiberRef.set` does) nor runs an effect operation for it. A fiber
 * forked while a call runs gets a cell of its own (the fiber ref's `fork`), holding that call's
 * frame: it sees its parent's frame as it was then, not the parent's later ones; a joined fiber
 * leaves its parent's cell alone (the fiber ref's `join`). A fiber forked while no call runs
 * (most are) gets no cell, at no cost to the fork or the join.
 */
export class FrameCell {
  /**
   * `owner`: the fiber whose calls set the cell; `undefined` for a forked fiber's cell until its
   * first call. Any other fiber holding the cell (handed the fiber refs some other way) reads no
   * frame in it, and makes a cell of its own for its calls (see {@link ownedCell}).
   */
  constructor(
    public frame: ContextFrame | undefined,
    public owner: unknown
  ) {}
}

/** Where a map's traced calls keep their frames: one fiber ref per map applied to a call. */
export type Frames = FiberRef.FiberRef<FrameCell | undefined>

export const makeFrames = (): Frames =>
  FiberRef.unsafeMake<FrameCell | undefined>(undefined, {
    fork: (cell) => (cell === undefined || cell.frame === undefined ? cell : new FrameCell(cell.frame, undefined)),
    join: (parent) => parent
  })

/** The frames of a lone map. */
export const currentFrame: Frames = makeFrames()

/** `fiber`'s cell in `frames`, if it has one of its own (one it may set and read). */
export const ownedCell = (fiber: unknown, cell: FrameCell | undefined): cell is FrameCell =>
  cell !== undefined && (cell.owner === fiber || cell.owner === undefined)

/** The innermost traced call of `fiber` (the running one) in `frames`, if any. */
export const frameOf = (
  fiber: { getFiberRef<A>(ref: FiberRef.FiberRef<A>): A },
  frames: Frames
): ContextFrame | undefined => {
  const cell = fiber.getFiberRef(frames)
  return ownedCell(fiber, cell) ? cell.frame : undefined
}
