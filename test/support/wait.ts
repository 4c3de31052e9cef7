// One polling wait for tests and the demo: wait on the condition a step needs, never on elapsed time.
export { waitUntil } from "../../examples/runtime/wait.js"
