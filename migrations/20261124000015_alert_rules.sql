-- Alerts follow what people were last told about each registration, so
-- one change is told once however many checks see it.
--
-- `seen_check_id` is the newest check already weighed; a registration is
-- weighed again when it has a newer one, or at `recheck_at` (could-not-check
-- outlasting its patience, stale, an expiry step, a flapping registration
-- settling, an acknowledgement ending). `version` changes with every
-- write: a weighing stores its result only over the version it read, so
-- two servers weighing the same check tell it once.
CREATE TABLE alert_states (
    registration_id  TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL,
    seen_check_id    TEXT,
    told             TEXT,
    expiry_step      INTEGER,
    extras           TEXT,
    changes          TEXT NOT NULL DEFAULT '',
    summarised       BOOLEAN NOT NULL DEFAULT FALSE,
    silenced         BOOLEAN NOT NULL DEFAULT FALSE,
    recheck_at       TEXT,
    version          INTEGER NOT NULL DEFAULT 0,
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id)
);
CREATE INDEX alert_states_recheck ON alert_states (recheck_at);

-- Many registrations that turned into one problem at once are told as one
-- alert; while that lasts, its members are not told one by one.
CREATE TABLE alert_mass_failures (
    organisation_id  TEXT NOT NULL REFERENCES organisations (id),
    cause            TEXT NOT NULL,
    since            TEXT NOT NULL,
    PRIMARY KEY (organisation_id, cause)
);

-- Which events a channel hears, about which tenants and products, and
-- whether at once or in a daily digest (JSON of `domain::alert_rules`).
ALTER TABLE alert_channels ADD COLUMN rules TEXT NOT NULL DEFAULT '{}';
ALTER TABLE alert_channels ADD COLUMN next_digest_at TEXT;

-- Alerts waiting for a channel's digest: the message as it will be listed.
CREATE TABLE alert_digest_items (
    id               TEXT PRIMARY KEY NOT NULL,
    organisation_id  TEXT NOT NULL,
    channel_id       TEXT NOT NULL,
    event            TEXT NOT NULL,
    message          TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    FOREIGN KEY (channel_id, organisation_id) REFERENCES alert_channels (id, organisation_id)
);
CREATE INDEX alert_digest_items_of_channel ON alert_digest_items (channel_id, created_at);

-- Digests go at an hour of the organisation's own day.
ALTER TABLE organisations ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
