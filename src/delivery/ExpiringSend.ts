/**
 * A sink's send of one request that answers with a promise, within the engine's expiry (see
 * `SendExpiry`): one timer and one `AbortController` bound it, not a race of two fibers.
 */

import { Effect } from "effect"
import type { SendExpiry } from "./DeliverySink.js"

/**
 * Starts `request` with the expiry's signal and answers `outcome` of what it resolves to, or
 * undefined as soon as the engine aborts the expiry's controller (a request that carries the
 * signal is aborted with it). A request that throws or rejects fails with its error; an
 * `outcome` that throws is a defect. Interrupted, it aborts the controller itself. Either way
 * `expiry.done` is called once, when the send is over.
 */
export const expiringSend = <R, O>(
  { controller, done }: SendExpiry,
  request: (signal: AbortSignal) => PromiseLike<R>,
  outcome: (value: R) => O
): Effect.Effect<O | undefined, unknown> =>
  Effect.async<O | undefined, unknown>((resume) => {
    const signal = controller.signal
    let settled = false
    const settle = (): boolean => {
      if (settled) return false
      settled = true
      signal.removeEventListener("abort", onExpired)
      done()
      return true
    }
    const answer = (effect: Effect.Effect<O | undefined, unknown>) => {
      if (settle()) resume(effect)
    }
    const onExpired = () => answer(Effect.succeed(undefined))
    if (signal.aborted) return onExpired()
    signal.addEventListener("abort", onExpired)
    let answered: PromiseLike<R>
    try {
      answered = request(signal)
    } catch (error) {
      answer(Effect.fail(error))
      return
    }
    answered.then(
      (value) => {
        try {
          answer(Effect.succeed(outcome(value)))
        } catch (error) {
          answer(Effect.die(error))
        }
      },
      (error: unknown) => answer(Effect.fail(error))
    )
    return Effect.sync(() => {
      if (settle()) controller.abort()
    })
  })
