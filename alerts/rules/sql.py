"""The four rules as SQL: one statement per rule and county, over the feed tables.

Each rule is written once as a chain of CTEs ending in `fresh` — the alerts the rule would raise
for the as-of date that do not exist yet — and used two ways: `INSERT … SELECT … ON CONFLICT
(rule, dedupe_key) DO NOTHING` by the run, `SELECT count(*) … GROUP BY county` by the what-if
preview. Same text, so the preview cannot drift from what the run does.

Named parameters every statement takes: as_of (date), county (a LIKE pattern on the household's
region code: '130921%' or '%'), rule, version_id, run_id, and the rule's own parameters (the
version's deadline_days among them: an alert's deadline is its raising day plus those days). In incremental mode, `touched` limits the monitored people to those whose inputs may
have changed since the baseline run (see `alerts.services.run`).
"""

import re
from decimal import Decimal

from alerts.models import RuleCode
from alerts.rules.definitions import CHILD_AGE_LIMIT, normalize_code
from households.ages import under_age_sql

MONEY = "'FM999,999,999,990.00'"

# Materialised: the county's monitored people first (a few thousand rows; on an incremental night
# only those touched, looked up by id), then per-person index scans into the feed tables. Inlined,
# the planner joins the feed first and filters later.
# Monitored on as_of = a monitoring spell in force that day (not the current record: a person who
# has exited since, or exited and come back, was monitored then). Spells of a person never share a
# day (monitoringspell_no_overlap), so this is at most one row a person.
MONITORED = """
monitored AS MATERIALIZED (
    SELECT p.id AS person_id, p.id_number, p.birth_date, p.household_id, h.region_id, h.annual_income,
           {recheck} AS recheck
    FROM monitoring_monitoringspell m
    JOIN households_person p ON p.id = m.person_id
    JOIN households_household h ON h.id = p.household_id
    WHERE m.since <= %(as_of)s::date AND (m.exit_date IS NULL OR m.exit_date > %(as_of)s::date)
      AND h.region_id LIKE %(county)s
      {touched}
)"""

WINDOW = "{col} > %(as_of)s::date - %(window_days)s AND {col} <= %(as_of)s::date"


def normalised_code(column: str) -> str:
    """A stored diagnosis code in the form the disease list's prefixes are kept in
    (`definitions.normalize_code`): the loader stores codes canonical (`imports.icd`: upper case,
    no spaces, `C34.9`), so dropping the dot is all that is left (`C34.9` → `C349`)."""
    return f"replace({column}, '.', '')"


# (UNION ALL: the IN semi-join ignores duplicates; deduplicating 100k IDs first costs more.)
# People whose inputs changed since the baseline run: one of their monitoring spells changed or
# started after the baseline's as-of date, or a batch finished after the baseline's watermark wrote
# one of the rule's feed rows. (A spell only changes with its record, in the same transaction.)
TOUCHED_MONITORING = """
    SELECT p2.id_number FROM monitoring_monitoringspell m2 JOIN households_person p2 ON p2.id = m2.person_id
    WHERE m2.updated_at > %(watermark)s OR m2.since > %(prev_as_of)s::date"""
TOUCHED_BATCH = "\n    UNION ALL SELECT id_number FROM {table} WHERE batch_id = ANY(%(batches)s)"
# The regex (~80 alternatives, ~4 µs a row) only runs on codes whose first three characters are
# listed (an array lookup, a tenth of that); a 100k-row file has a few hundred such rows.
TOUCHED_SERIOUS = f"""
    UNION ALL SELECT id_number FROM {{table}} WHERE batch_id = ANY(%(batches)s) AND {{day}}
      AND CASE WHEN left({normalised_code("diagnosis_code")}, 3) = ANY(%(d_prefix3)s)
               THEN {normalised_code("diagnosis_code")} ~ %(d_regex)s END"""
