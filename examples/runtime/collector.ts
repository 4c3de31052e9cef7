import type { Either } from "effect"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo, Socket } from "node:net"
import { decodeJobEventBatch } from "../../src/jobs/events/decodeJobEventBatch.js"
import type { JobEventWire } from "../../src/jobs/events/JobEvent.js"

/** Decodes a request body as a batch of one vocabulary's events (`decodeJobEventBatch`, `decodeWorkflowEventBatch`). */
export type BatchDecoder<E> = (
  body: unknown
) => Either.Either<{ readonly events: ReadonlyArray<E> }, { readonly message: string }>

/** How the collector answers. */
export type CollectorMode =
  | { readonly kind: "ok" }
  /** Answers every request with this status (e.g. 503, or 429 with `retry-after`). */
  | { readonly kind: "status"; readonly status: number; readonly headers?: Readonly<Record<string, string>> }
  /** Reads the request and never answers it. */
  | { readonly kind: "hang" }
  /** Not listening: connections are refused. */
  | { readonly kind: "refuse" }

/** One request as the collector saw it. */
export interface CollectorRequest {
  /** Milliseconds since the collector started. */
  readonly at: number
  /** The status answered, or undefined when it did not answer. */
  readonly status: number | undefined
  /** The eventIds in the body (whatever the answer). */
  readonly eventIds: ReadonlyArray<string>
}

/** An event the collector accepted, with when it arrived. */
export interface ReceivedEvent<E = JobEventWire> {
  readonly event: E
  /** Milliseconds since the collector started. */
  readonly receivedAt: number
  /** When it arrived, epoch ms (to compare with the event's own `timestamp`). */
  readonly arrivedAt: number
}

export interface EventCollector<E = JobEventWire> {
  readonly url: string
  readonly mode: () => CollectorMode
  /** Changes how the next requests are answered ("refuse" closes the port; any other mode reopens it). */
  readonly setMode: (mode: CollectorMode) => Promise<void>
  /** Every request, in arrival order. */
  readonly requests: ReadonlyArray<CollectorRequest>
  /** The events of requests answered 2xx, first arrival of each eventId, in arrival order. */
  readonly events: () => ReadonlyArray<ReceivedEvent<E>>
  /** Events that arrived again (same eventId) after they had been accepted. */
  readonly duplicates: () => number
  /** Why bodies did not decode as a batch of the vocabulary's events, one report each (a test expects none). */
  readonly invalidBodies: ReadonlyArray<string>
  readonly close: () => Promise<void>
}

/**
 * A local event collector: a node:http server on 127.0.0.1 (port 0, kept across "refuse"),
 * decoding every batch with a vocabulary's wire schema (`decode`; the jobs one by default) and
 * deduplicating by `eventId`.
 */
export const startEventCollector = async <E extends { readonly eventId: string } = JobEventWire>(
  initial: CollectorMode = { kind: "ok" },
  decode: BatchDecoder<E> = decodeJobEventBatch as unknown as BatchDecoder<E>
): Promise<EventCollector<E>> => {
  const started = performance.now()
  const since = () => Math.round(performance.now() - started)
  const requests: Array<CollectorRequest> = []
  const accepted = new Map<string, ReceivedEvent<E>>()
  const invalidBodies: Array<string> = []
  const sockets = new Set<Socket>()
  let duplicates = 0
  let mode: CollectorMode = initial

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      const raw = Buffer.concat(chunks).toString("utf8")
      let body: unknown
      try {
        body = JSON.parse(raw)
      } catch {
        body = undefined
      }
      const decoded = decode(body)
      if (decoded._tag === "Left") invalidBodies.push(decoded.left.message)
      const events = decoded._tag === "Right" ? decoded.right.events : []
      const current = mode
      const status = current.kind === "ok" ? 200 : current.kind === "status" ? current.status : undefined
      requests.push({ at: since(), status, eventIds: events.map((event) => event.eventId) })
      if (status === undefined) return // hang: the tracker's timeout ends it
      if (status >= 200 && status < 300) {
        for (const event of events) {
          if (accepted.has(event.eventId)) duplicates++
          else accepted.set(event.eventId, { event, receivedAt: since(), arrivedAt: Date.now() })
        }
      }
      res.writeHead(status, { "content-type": "text/plain", ...(current.kind === "status" ? current.headers : {}) })
      res.end(status < 300 ? "ok" : "not now")
    })
  }

  const server: Server = createServer(handle)
  server.on("connection", (socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
  })
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject)
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject)
        resolve()
      })
    })
  const stop = () =>
    new Promise<void>((resolve) => {
      for (const socket of sockets) socket.destroy()
      if (!server.listening) return resolve()
      server.close(() => resolve())
    })

  await listen(0)
  const { port } = server.address() as AddressInfo
  if (initial.kind === "refuse") await stop()

  return {
    url: `http://127.0.0.1:${port}/events`,
    mode: () => mode,
    setMode: async (next) => {
      const wasRefusing = mode.kind === "refuse"
      const wasHanging = mode.kind === "hang"
      mode = next
      if (next.kind === "refuse" && !wasRefusing) await stop()
      else if (next.kind !== "refuse" && wasRefusing) await listen(port)
      else if (wasHanging && next.kind !== "hang") {
        // Requests left hanging are cut off, as a collector coming back would.
        for (const socket of sockets) socket.destroy()
      }
    },
    requests,
    events: () => [...accepted.values()],
    duplicates: () => duplicates,
    invalidBodies,
    close: stop
  }
}
