/**
 * Polls `check` until it returns a value other than undefined. `withinMs` only bounds a wait
 * for something that is not coming (a failure): it is generous, so that a slow, busy machine
 * only makes the wait longer, never changes its outcome.
 */
export const waitUntil = async <A>(
  what: string,
  check: () => A | undefined | Promise<A | undefined>,
  options: { readonly withinMs?: number; readonly everyMs?: number } = {}
): Promise<A> => {
  const deadline = Date.now() + (options.withinMs ?? 120_000)
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, options.everyMs ?? 50))
  }
}