TOUCHED_SQL = {
    RuleCode.HIGH_MEDICAL_SELF_PAY: TOUCHED_MONITORING
    + TOUCHED_BATCH.format(table="imports_medicalsettlement")
    # A person whose cooldown ended since the baseline may be alerted again with no new record.
    + """
    UNION ALL SELECT p3.id_number FROM alerts_alert a3 JOIN households_person p3 ON p3.id = a3.person_id
    WHERE a3.rule = %(rule)s AND a3.raised_on > %(prev_as_of)s::date - %(cooldown_days)s
      AND a3.raised_on <= %(as_of)s::date - %(cooldown_days)s""",
    # Only new records in the window naming a listed disease can raise a serious-disease alert
    # (a 100k-row settlement file names one in a few hundred rows, not one per person touched).
    RuleCode.SERIOUS_DISEASE: TOUCHED_MONITORING
    + TOUCHED_SERIOUS.format(table="imports_medicalsettlement", day=WINDOW.format(col="settle_date"))
    + TOUCHED_SERIOUS.format(table="imports_diagnosis", day=WINDOW.format(col="diagnosed_on")),
    RuleCode.REGISTERED_UNEMPLOYMENT: TOUCHED_MONITORING
    + TOUCHED_BATCH.format(table="imports_unemploymentregistration")
    + """
    UNION ALL SELECT id_number FROM imports_unemploymentregistration
    WHERE registered_on > %(prev_as_of)s::date AND registered_on <= %(as_of)s::date""",
    RuleCode.NEW_SEVERE_DISABILITY: TOUCHED_MONITORING
    + TOUCHED_BATCH.format(table="imports_disabilitycertificate")
    + """
    UNION ALL SELECT id_number FROM imports_disabilitycertificate
    WHERE issued_on > %(prev_as_of)s::date AND issued_on <= %(as_of)s::date""",
}


# Self-pay on an incremental night: of the touched people, only those who could be alerted tonight
# are re-summed — not those with a self-pay alert within the cooldown (exactly the `fresh` test),
# and not those whose stored upper bound (alerts.models.SelfPayState) plus what arrived since stays
# under the threshold. The bound of every touched person with a valid state moves to tonight:
# its old value (rows only leave a sliding window; amounts are >= 0, a DB constraint), plus the
# window's rows of the new batches (corrected rows carry their new batch), plus the rows of older
# batches dated after the state's date. Those can only be in `ahead_batches`: the loader rejects
# dates after the import day, so a batch finished on or before a state's date holds none (see
# alerts.services.run). People re-summed get their exact total back from the county statement.
SELF_PAY_TOUCHED = f"""
WITH t AS MATERIALIZED (
    SELECT p.id AS person_id, p.id_number, left(h.region_id, 6) AS county
    FROM households_person p JOIN households_household h ON h.id = p.household_id
    WHERE p.id_number IN ({TOUCHED_SQL[RuleCode.HIGH_MEDICAL_SELF_PAY]}
    )
),
added AS (
    SELECT s.id_number, sum(s.self_paid) AS amount FROM imports_medicalsettlement s
    WHERE s.batch_id = ANY(%(batches)s) AND {WINDOW.format(col="s.settle_date")}
    GROUP BY 1
),
states AS MATERIALIZED (
    SELECT st.person_id, st.id_number, st.as_of, st.total_upper FROM alerts_selfpaystate st
    WHERE st.rule_version_id = %(version_id)s AND st.as_of <= %(as_of)s::date
),
late AS (
    SELECT t.person_id, sum(s.self_paid) AS amount
    FROM imports_medicalsettlement s
    JOIN t ON t.id_number = s.id_number
    JOIN states st ON st.person_id = t.person_id AND s.settle_date > st.as_of
    WHERE s.batch_id = ANY(%(ahead_batches)s) AND s.settle_date <= %(as_of)s::date
    GROUP BY 1
),
j AS MATERIALIZED (
    SELECT t.person_id, t.county,
           -- (A state is valid only for the ID number it was computed with.)
           CASE WHEN st.id_number = t.id_number THEN st.total_upper + coalesce(a.amount, 0) + coalesce(l.amount, 0)
           END AS bound,
           EXISTS (
               SELECT 1 FROM alerts_alert al
               WHERE al.person_id = t.person_id AND al.rule = %(rule)s
                 AND al.raised_on > %(as_of)s::date - %(cooldown_days)s
                 AND al.raised_on < %(as_of)s::date + %(cooldown_days)s
           ) AS cooling
    FROM t
    LEFT JOIN states st ON st.person_id = t.person_id
    LEFT JOIN added a ON a.id_number = t.id_number
    LEFT JOIN late l ON l.person_id = t.person_id
),
moved AS (
    UPDATE alerts_selfpaystate st SET total_upper = j.bound, as_of = %(as_of)s::date
    FROM j WHERE st.person_id = j.person_id AND j.bound IS NOT NULL
)
-- Every county with someone touched is listed (the rule's inputs changed there), maybe with no one
-- left to re-sum.
SELECT county, coalesce(array_agg(person_id ORDER BY person_id)
                        FILTER (WHERE NOT cooling AND (bound IS NULL OR bound >= %(threshold_yuan)s::numeric)),
                        '{{}}')
FROM j GROUP BY 1"""


