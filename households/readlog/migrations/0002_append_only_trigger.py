"""The read log is append-only: UPDATE is refused, DELETE too unless the retention job's
transaction set `readlog.purge_before` (SET LOCAL) and the row is older than that instant."""

from django.db import migrations

FORWARD = """
CREATE FUNCTION readlog_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    purge_before timestamptz := NULLIF(current_setting('readlog.purge_before', true), '')::timestamptz;
BEGIN
    IF TG_OP = 'DELETE' AND purge_before IS NOT NULL AND OLD.at < purge_before THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'readlog_readlogentry is append-only: % of entry % refused', TG_OP, OLD.id
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Only the retention job (purge_read_log) deletes entries past the retention period.';
END
$$;
CREATE TRIGGER readlog_append_only BEFORE UPDATE OR DELETE ON readlog_readlogentry
    FOR EACH ROW EXECUTE FUNCTION readlog_append_only();
"""

BACKWARD = """
DROP TRIGGER IF EXISTS readlog_append_only ON readlog_readlogentry;
DROP FUNCTION IF EXISTS readlog_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("readlog", "0001_read_log")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
