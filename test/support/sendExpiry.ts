import { Effect } from "effect"
import type { SendExpiry } from "../../src/delivery/DeliverySink.js"

/**
 * A fake sink's send made as a sink's `send` must be (see `DeliverySink`): what `send` answers,
 * or undefined as soon as the engine aborts the expiry's controller (then `send` is
 * interrupted), with `expiry.done` called once when it is over.
 */
export const withinExpiry = <A>(expiry: SendExpiry, send: Effect.Effect<A>): Effect.Effect<A | undefined> =>
  Effect.raceFirst(
    send,
    Effect.async<undefined>((resume) => {
      const signal = expiry.controller.signal
      const onExpired = () => resume(Effect.succeed(undefined))
      if (signal.aborted) onExpired()
      else signal.addEventListener("abort", onExpired)
      return Effect.sync(() => signal.removeEventListener("abort", onExpired))
    })
  ).pipe(Effect.ensuring(Effect.sync(expiry.done)))