def touched_sql(rule: str) -> str:
    """Person ids by county whose inputs to `rule` may have changed since the baseline; computed
    once per run (not once per county) and handed to each county's statement. For self-pay, only
    those who could be alerted tonight (and it moves the others' stored bounds forward)."""
    if rule == RuleCode.HIGH_MEDICAL_SELF_PAY:
        return SELF_PAY_TOUCHED
    return f"""
    SELECT left(h.region_id, 6), array_agg(p.id ORDER BY p.id)
    FROM households_person p JOIN households_household h ON h.id = p.household_id
    WHERE p.id_number IN ({TOUCHED_SQL[rule]}
    )
    GROUP BY 1"""


# --- 1. high medical self-pay: one alert per person per cooldown period ---------------------------
# Evidence lists the largest settlements of the window, not all of them: each listed one costs a
# random heap read (settlement number, batch), the rest is counted from the covering index.
SELF_PAY_SOURCES_SHOWN = 5

SELF_PAY = f"""
totals AS MATERIALIZED (
    SELECT mo.person_id, mo.id_number, mo.household_id, mo.region_id, mo.annual_income, t.total, t.n
    FROM monitored mo
    -- One index-only range scan per person (medsettle_person_date_cover), no big sort or hash.
    CROSS JOIN LATERAL (
        SELECT coalesce(sum(s.self_paid), 0) AS total, count(*) AS n FROM imports_medicalsettlement s
        WHERE s.id_number = mo.id_number AND {WINDOW.format(col="s.settle_date")}
    ) t
),
cand AS (
    SELECT t.*, t.person_id::text || ':' || %(as_of)s::text AS dedupe_key
    FROM totals t
    WHERE t.total >= %(threshold_yuan)s::numeric
),
fresh AS (
    SELECT c.* FROM cand c
    -- A scalar subquery, not NOT EXISTS, and `a.rule || ''` so no index on rule qualifies: always
    -- one lookup by person per candidate. The alert table's statistics are stale during a run
    -- (a first night starts from an empty table), and with them the planner would otherwise
    -- scan every alert of the rule (alert_rule_raised_on) once per candidate.
    WHERE (
        SELECT 1 FROM alerts_alert a
        WHERE a.person_id = c.person_id AND (a.rule || '') = %(rule)s
          AND a.raised_on > %(as_of)s::date - %(cooldown_days)s
          AND a.raised_on < %(as_of)s::date + %(cooldown_days)s
        LIMIT 1
    ) IS NULL
)"""
SELF_PAY_EVIDENCE = f"""
jsonb_build_object(
    'summary', '近' || %(window_days)s || '天个人自付 ' || to_char(f.total, {MONEY})
               || ' 元，达到阈值 ' || to_char(%(threshold_yuan)s::numeric, {MONEY}) || ' 元'
               || CASE WHEN f.n > {SELF_PAY_SOURCES_SHOWN}
                       THEN '（共 ' || f.n || ' 笔结算，列出金额最大的 {SELF_PAY_SOURCES_SHOWN} 笔）' ELSE '' END,
    'values', jsonb_build_object(
        'self_paid_total', f.total::text,
        'threshold_yuan', to_char(%(threshold_yuan)s::numeric, 'FM999999999990.00'),
        'window_days', %(window_days)s,
        'settlement_count', f.n,
        'sources_omitted', greatest(f.n - {SELF_PAY_SOURCES_SHOWN}, 0),
        'household_self_paid_total', (
            SELECT sum(s.self_paid)::text FROM households_person hp
            JOIN imports_medicalsettlement s ON s.id_number = hp.id_number
                 AND {WINDOW.format(col="s.settle_date")}
            WHERE hp.household_id = f.household_id),
        'household_annual_income', f.annual_income::text),
    'sources', (
        SELECT jsonb_agg(jsonb_build_object(
            'table', 'medical_settlement', 'id', s.id, 'key', s.settlement_id, 'date', s.settle_date,
            'batch_id', s.batch_id,
            'label', '医保结算 ' || s.settlement_id || ' ' || s.settle_date || ' 个人自付 '
                     || to_char(s.self_paid, {MONEY}) || ' 元') ORDER BY top.rank)
        -- The largest ones from the covering index (index-only), then their rows by primary key.
        FROM (
            SELECT s0.id, row_number() OVER (ORDER BY s0.self_paid DESC, s0.id) AS rank
            FROM imports_medicalsettlement s0
            WHERE s0.id_number = f.id_number AND {WINDOW.format(col="s0.settle_date")}
            ORDER BY s0.self_paid DESC, s0.id LIMIT {SELF_PAY_SOURCES_SHOWN}
        ) top
        JOIN imports_medicalsettlement s ON s.id = top.id)
)"""

