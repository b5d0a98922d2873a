-- While a sweep stores checks, the organisation's `dashboard_version` moves
-- every few moments, and reading all its registrations again each time
-- cost a third of a second at 25,000. A kept reading is now brought up to
-- date by reading only the registrations changed since it was made: each
-- change marks the registration with the version it made.
--
-- Changes that move rows of the reading (a registration added, archived,
-- removed or moved to another tenant, any change to a tenant) also move
-- `dashboard_layout`, and the reading is then made again from scratch.

ALTER TABLE organisations ADD COLUMN dashboard_layout INTEGER NOT NULL DEFAULT 0;
ALTER TABLE registrations ADD COLUMN dashboard_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX registrations_changed_for_dashboard ON registrations (organisation_id, dashboard_version);

DROP TRIGGER dashboard_sees_new_registrations;
DROP TRIGGER dashboard_sees_changed_registrations;
DROP TRIGGER dashboard_sees_removed_registrations;
DROP TRIGGER dashboard_sees_new_tenants;
DROP TRIGGER dashboard_sees_changed_tenants;
DROP TRIGGER dashboard_sees_removed_tenants;
DROP TRIGGER dashboard_sees_new_acknowledgements;
DROP TRIGGER dashboard_sees_changed_acknowledgements;
DROP TRIGGER dashboard_sees_removed_acknowledgements;

CREATE TRIGGER dashboard_sees_new_registrations AFTER INSERT ON registrations
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1, dashboard_layout = dashboard_layout + 1
     WHERE id = NEW.organisation_id;
END;

CREATE TRIGGER dashboard_sees_moved_registrations
AFTER UPDATE OF archived_at, customer_tenant_id ON registrations
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1, dashboard_layout = dashboard_layout + 1
     WHERE id = NEW.organisation_id;
END;

-- Leases and due times change on every claim; they are not shown.
CREATE TRIGGER dashboard_sees_changed_registrations
AFTER UPDATE OF profiles, client_id, credential_kind, credential_expires_at,
    latest_check_id, last_completed_check_id, last_checked_at, unchecked_since, status_since
ON registrations
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = NEW.organisation_id;
    UPDATE registrations
       SET dashboard_version = (SELECT dashboard_version FROM organisations WHERE id = NEW.organisation_id)
     WHERE id = NEW.id;
END;

CREATE TRIGGER dashboard_sees_removed_registrations AFTER DELETE ON registrations
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1, dashboard_layout = dashboard_layout + 1
     WHERE id = OLD.organisation_id;
END;

CREATE TRIGGER dashboard_sees_new_tenants AFTER INSERT ON customer_tenants
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1, dashboard_layout = dashboard_layout + 1
     WHERE id = NEW.organisation_id;
END;

CREATE TRIGGER dashboard_sees_changed_tenants
AFTER UPDATE OF display_name, entra_tenant_id, cloud, contact_emails, archived_at ON customer_tenants
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1, dashboard_layout = dashboard_layout + 1
     WHERE id = NEW.organisation_id;
END;

CREATE TRIGGER dashboard_sees_removed_tenants AFTER DELETE ON customer_tenants
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1, dashboard_layout = dashboard_layout + 1
     WHERE id = OLD.organisation_id;
END;

CREATE TRIGGER dashboard_sees_new_acknowledgements AFTER INSERT ON acknowledgements
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = NEW.organisation_id;
    UPDATE registrations
       SET dashboard_version = (SELECT dashboard_version FROM organisations WHERE id = NEW.organisation_id)
     WHERE id = NEW.registration_id;
END;

CREATE TRIGGER dashboard_sees_changed_acknowledgements AFTER UPDATE ON acknowledgements
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = NEW.organisation_id;
    UPDATE registrations
       SET dashboard_version = (SELECT dashboard_version FROM organisations WHERE id = NEW.organisation_id)
     WHERE id IN (OLD.registration_id, NEW.registration_id);
END;

CREATE TRIGGER dashboard_sees_removed_acknowledgements AFTER DELETE ON acknowledgements
BEGIN
    UPDATE organisations SET dashboard_version = dashboard_version + 1 WHERE id = OLD.organisation_id;
    UPDATE registrations
       SET dashboard_version = (SELECT dashboard_version FROM organisations WHERE id = OLD.organisation_id)
     WHERE id = OLD.registration_id;
END;
