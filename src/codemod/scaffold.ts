import { quoted, semi, type CodeStyle } from "./style.js"

/**
 * The package's own event map module: the default map, re-exported under the name the
 * runtime composition imports, with the ways to adjust it at hand.
 */
export const trackingModuleText = (importFrom: string, style: CodeStyle): string => {
  const nl = style.newline
  return [
    `import { defaultJobsEventMap } from ${quoted(style, importFrom)}${semi(style)}`,
    "",
    "/**",
    " * Which service calls of the jobs runtime become which job events. It starts as the default",
    " * map; adjust it here and the runtime picks it up:",
    " * - add or replace entries: `extendEventMap(defaultJobsEventMap, serviceEventsByKey<Service>()(tagKey, name, { method: { ... } }))`",
    " * - drop a service or one method: `removeFromEventMap(defaultJobsEventMap, tagKey, method?)`",
    " * - keep only some event types: `filterEventMap(defaultJobsEventMap, (type) => ...)`",
    " * `npx durable-effect-tracking coverage` lists which method emits which event in the default map.",
    " */",
    `export const trackingEventMap = defaultJobsEventMap${semi(style)}`,
    ""
  ].join(nl)
}
