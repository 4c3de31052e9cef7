import { afterEach } from "vitest"

/** Stops something a test started (a worker, a collector, a temp dir). */
export type Cleanup = () => Promise<void> | void

/**
 * A list the calling test file pushes its cleanups to. After each test they run, newest first (a
 * worker before the collector it sends to), each awaited, and the list is emptied.
 */
export const cleanupsAfterEach = (): Array<Cleanup> => {
  const cleanups: Array<Cleanup> = []
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
  })
  return cleanups
}
