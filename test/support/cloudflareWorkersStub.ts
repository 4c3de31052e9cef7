/**
 * `cloudflare:workers` outside workerd, for a test that loads a jobs package's engine: its base
 * class `DurableObject`, keeping `ctx` and `env` as the runtime's does. Mocked with
 * `vi.mock("cloudflare:workers", () => import(".../cloudflareWorkersStub.js"))`.
 */
export class DurableObject {
  ctx: unknown
  env: unknown
  constructor(ctx: unknown, env: unknown) {
    this.ctx = ctx
    this.env = env
  }
}
