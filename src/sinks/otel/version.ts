/**
 * This package's version: the instrumentation scope version of the tracker's logger. A constant,
 * as a Worker cannot read package.json; a test keeps it equal to package.json's `version`.
 */
export const packageVersion = "0.1.0"