# --- 2. serious disease: one alert per person per disease ------------------------------------------
SERIOUS = """
diseases AS (
    SELECT * FROM unnest(%(d_keys)s::text[], %(d_names)s::text[], %(d_prefixes)s::text[], %(d_child)s::bool[])
        AS d(key, name, prefix, child)
),
{events}),
cand AS (
    -- The latest qualifying record of each person and disease is the one shown as evidence. A
    -- disease is its key (stable across list versions: a rename does not re-alert); the evidence
    -- keeps the name it had when the alert was raised.
    SELECT DISTINCT ON (e.person_id, d.key)
           e.*, d.key AS disease_key, d.name AS disease, d.child,
           e.person_id::text || ':' || d.key AS dedupe_key
    FROM events e
    JOIN diseases d ON left(e.norm, 3) = left(d.prefix, 3) AND e.norm LIKE d.prefix || '%%'
    WHERE NOT d.child OR {under_18}
    ORDER BY e.person_id, d.key, e.day DESC, e.id DESC
),
fresh AS (
    SELECT c.* FROM cand c
    WHERE NOT EXISTS (SELECT 1 FROM alerts_alert a WHERE a.rule = %(rule)s AND a.dedupe_key = c.dedupe_key)
)"""
# "child": under 18 on the event date, by the one definition of age (households.ages).
SERIOUS = SERIOUS.replace("{under_18}", under_age_sql("e.birth_date", "e.day", CHILD_AGE_LIMIT))
_SETTLEMENT_EVENTS = f"""
    SELECT mo.person_id, mo.household_id, mo.region_id, mo.birth_date,
           'medical_settlement' AS tbl, s.id, s.settle_date AS day, s.diagnosis_code AS code,
           {normalised_code("s.diagnosis_code")} AS norm
    FROM {{source}}
    WHERE s.diagnosis_code <> '' AND {WINDOW.format(col="s.settle_date")}"""
_DIAGNOSIS_EVENTS = f"""
    SELECT mo.person_id, mo.household_id, mo.region_id, mo.birth_date,
           'diagnosis', g.id, g.diagnosed_on, g.diagnosis_code,
           {normalised_code("g.diagnosis_code")}
    FROM {{source}}
    WHERE {WINDOW.format(col="g.diagnosed_on")}"""


