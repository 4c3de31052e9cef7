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

/** The innermost traced call of the current fiber, if any. */
export const currentFrame: FiberRef.FiberRef<ContextFrame | undefined> = FiberRef.unsafeMake<ContextFrame | undefined>(
  undefined
)
