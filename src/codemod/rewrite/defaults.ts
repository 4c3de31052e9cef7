/** The module specifier of this library in the generated imports, unless told otherwise. */
export const defaultImportFrom = "durable-effect-tracking"