def serious_events(incremental: bool) -> str:
    """The settlements and diagnoses in the window that may name a serious disease.

    Full: every record of every monitored person (settlements through the covering index
    medsettle_person_date_cover: index-only scans; the rest of the chosen record is read only
    for alerts raised). Incremental: only records of batches finished since the baseline, plus all
    records of people whose monitoring changed — an older record of anyone else was already seen.
    """
    by_person_s = "monitored mo JOIN imports_medicalsettlement s ON s.id_number = mo.id_number"
    by_person_g = "monitored mo JOIN imports_diagnosis g ON g.id_number = mo.id_number"
    if not incremental:
        parts = [_SETTLEMENT_EVENTS.format(source=by_person_s), _DIAGNOSIS_EVENTS.format(source=by_person_g)]
    else:
        parts = [
            _SETTLEMENT_EVENTS.format(source=by_person_s) + " AND mo.recheck",
            _SETTLEMENT_EVENTS.format(
                source="imports_medicalsettlement s JOIN monitored mo ON mo.id_number = s.id_number"
            )
            + " AND s.batch_id = ANY(%(batches)s)",
            _DIAGNOSIS_EVENTS.format(source=by_person_g) + " AND mo.recheck",
            _DIAGNOSIS_EVENTS.format(
                source="imports_diagnosis g JOIN monitored mo ON mo.id_number = g.id_number"
            )
            + " AND g.batch_id = ANY(%(batches)s)",
        ]
    return "events AS (" + "\n    UNION ALL".join(parts) + "\n"  # SERIOUS closes it


SERIOUS_EVIDENCE = """
jsonb_build_object(
    'summary', CASE f.tbl WHEN 'medical_settlement' THEN '医保结算' ELSE '疾病诊断' END
               || '记录 ' || f.day || ' 诊断 ' || f.code
               || CASE WHEN src.code_name <> '' THEN '（' || src.code_name || '）' ELSE '' END
               || '，属重特大疾病“' || f.disease || '”'
               || CASE WHEN f.child THEN '（儿童病种，就诊时未满18周岁）' ELSE '' END,
    'values', jsonb_build_object('disease', f.disease, 'disease_key', f.disease_key, 'code', f.code,
                                 'window_days', %(window_days)s, 'child_only', f.child),
    'sources', jsonb_build_array(jsonb_build_object(
        'table', f.tbl, 'id', f.id, 'key', src.key, 'date', f.day, 'batch_id', src.batch_id,
        'label', CASE f.tbl WHEN 'medical_settlement' THEN '医保结算 ' ELSE '疾病诊断 ' END
                 || src.key || ' ' || f.day || ' ' || f.code || ' ' || src.code_name))
)"""
SERIOUS_SOURCE = """
CROSS JOIN LATERAL (
    SELECT settlement_id AS key, batch_id, diagnosis_name AS code_name
    FROM imports_medicalsettlement WHERE f.tbl = 'medical_settlement' AND id = f.id
    UNION ALL
    SELECT record_id, batch_id, diagnosis_name FROM imports_diagnosis WHERE f.tbl = 'diagnosis' AND id = f.id
) src"""

# --- 3. registered unemployment: one alert per registration --------------------------------------
UNEMPLOYMENT = f"""
cand AS (
    SELECT mo.person_id, mo.household_id, mo.region_id, u.id, u.registration_no AS dedupe_key,
           u.registered_on, u.batch_id
    FROM monitored mo
    JOIN imports_unemploymentregistration u ON u.id_number = mo.id_number
    -- Counted if it had not ended by the as-of date, whatever its status today (a run for a past
    -- as-of date sees a registration that has ended since as open). A status of 已就业/注销 with no
    -- end date is an end we cannot date: it counts as ended on every as-of date, so only a
    -- registration still 登记失业 counts without one.
    WHERE {WINDOW.format(col="u.registered_on")}
      AND (u.ended_on > %(as_of)s::date OR (u.ended_on IS NULL AND u.status = 'unemployed'))
),
fresh AS (
    SELECT c.* FROM cand c
    WHERE NOT EXISTS (SELECT 1 FROM alerts_alert a WHERE a.rule = %(rule)s AND a.dedupe_key = c.dedupe_key)
)"""
UNEMPLOYMENT_EVIDENCE = """
jsonb_build_object(
    'summary', f.registered_on || ' 办理失业登记（登记编号 ' || f.dedupe_key || '），截至 ' || %(as_of)s::date
               || ' 仍为登记失业',
    'values', jsonb_build_object('registration_no', f.dedupe_key, 'registered_on', f.registered_on,
                                 'window_days', %(window_days)s),
    'sources', jsonb_build_array(jsonb_build_object(
        'table', 'unemployment_registration', 'id', f.id, 'key', f.dedupe_key, 'date', f.registered_on,
        'batch_id', f.batch_id, 'label', '失业登记 ' || f.dedupe_key || ' ' || f.registered_on))
)"""

