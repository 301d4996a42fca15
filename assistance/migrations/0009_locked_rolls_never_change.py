"""A locked payment roll never changes: its lines' amounts, accounts and grants are fixed (the bank's
result may still be written), lines are neither added nor removed, and the roll stays locked."""

from django.db import migrations

SQL = """
CREATE FUNCTION assistance_paymentline_locked() RETURNS trigger AS $$
DECLARE
    locked boolean;
BEGIN
    SELECT status = 'locked' INTO locked FROM assistance_paymentroll
     WHERE id = CASE WHEN TG_OP = 'INSERT' THEN NEW.roll_id ELSE OLD.roll_id END;
    IF NOT coalesce(locked, false) THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.roll_id, NEW.grant_id, NEW.recipient_id, NEW.covers_from, NEW.covers_to,
            NEW.regular, NEW.back_pay, NEW.arrears, NEW.correction, NEW.total, NEW.account_kind,
            NEW.bank_name, NEW.account_no)
        IS NOT DISTINCT FROM (OLD.roll_id, OLD.grant_id, OLD.recipient_id, OLD.covers_from, OLD.covers_to,
            OLD.regular, OLD.back_pay, OLD.arrears, OLD.correction, OLD.total, OLD.account_kind,
            OLD.bank_name, OLD.account_no) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'payment roll % is locked: its lines cannot be added, removed or changed',
        CASE WHEN TG_OP = 'INSERT' THEN NEW.roll_id ELSE OLD.roll_id END
        USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER assistance_paymentline_locked
BEFORE INSERT OR UPDATE OR DELETE ON assistance_paymentline
FOR EACH ROW EXECUTE FUNCTION assistance_paymentline_locked();

CREATE FUNCTION assistance_paymentroll_locked() RETURNS trigger AS $$
BEGIN
    IF OLD.status <> 'locked' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    IF TG_OP = 'UPDATE' AND (NEW.status, NEW.county_id, NEW.month, NEW.line_count, NEW.total, NEW.locked_at,
            NEW.locked_by_id)
        IS NOT DISTINCT FROM (OLD.status, OLD.county_id, OLD.month, OLD.line_count, OLD.total, OLD.locked_at,
            OLD.locked_by_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'payment roll % is locked', OLD.id USING ERRCODE = 'check_violation';
END
$$ LANGUAGE plpgsql;

CREATE TRIGGER assistance_paymentroll_locked
BEFORE UPDATE OR DELETE ON assistance_paymentroll
FOR EACH ROW EXECUTE FUNCTION assistance_paymentroll_locked();
"""

REVERSE = """
DROP TRIGGER assistance_paymentline_locked ON assistance_paymentline;
DROP FUNCTION assistance_paymentline_locked();
DROP TRIGGER assistance_paymentroll_locked ON assistance_paymentroll;
DROP FUNCTION assistance_paymentroll_locked();
"""


class Migration(migrations.Migration):
    dependencies = [("assistance", "0008_payments_reviews_exchanges")]

    operations = [migrations.RunSQL(SQL, REVERSE)]
