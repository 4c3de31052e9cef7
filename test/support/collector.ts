import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse
} from "node:http"
import type { AddressInfo, Socket } from "node:net"

// Every HTTP collector a test needs, in one place:
// - `startCollector`: a scriptable node:http server (statuses, hangs, held and dropped answers)
//   that records every request, for the trackers' tests;
// - `startOtlpReceiver`: the same server answering as an OTLP/HTTP logs receiver;
// - `startEventCollector`: the demo's collector (decodes every batch with the wire schema,
//   deduplicates by eventId, can refuse connections), for the tests that run the demo's worker.
export {
  startEventCollector,
  type CollectorMode,
  type CollectorRequest,
  type EventCollector,
  type ReceivedEvent
} from "../../examples/runtime/collector.js"

/** How the collector answers one request. */
export type Reply =
  | { readonly status: number; readonly headers?: Record<string, string>; readonly body?: string }
  /** Never answers (until the collector closes). */
  | { readonly hang: true }
  /** Answers `reply` once `release()` is called. */
  | { readonly hold: Reply }
  /** Drops the connection without an answer. */
  | { readonly destroy: true }

export interface ReceivedRequest {
  readonly method: string
  readonly url: string
  readonly headers: IncomingHttpHeaders
  readonly raw: string
  readonly bytes: number
  /** The parsed body, or undefined if it was not JSON. */
  readonly json: unknown
  /** The status the collector answered with (undefined for hang/destroy). */
  status: number | undefined
}

export interface Collector {
  readonly url: string
  /** Every request received, in arrival order. */
  readonly requests: ReadonlyArray<ReceivedRequest>
  /** Bodies of the requests answered 2xx. */
  readonly delivered: () => ReadonlyArray<unknown>
  /** The most requests that were open at the same time. */
  readonly maxConcurrent: () => number
  /** Answers the next requests with these, in order; then with the fallback. */
  readonly enqueue: (...replies: ReadonlyArray<Reply>) => void
  /** The answer when the queue is empty; a function sees the request. Default 200. */
  readonly setFallback: (reply: Reply | ((request: ReceivedRequest) => Reply)) => void
  /** Lets held requests answer. */
  readonly release: () => void
  /** Resolves once `count` requests have arrived; rejects after `withinMs` of real time (a hang guard). */
  readonly waitForRequests: (count: number, withinMs?: number) => Promise<void>
  readonly close: () => Promise<void>
}

/** A tracker test collector: a real node:http server on 127.0.0.1, port 0. */
export const startCollector = async (): Promise<Collector> => {
  const requests: Array<ReceivedRequest> = []
  const queue: Array<Reply> = []
  let fallback: Reply | ((request: ReceivedRequest) => Reply) = { status: 200 }
  let open = 0
  let maxOpen = 0
  let releaseHeld: Array<() => void> = []
  const waiters: Array<{ count: number; resolve: () => void }> = []
  const sockets = new Set<Socket>()

  const answer = (reply: Reply, request: ReceivedRequest, res: ServerResponse): void => {
    if ("hang" in reply) return
    if ("destroy" in reply) {
      res.socket?.destroy()
      return
    }
    if ("hold" in reply) {
      releaseHeld.push(() => answer(reply.hold, request, res))
      return
    }
    request.status = reply.status
    res.writeHead(reply.status, { "content-type": "text/plain", ...reply.headers })
    res.end(reply.body ?? `status ${reply.status}`)
  }

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    open++
    maxOpen = Math.max(maxOpen, open)
    // A request is open until its response is sent or its connection is gone.
    res.on("close", () => open--)
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const buffer = Buffer.concat(chunks)
      const raw = buffer.toString("utf8")
      let json: unknown
      try {
        json = JSON.parse(raw)
      } catch {
        json = undefined
      }
      const request: ReceivedRequest = {
        method: req.method ?? "",
        url: req.url ?? "",
        headers: req.headers,
        raw,
        bytes: buffer.length,
        json,
        status: undefined
      }
      requests.push(request)
      const reply = queue.shift() ?? (typeof fallback === "function" ? fallback(request) : fallback)
      answer(reply, request, res)
      for (const waiter of waiters.splice(0)) {
        if (requests.length >= waiter.count) waiter.resolve()
        else waiters.push(waiter)
      }
    })
  }

  const server: Server = createServer(handle)
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo

  return {
    url: `http://127.0.0.1:${port}/ingest`,
    requests,
    delivered: () =>
      requests.filter((r) => r.status !== undefined && r.status >= 200 && r.status < 300).map((r) => r.json),
    maxConcurrent: () => maxOpen,
    enqueue: (...replies) => void queue.push(...replies),
    setFallback: (reply) => {
      fallback = reply
    },
    release: () => {
      const held = releaseHeld
      releaseHeld = []
      for (const go of held) go()
    },
    waitForRequests: (count, withinMs = 60_000) =>
      new Promise<void>((resolve, reject) => {
        if (requests.length >= count) return resolve()
        const timer = setTimeout(
          () => reject(new Error(`collector: expected ${count} requests, got ${requests.length}`)),
          withinMs
        )
        waiters.push({
          count,
          resolve: () => {
            clearTimeout(timer)
            resolve()
          }
        })
      }),
    close: async () => {
      for (const socket of sockets) socket.destroy()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** An http URL on 127.0.0.1 where nothing listens: connections are refused. */
export const refusedEndpoint = async (): Promise<string> => {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve) => server.close(() => resolve()))
  return `http://127.0.0.1:${port}/ingest`
}

/** One OTLP/HTTP logs request as a receiver got it. */
export interface OtlpRequest<Body> {
  readonly path: string
  readonly contentType: string | undefined
  readonly body: Body
}

/**
 * An OTLP/HTTP receiver in the JSON encoding (what a collector's otlphttp receiver gets): the
 * test collector answering 200 `{}` to every request, at `/v1/logs`.
 */
export const startOtlpReceiver = async <Body>(): Promise<{
  readonly url: string
  readonly requests: ReadonlyArray<OtlpRequest<Body>>
  readonly close: () => Promise<void>
}> => {
  const collector = await startCollector()
  collector.setFallback({ status: 200, headers: { "content-type": "application/json" }, body: "{}" })
  return {
    url: collector.url.replace(/\/ingest$/, "/v1/logs"),
    get requests() {
      return collector.requests.map((request) => ({
        path: request.url,
        contentType: request.headers["content-type"],
        body: JSON.parse(request.raw) as Body
      }))
    },
    close: collector.close
  }
}