# --- 4. new severe disability: one alert per certificate -----------------------------------------
GRADE = "(ARRAY['一级', '二级', '三级', '四级'])[{col}]"
KIND = "(ARRAY['视力', '听力', '言语', '肢体', '智力', '精神', '多重'])[{col}]"
DISABILITY = f"""
cand AS (
    -- A certificate is its first 20 characters (ID, type, grade): a reissued card (a suffix such
    -- as B1 after them) is the same certificate, a regrade changes character 20 and is a new one.
    -- Of several cards of one certificate in the window, the earliest issued is the evidence.
    SELECT DISTINCT ON (left(c.certificate_no, 20))
           mo.person_id, mo.household_id, mo.region_id, c.id, c.certificate_no,
           left(c.certificate_no, 20) AS dedupe_key, c.issued_on, c.batch_id, c.grade, c.disability_type
    FROM monitored mo
    JOIN imports_disabilitycertificate c ON c.id_number = mo.id_number
    WHERE c.grade IN (1, 2) AND c.status = 'valid' AND {WINDOW.format(col="c.issued_on")}
    ORDER BY left(c.certificate_no, 20), c.issued_on, c.id
),
fresh AS (
    SELECT c.* FROM cand c
    WHERE NOT EXISTS (SELECT 1 FROM alerts_alert a WHERE a.rule = %(rule)s AND a.dedupe_key = c.dedupe_key)
)"""
DISABILITY_EVIDENCE = f"""
jsonb_build_object(
    'summary', f.issued_on || ' 新办残疾人证，' || {GRADE.format(col="f.grade")}
               || coalesce({KIND.format(col="f.disability_type")}, '') || '残疾（证号 ' || f.certificate_no || '）',
    'values', jsonb_build_object('certificate_no', f.certificate_no, 'grade', f.grade,
                                 'disability_type', f.disability_type, 'issued_on', f.issued_on,
                                 'window_days', %(window_days)s),
    'sources', jsonb_build_array(jsonb_build_object(
        'table', 'disability_certificate', 'id', f.id, 'key', f.certificate_no, 'date', f.issued_on,
        'batch_id', f.batch_id,
        'label', '残疾人证 ' || f.certificate_no || ' ' || f.issued_on || ' ' || {GRADE.format(col="f.grade")}))
)"""

# (CTEs ending in `fresh`, evidence expression over `f`, extra FROM items for the evidence)
RULE_SQL = {
    RuleCode.HIGH_MEDICAL_SELF_PAY: (SELF_PAY, SELF_PAY_EVIDENCE, ""),
    RuleCode.SERIOUS_DISEASE: (SERIOUS, SERIOUS_EVIDENCE, SERIOUS_SOURCE),
    RuleCode.REGISTERED_UNEMPLOYMENT: (UNEMPLOYMENT, UNEMPLOYMENT_EVIDENCE, ""),
    RuleCode.NEW_SEVERE_DISABILITY: (DISABILITY, DISABILITY_EVIDENCE, ""),
}


def _ctes(rule: str, incremental: bool) -> str:
    # The people to look at tonight were found once, when the run began (`touched_sql`).
    touched = "AND p.id = ANY(%(touched_ids)s::bigint[])" if incremental else ""
    # recheck: the spell in force changed or began since the baseline, so all their records count again.
    recheck = "(m.updated_at > %(watermark)s OR m.since > %(prev_as_of)s::date)" if incremental else "true"
    ctes = RULE_SQL[rule][0]
    if rule == RuleCode.SERIOUS_DISEASE:
        ctes = ctes.replace("{events}", serious_events(incremental))
    return "WITH " + MONITORED.format(touched=touched, recheck=recheck) + ",\n" + ctes


