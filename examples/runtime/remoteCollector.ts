import { decodeJobEventBatch } from "../../src/jobs/events/decodeJobEventBatch.js"
import type { JobEventWire } from "../../src/jobs/events/JobEvent.js"

/** What the demo's command line asks for. */
export interface DemoOptions {
  /** Send to this collector Worker instead of the demo's own node:http collector. */
  readonly collector: { readonly eventsUrl: string; readonly token: string | undefined } | undefined
}

export const demoUsage = `usage: npm start [-- --collector <url of the collector Worker's /events>]
  --collector <url>  send the events to a running collector Worker (examples/collector), e.g.
                     http://localhost:8787/events for \`npm run collector\`; its bearer token,
                     if it has one, in the environment variable COLLECTOR_TOKEN`

/**
 * Reads `--collector <url>` (or `--collector=<url>`) and COLLECTOR_TOKEN (a token is kept off
 * the command line, where other users of the machine could read it). Throws with the usage for
 * anything else.
 */
export const demoOptions = (
  argv: ReadonlyArray<string>,
  env: Readonly<Record<string, string | undefined>>
): DemoOptions => {
  let eventsUrl: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === "--collector" && i + 1 < argv.length) eventsUrl = argv[++i]
    else if (arg.startsWith("--collector=")) eventsUrl = arg.slice("--collector=".length)
    else throw new Error(`unknown argument: ${arg}\n${demoUsage}`)
  }
  if (eventsUrl === undefined) return { collector: undefined }
  let url: URL
  try {
    url = new URL(eventsUrl)
  } catch {
    throw new Error(`--collector: not a URL: ${eventsUrl}\n${demoUsage}`)
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`--collector: not http(s): ${eventsUrl}`)
  const token = env.COLLECTOR_TOKEN === undefined || env.COLLECTOR_TOKEN === "" ? undefined : env.COLLECTOR_TOKEN
  return { collector: { eventsUrl: url.href, token } }
}

/** The collector Worker, seen from the demo: where the tracker posts, and its queries. */
export interface RemoteCollector {
  readonly eventsUrl: string
  /** The headers the tracker sends (the bearer token, when there is one). */
  readonly headers: Readonly<Record<string, string>>
  /** Answers a status other than 200 with an error that says what to do. */
  readonly check: () => Promise<void>
  /** `GET /instances/:id/events`: the instance's stored events in order, decoded. */
  readonly instanceEvents: (instanceId: string) => Promise<ReadonlyArray<JobEventWire>>
}

export const remoteCollector = (options: NonNullable<DemoOptions["collector"]>): RemoteCollector => {
  const headers: Record<string, string> =
    options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }
  const get = async (path: string): Promise<unknown> => {
    const url = new URL(path, options.eventsUrl)
    const response = await fetch(url, { headers })
    if (response.status === 401)
      throw new Error(`the collector at ${url.origin} answered 401: set COLLECTOR_TOKEN to its EVENTS_TOKEN`)
    if (response.status !== 200)
      throw new Error(`the collector at ${url.origin} answered ${response.status} to ${path}`)
    return response.json()
  }
  return {
    eventsUrl: options.eventsUrl,
    headers,
    check: async () => {
      await get("/failures?limit=1")
    },
    instanceEvents: async (instanceId) => {
      const body = (await get(`/instances/${encodeURIComponent(instanceId)}/events`)) as { events?: unknown }
      const decoded = decodeJobEventBatch({ events: body.events })
      if (decoded._tag === "Left") throw new Error(`the collector's answer for ${instanceId}: ${decoded.left.message}`)
      return decoded.right.events
    }
  }
}
