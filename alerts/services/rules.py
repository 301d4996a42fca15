"""Rule versions: the current parameters of each rule, and saving a change as a new version."""

from django.db import IntegrityError, transaction

from alerts.models import RuleCode, RuleVersion
from alerts.rules import default_params, validate_params

# The note of every rule's version 1, shown on the rules pages.
DEFAULT_NOTE = "系统默认参数"


def ensure_default_rule_versions() -> None:
    """Create version 1 of every rule with the default parameters where a rule has no version yet.

    Safe to call again (the seeding migration and tests that emptied the table use it).
    """
    for rule in RuleCode.values:
        if not RuleVersion.objects.filter(rule=rule).exists():
            RuleVersion.objects.get_or_create(
                rule=rule,
                version=1,
                defaults={"params": default_params(rule), "note": DEFAULT_NOTE},
            )


def current_rule_versions() -> dict[str, RuleVersion]:
    """The newest version of every rule (seeding the defaults first if a rule has none)."""
    ensure_default_rule_versions()
    return {v.rule: v for v in RuleVersion.objects.order_by("rule", "-version").distinct("rule")}


@transaction.atomic
def rule_version_create(*, rule: str, params: dict, user, note: str) -> RuleVersion:
    """Save `params` as the next version of `rule`, recording who and why.

    Guarantees: the parameters are validated (ValidationError with Chinese messages otherwise);
    earlier versions are never modified, so every alert keeps pointing at the parameters it was
    raised with; two supervisors saving at once get consecutive versions, never the same number
    (the rule's newest row is locked while numbering).
    """
    cleaned = validate_params(rule, params)
    latest = RuleVersion.objects.select_for_update().filter(rule=rule).order_by("-version").first()
    version = (latest.version if latest else 0) + 1
    try:
        with transaction.atomic():
            return RuleVersion.objects.create(
                rule=rule, version=version, params=cleaned, note=note.strip()[:200], created_by=user
            )
    except IntegrityError:
        # The very first version raced with another save; the unique constraint caught it.
        version = RuleVersion.objects.filter(rule=rule).order_by("-version").first().version + 1
        return RuleVersion.objects.create(
            rule=rule, version=version, params=cleaned, note=note.strip()[:200], created_by=user
        )
