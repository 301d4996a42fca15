"""Standards are append-only: a row is never deleted, and never updated except to close its open
period once (effective_to from NULL to a date, nothing else changed), which `standard_add` does
when the next standard of the same programme, component, region and area type begins. An UPDATE
that changes nothing is let through."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION assistance_standard_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- A save that changes nothing (a fixture or test database restored over existing rows) keeps
    -- the row as it was: nothing to refuse.
    IF TG_OP = 'UPDATE' AND to_jsonb(NEW) = to_jsonb(OLD) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'UPDATE'
       AND OLD.effective_to IS NULL
       AND NEW.effective_to IS NOT NULL
       AND (to_jsonb(NEW) - 'effective_to') = (to_jsonb(OLD) - 'effective_to') THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'assistance_standard is append-only: % of standard % refused', TG_OP, OLD.id
        USING ERRCODE = 'integrity_constraint_violation',
              HINT = 'Add a new standard; only closing an open period (effective_to) is allowed.';
END
$$;
CREATE TRIGGER standard_append_only BEFORE UPDATE OR DELETE ON assistance_standard
    FOR EACH ROW EXECUTE FUNCTION assistance_standard_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS standard_append_only ON assistance_standard;
DROP FUNCTION IF EXISTS assistance_standard_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("assistance", "0001_programs_and_standards")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
