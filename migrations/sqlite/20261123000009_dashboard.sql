-- The dashboard reads one organisation's registrations as a whole. It keeps
-- that reading in memory and must know when it is out of date, across
-- servers too: every change it shows bumps the organisation's
-- `dashboard_version`, from triggers, so no write path can forget to.

ALTER TABLE organisations ADD COLUMN dashboard_version INTEGER NOT NULL DEFAULT 0;

-- The permissions a completed check found granted beyond the products'
-- needs, so the dashboard need not parse every stored verdict.
ALTER TABLE checks ADD COLUMN extra_permissions TEXT NOT NULL DEFAULT '';
UPDATE checks
   SET extra_permissions = COALESCE(
       (SELECT group_concat(value, ',') FROM json_each(checks.verdict, '$.extra_permissions')), '');

-- When the registration's completed checks began to say what they say
-- now (a run of could-not-check does not interrupt it). Rows checked
-- before this column existed start at their newest completed check.
ALTER TABLE registrations ADD COLUMN status_since TEXT;
UPDATE registrations
   SET status_since = (SELECT finished_at FROM checks WHERE checks.id = registrations.last_completed_check_id);

-- Staff who saw a problem and are dealing with it set it aside: the
-- registration keeps its status in every count, and the acknowledgement
-- lapses when the problem changes (another headline finding) or at `until`.
CREATE TABLE acknowledgements (
    registration_id     TEXT PRIMARY KEY NOT NULL,
    organisation_id     TEXT NOT NULL,
    -- The headline finding acknowledged (or the status, for stale).
    problem             TEXT NOT NULL,
    note                TEXT NOT NULL,
    until               TEXT,
    acknowledged_by     TEXT NOT NULL,
    acknowledged_at     TEXT NOT NULL,
    FOREIGN KEY (registration_id, organisation_id) REFERENCES registrations (id, organisation_id),
    FOREIGN KEY (acknowledged_by, organisation_id) REFERENCES users (id, organisation_id)
);
CREATE INDEX acknowledgements_of_organisation ON acknowledgements (organisation_id);

-- The trend counts each day's worst status over the organisation.
CREATE INDEX check_days_by_organisation ON check_days (organisation_id, day, worst_status);

CREATE TRIGGER dashboard_sees_new_registrations AFTER INSERT ON registrations
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = NEW.organisation_id;
END;

-- Leases and due times change on every claim; they are not shown.
CREATE TRIGGER dashboard_sees_changed_registrations
AFTER UPDATE OF profiles, client_id, credential_kind, credential_expires_at, archived_at,
    latest_check_id, last_completed_check_id, unchecked_since, customer_tenant_id, status_since
ON registrations
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = NEW.organisation_id;
END;

CREATE TRIGGER dashboard_sees_removed_registrations AFTER DELETE ON registrations
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = OLD.organisation_id;
END;

CREATE TRIGGER dashboard_sees_new_tenants AFTER INSERT ON customer_tenants
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = NEW.organisation_id;
END;

CREATE TRIGGER dashboard_sees_changed_tenants
AFTER UPDATE OF display_name, entra_tenant_id, cloud, contact_emails, archived_at ON customer_tenants
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = NEW.organisation_id;
END;

CREATE TRIGGER dashboard_sees_removed_tenants AFTER DELETE ON customer_tenants
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = OLD.organisation_id;
END;

CREATE TRIGGER dashboard_sees_new_acknowledgements AFTER INSERT ON acknowledgements
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = NEW.organisation_id;
END;

CREATE TRIGGER dashboard_sees_changed_acknowledgements AFTER UPDATE ON acknowledgements
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = NEW.organisation_id;
END;

CREATE TRIGGER dashboard_sees_removed_acknowledgements AFTER DELETE ON acknowledgements
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = OLD.organisation_id;
END;