# Every person summed tonight keeps their exact total as the start of the next incremental bound.
SELF_PAY_STATE = """
state AS (
    INSERT INTO alerts_selfpaystate (person_id, id_number, rule_version_id, as_of, total_upper)
    SELECT t.person_id, t.id_number, %(version_id)s, %(as_of)s::date, t.total FROM totals t
    ON CONFLICT (person_id) DO UPDATE SET id_number = EXCLUDED.id_number,
        rule_version_id = EXCLUDED.rule_version_id, as_of = EXCLUDED.as_of, total_upper = EXCLUDED.total_upper
),"""


def insert_sql(rule: str, *, incremental: bool) -> str:
    """One statement: raise the rule's fresh alerts in one county, record their raising in each
    alert's history (both stamped with the parameter `now`), and return (candidates, alerts raised)."""
    return f"""{_ctes(rule, incremental)},{SELF_PAY_STATE if rule == RuleCode.HIGH_MEDICAL_SELF_PAY else ""}
ins AS (
    INSERT INTO alerts_alert
        (rule, rule_version_id, run_id, dedupe_key, person_id, household_id, region_id, raised_on,
         evidence, status, assignee_id, deadline, outcome, close_note, closed_at, verified_at,
         lock_version, created_at, updated_at)
    SELECT %(rule)s, %(version_id)s, %(run_id)s, f.dedupe_key, f.person_id, f.household_id, f.region_id,
           %(as_of)s::date, {RULE_SQL[rule][1]}, 'new', NULL, %(as_of)s::date + %(deadline_days)s,
           '', '', NULL, NULL, 0, %(now)s, %(now)s
    FROM fresh f {RULE_SQL[rule][2]}
    ON CONFLICT (rule, dedupe_key) DO NOTHING
    RETURNING id
), ev AS (
    INSERT INTO alerts_alertevent (alert_id, actor_id, at, action, from_status, to_status, note, data)
    SELECT ins.id, NULL, %(now)s, 'raised', '', 'new', '监测运行产生预警',
           jsonb_build_object('run_id', %(run_id)s, 'rule_version_id', %(version_id)s)
    FROM ins
)
SELECT (SELECT count(*) FROM cand), (SELECT count(*) FROM ins)"""


def preview_sql(rule: str) -> str:
    """The alerts the rule would raise, counted by county, raising nothing."""
    return f"""{_ctes(rule, False)}
SELECT left(f.region_id, 6) AS county, count(*) FROM fresh f GROUP BY 1 ORDER BY 1"""


def rule_params(rule: str, params: dict) -> dict:
    """The rule's parameters as SQL parameters (the disease list as three parallel arrays)."""
    out = {"window_days": int(params["window_days"]), "deadline_days": int(params["deadline_days"])}
    if rule == RuleCode.HIGH_MEDICAL_SELF_PAY:
        out["threshold_yuan"] = Decimal(str(params["threshold_yuan"]))
        out["cooldown_days"] = int(params["cooldown_days"])
    if rule == RuleCode.SERIOUS_DISEASE:
        keys, names, prefixes, child = [], [], [], []
        for disease in params["diseases"]:
            for code in disease["codes"]:
                # (A draft's new disease has no key yet: the preview counts it as never alerted.)
                keys.append(disease.get("key") or f"new:{disease['name']}")
                names.append(disease["name"])
                prefixes.append(normalize_code(code))
                child.append(bool(disease.get("child")))
        out.update(d_keys=keys, d_names=names, d_prefixes=prefixes, d_child=child)
        # One anchored alternation, compiled once per statement: a LIKE per listed prefix per row
        # cost ~4 s over a 100k-row file.
        out["d_prefix3"] = sorted({p[:3] for p in prefixes})
        out["d_regex"] = (
            "^(" + "|".join(re.escape(p) for p in sorted(set(prefixes))) + ")" if prefixes else "^$."
        )
    return out
