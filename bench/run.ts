// Benchmarks land in a later step; this entry exists so `npm run bench` already runs.
console.log("durable-effect-tracking benchmarks: none yet")
