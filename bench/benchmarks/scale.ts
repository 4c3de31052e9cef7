/** `full` for `npm run bench`; `smoke` runs each benchmark once with tiny counts (for the tests). */
export type Scale = "full" | "smoke"
