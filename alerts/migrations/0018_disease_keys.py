"""Serious diseases get a stable key (D01 … D30 for the defaults, then D31 … from a sequence).

Until now a disease was its name: the serious-disease alerts' dedupe key is "person_id:name", so a
renamed disease alerted everyone again. The key sequence starts after the defaults. Every saved
version and proposal gets keys in place (no new version: nothing about what the rule raises
changes): a default disease's name gives its default key; any other name the next key of the
sequence, the same one wherever that name appears (a name was the identity until now). Then the
rule's alerts are rewritten from "person_id:name" to "person_id:key" in one statement.
"""

from django.db import migrations

SEQUENCE = "alerts_disease_key_seq"


def key_diseases(apps, schema_editor):
    from alerts.rules.definitions import default_diseases

    RuleVersion = apps.get_model("alerts", "RuleVersion")
    RuleProposal = apps.get_model("alerts", "RuleProposal")
    keys = {d["name"]: d["key"] for d in default_diseases()}
    cursor = schema_editor.connection.cursor()

    def key_of(name: str) -> str:
        if name not in keys:
            cursor.execute(f"SELECT nextval('{SEQUENCE}')")
            keys[name] = f"D{cursor.fetchone()[0]:02d}"
        return keys[name]

    rows = [
        *RuleVersion.objects.filter(rule="serious_disease").order_by("version"),
        *RuleProposal.objects.filter(rule="serious_disease").order_by("pk"),
    ]
    for row in rows:
        diseases = row.params.get("diseases") or []
        if all(d.get("key") for d in diseases):
            continue
        row.params = {
            **row.params,
            "diseases": [{"key": d.get("key") or key_of(d["name"]), **d} for d in diseases],
        }
        row.save(update_fields=["params"])
    names, values = zip(*keys.items(), strict=True)
    cursor.execute(
        """
        UPDATE alerts_alert a SET dedupe_key = a.person_id::text || ':' || k.key
        FROM unnest(%s::text[], %s::text[]) AS k(name, key)
        WHERE a.rule = 'serious_disease' AND a.dedupe_key = a.person_id::text || ':' || k.name
          AND NOT EXISTS (
              SELECT 1 FROM alerts_alert b
              WHERE b.rule = 'serious_disease' AND b.dedupe_key = a.person_id::text || ':' || k.key
          )
        """,
        [list(names), list(values)],
    )


def unkey_diseases(apps, schema_editor):
    RuleVersion = apps.get_model("alerts", "RuleVersion")
    RuleProposal = apps.get_model("alerts", "RuleProposal")
    cursor = schema_editor.connection.cursor()
    # Back to "person_id:name", with the name the alert was raised with.
    cursor.execute(
        """
        UPDATE alerts_alert SET dedupe_key = person_id::text || ':' || (evidence -> 'values' ->> 'disease')
        WHERE rule = 'serious_disease' AND evidence -> 'values' ->> 'disease' IS NOT NULL
        """
    )
    for model in (RuleVersion, RuleProposal):
        for row in model.objects.filter(rule="serious_disease"):
            row.params = {
                **row.params,
                "diseases": [
                    {k: v for k, v in d.items() if k != "key"} for d in row.params.get("diseases") or []
                ],
            }
            row.save(update_fields=["params"])


class Migration(migrations.Migration):
    dependencies = [("alerts", "0017_certificate_dedupe_keys")]

    operations = [
        migrations.RunSQL(
            f"CREATE SEQUENCE {SEQUENCE} START 31 OWNED BY NONE",
            f"DROP SEQUENCE {SEQUENCE}",
        ),
        migrations.RunPython(key_diseases, unkey_diseases),
    ]
