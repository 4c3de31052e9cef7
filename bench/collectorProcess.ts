import { spawn } from "node:child_process"

/**
 * A collector in a process of its own: a bare `node:http` server on 127.0.0.1 that reads each
 * body and answers 200. Its CPU is not the benchmark's, as a real collector's would not be;
 * what the tracked process spends on the request (fetch, sockets) is.
 */
export interface CollectorProcess {
  readonly endpoint: string
  /** Ends the process and waits for it to exit. */
  readonly stop: () => Promise<void>
}

const SERVER = `
const server = require("node:http").createServer((request, response) => {
  request.on("data", () => {})
  request.on("end", () => response.writeHead(200).end())
})
server.listen(0, "127.0.0.1", () => process.stdout.write(server.address().port + "\\n"))
process.on("SIGTERM", () => { server.closeAllConnections(); server.close(() => process.exit(0)) })
`

export const startCollectorProcess = (): Promise<CollectorProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", SERVER], { stdio: ["ignore", "pipe", "inherit"] })
    const exited = new Promise<void>((done) => child.once("exit", () => done()))
    const stop = async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM")
      await exited
    }
    let output = ""
    child.once("error", reject)
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8")
      const line = /^(\d+)\n/.exec(output)
      if (line !== null) resolve({ endpoint: `http://127.0.0.1:${line[1]}/events`, stop })
    })
    void exited.then(() => reject(new Error("the collector process exited before it listened")))
  })
