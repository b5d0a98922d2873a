-- Where an organisation's alerts go, and every message sent to them.
--
-- A channel's address and signing secret are sealed together in
-- `secret_sealed` (the Teams and Slack addresses carry their own secret);
-- only the host is kept in the clear, to show which receiver it is.

CREATE TABLE alert_channels (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    kind             TEXT NOT NULL CHECK (kind IN ('webhook', 'teams', 'slack')),
    name             TEXT NOT NULL,
    host             TEXT NOT NULL,
    secret_sealed    TEXT NOT NULL,
    created_by       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    removed_at       TEXT,
    UNIQUE (id, organisation_id),
    FOREIGN KEY (created_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX alert_channels_of_organisation ON alert_channels (organisation_id, created_at);

-- One message to one channel: queued, tried with backoff, then delivered
-- or given up on (`failed_at`, the dead letters), with the receiver's last
-- answer. The id is the `webhook-id` on every attempt, so a receiver can
-- drop a repeat.
CREATE TABLE alert_deliveries (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL,
    channel_id       TEXT NOT NULL,
    event            TEXT NOT NULL,
    body             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    claimed_until    TEXT,
    delivered_at     TEXT,
    failed_at        TEXT,
    last_answer      TEXT,
    FOREIGN KEY (channel_id, organisation_id) REFERENCES alert_channels (id, organisation_id)
);
CREATE INDEX alert_deliveries_due ON alert_deliveries (next_attempt_at);
CREATE INDEX alert_deliveries_of_channel ON alert_deliveries (channel_id, created_at);
