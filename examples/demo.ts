// The demo grows into the full story (codemod, workerd, collector, timeline) in a later step.
// Until then it says what it will do, and exits cleanly.
console.log(`durable-effect-tracking demo (placeholder)

This will: copy the jobs fixture, run the codemod on it, start a local collector and workerd,
run a scenario over the four job types, and show every job's events as a timeline.`)
