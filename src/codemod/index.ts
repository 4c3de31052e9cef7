/**
 * durable-effect-tracking/codemod (Node only): wires tracking into an existing jobs package.
 * The CLI (`durable-effect-tracking codemod`) is a thin layer over {@link runCodemod}.
 */
export { CodemodInputError, CodemodInterruptedError, type InterruptSignal } from "./report/errors.js"
export {
  runCodemod,
  notUnderVersionControl,
  dryRunNotUnderVersionControl,
  ExitCode,
  interruptExitCode,
  type CodemodMode,
  type CodemodOutcome,
  type CodemodRunOptions
} from "./run.js"
export {
  planCodemod,
  typeCheckPlan,
  typeCheckSummary,
  defaultImportFrom,
  runtimeFilePath,
  trackingFilePath,
  type CodemodOptions,
  type CodemodPlan,
  type CodemodStatus,
  type PlannedChange,
  type TypeCheckSummary
} from "./plan.js"
export {
  rewriteRuntime,
  type RuntimeRewrite,
  type RuntimeRewriteOptions,
  type WrappedLayer,
  type UntouchedLayer
} from "./rewrite/runtimeFile.js"
export { renderDiff } from "./write/diff.js"
export { detectStyle, type CodeStyle } from "./source/style.js"
export { knownServiceLayers, defaultWrappedServiceKeys } from "../jobs/knownLayers.js"
export type { TypeDiagnostic, TypeCheckResult } from "./package/typeCheck.js"
export { pauseAtEnv, type WritePoint, type WriteResult } from "./write/writeFiles.js"
export { reportPackageCoverage } from "./coverage/measurePackage.js"
export { coverageJson, coverageText } from "./coverage/render.js"
export {
  coverageExitCode,
  type PackageCoverage,
  type PackageCoverageReport,
  type TypeCoverage
} from "./coverage/packageCoverage.js"
export { loadEventMapModule, type LoadedEventMap } from "./package/loadEventMap.js"
export { detectJobsLayout, executionServiceLayout, inlineLayout, type JobsLayout } from "../jobs/layouts.js"
export { runMigrate, type MigrateMode, type MigrateOutcome, type MigrateRunOptions } from "./migrate/runMigrate.js"
export { planMigrate, type MigrateOptions, type MigratePlan, type MigrateStatus } from "./migrate/planMigrate.js"
export type { EmitForm, EmitRefusal, EmitSite } from "./migrate/emitSites.js"
export { parseEventSet, type MigrateEventSet } from "./migrate/eventSet.js"
export { trackerConfigMapping, type ConfigFieldMapping } from "./migrate/configMapping.js"
export { checkConfigReach, type ConfigReach, type EntryReach, type ReachLink } from "./package/configReach.js"
export type { HandPlacedEmit } from "./plan.js"
