// The demo's jobs Worker (examples/runtime/worker.ts) whose `fetch` answers 200 at once for the
// bench's stub endpoint, with no network: in workerd, what the HTTP tracker's own work costs
// apart from a real request. Every other fetch goes out as usual. Bundled over a codemodded copy
// of the fixture (see bench/workerdWorkload.ts).
import { acknowledgedEndpoint } from "./acknowledgedEndpoint.js"

export { default, Jobs } from "../../examples/runtime/worker.js"

const networkFetch = globalThis.fetch
globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: RequestInit): Promise<Response> =>
  String(input) === acknowledgedEndpoint
    ? Promise.resolve(new Response(null, { status: 200 }))
    : networkFetch(input, init)) as typeof fetch
