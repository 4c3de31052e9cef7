-- The collector's schema: one row per job event, keyed by its eventId (a UUIDv7).
-- Applied by `wrangler d1 migrations apply job-events --remote` (see docs/collector.md).

CREATE TABLE IF NOT EXISTS events (
  event_id TEXT PRIMARY KEY NOT NULL,
  type TEXT NOT NULL,
  -- The event's timestamp as sent, and as milliseconds since the epoch for ordering.
  timestamp TEXT NOT NULL,
  timestamp_ms INTEGER NOT NULL,
  instance_id TEXT NOT NULL,
  job_type TEXT NOT NULL,
  job_name TEXT NOT NULL,
  env TEXT NOT NULL,
  service_key TEXT NOT NULL,
  -- The whole event as JSON (the fields above included).
  body TEXT NOT NULL
);

-- An instance's life in order.
CREATE INDEX IF NOT EXISTS events_by_instance ON events (instance_id, timestamp_ms, event_id);

-- Recent failures: by type, newest first.
CREATE INDEX IF NOT EXISTS events_by_type ON events (type, timestamp_ms, event_id);

-- Queue messages that never decoded, kept from the dead-letter queue for someone to look at.
CREATE TABLE IF NOT EXISTS dead_letters (
  message_id TEXT PRIMARY KEY NOT NULL,
  received_at TEXT NOT NULL,
  body TEXT NOT NULL,
  problems TEXT NOT NULL
);
