import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"

/**
 * A local collector on 127.0.0.1 that acknowledges every batch and counts its events. Lean on
 * purpose: the delivery benchmark times it, so unlike the test collectors it keeps no bodies.
 */
export interface Collector {
  readonly endpoint: string
  readonly received: () => number
  readonly close: () => Promise<void>
}

const listen = (server: Server): Promise<AddressInfo> =>
  new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => resolve(server.address() as AddressInfo))
  })

const closeServer = (server: Server): Promise<void> =>
  new Promise((resolve) => {
    server.closeAllConnections()
    server.close(() => resolve())
  })

export const startCollector = async (): Promise<Collector> => {
  let received = 0
  const server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      try {
        const body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { events?: ReadonlyArray<unknown> }
        received += body.events?.length ?? 0
        response.writeHead(200).end()
      } catch {
        response.writeHead(400).end()
      }
    })
  })
  const address = await listen(server)
  return {
    endpoint: `http://127.0.0.1:${address.port}/events`,
    received: () => received,
    close: () => closeServer(server)
  }
}
