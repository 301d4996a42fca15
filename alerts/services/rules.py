"""Rule versions: the current parameters of each rule, saving a change as a new version, and
proposals of supervisors below the city, which a city-wide supervisor adopts or declines."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.models import ProposalStatus, RuleCode, RuleProposal, RuleVersion
from alerts.rules import default_params, validate_params
from alerts.rules.definitions import DISEASE_KEY_SEQUENCE, default_diseases, disease_key
from households import clock

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


def known_disease_keys() -> set[str]:
    """Every disease key the serious-disease rule has used: the defaults', and those of any saved
    version or proposal."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT d ->> 'key' FROM alerts_ruleversion v, jsonb_array_elements(v.params -> 'diseases') d
            WHERE v.rule = %(rule)s
            UNION
            SELECT d ->> 'key' FROM alerts_ruleproposal p, jsonb_array_elements(p.params -> 'diseases') d
            WHERE p.rule = %(rule)s
            """,
            {"rule": RuleCode.SERIOUS_DISEASE},
        )
        used = {key for (key,) in cursor.fetchall() if key}
    return used | {d["key"] for d in default_diseases()}


def _with_disease_keys(rule: str, params: dict) -> dict:
    """`params` (validated) with every disease keyed: a disease without a key is new to the list and
    gets the next number of the key sequence (never handed out twice, even to concurrent saves); a
    key the rule never used is refused (it would be a number the sequence may hand out later)."""
    if rule != RuleCode.SERIOUS_DISEASE:
        return params
    diseases = params["diseases"]
    unknown = [d for d in diseases if d.get("key") and d["key"] not in known_disease_keys()]
    if unknown:
        raise ValidationError(
            {
                "diseases": _(
                    "病种编号 %(keys)s 不存在：编号由系统分配，修改已有病种时保留原编号，新增病种不写编号"
                )
                % {"keys": "、".join(d["key"] for d in unknown)}
            }
        )
    new = [d for d in diseases if not d.get("key")]
    if new:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT nextval('{DISEASE_KEY_SEQUENCE}') FROM generate_series(1, %s)", [len(new)]
            )
            numbers = sorted(n for (n,) in cursor.fetchall())
        keys = dict(zip((id(d) for d in new), numbers, strict=True))
        diseases = [d if d.get("key") else {"key": disease_key(keys[id(d)]), **d} for d in diseases]
    return {**params, "diseases": diseases}


@transaction.atomic
def rule_version_create(*, rule: str, params: dict, user, note: str) -> RuleVersion:
    """Save `params` as the next version of `rule`, recording who and why.

    Guarantees: the parameters are validated (ValidationError with Chinese messages otherwise);
    earlier versions are never modified, so every alert keeps pointing at the parameters it was
    raised with; two supervisors saving at once get consecutive versions, never the same number
    (the rule's newest row is locked while numbering). Only users whose role and scope allow it
    (city-wide supervisors) save: anyone else gets PermissionDenied and nothing is saved.
    """
    if not user.has_perm("alerts.add_ruleversion"):
        raise PermissionDenied(
            _("预警规则适用于全市，只有市级督导可以保存新版本；区县督导可以提出修改建议。")
        )
    cleaned = _with_disease_keys(rule, validate_params(rule, params))
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


@transaction.atomic
def rule_proposal_create(*, rule: str, params: dict, user, note: str) -> RuleProposal:
    """Record `user`'s proposal of new parameters for `rule`, validated, against the current version.

    Only supervisors below the city propose (city-wide ones save directly): PermissionDenied else.
    """
    if not user.has_perm("alerts.add_ruleproposal") or user.scope_id is None:
        raise PermissionDenied(_("只有区县督导可以提出规则修改建议。"))
    return RuleProposal.objects.create(
        rule=rule,
        params=_with_disease_keys(rule, validate_params(rule, params)),
        note=note.strip()[:200],
        region_id=user.scope_id,
        based_on=current_rule_versions()[rule],
        proposed_by=user,
    )


class ProposalError(Exception):
    """A decision that cannot be taken now; `message` says why, in Chinese."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@transaction.atomic
def rule_proposal_decide(*, proposal: RuleProposal, user, adopt: bool, note: str) -> RuleProposal:
    """Adopt (the parameters become the rule's next version) or decline a pending proposal.

    Guarantees: only city-wide supervisors decide (PermissionDenied); a proposal is decided once
    (the row is locked; a second decision gets ProposalError and changes nothing); the version an
    adoption creates names the proposal and its author in its note.
    """
    if not user.has_perm("alerts.change_ruleproposal"):
        raise PermissionDenied(_("只有市级督导可以审议规则修改建议。"))
    proposal = RuleProposal.objects.select_for_update().select_related("proposed_by").get(pk=proposal.pk)
    if proposal.status != ProposalStatus.PENDING:
        raise ProposalError(
            _("该建议已于 %(when)s 审议（%(status)s），未作改动。")
            % {
                "when": f"{timezone.localtime(proposal.decided_at):%Y-%m-%d %H:%M}",
                "status": proposal.get_status_display(),
            }
        )
    proposal.decided_by = user
    proposal.decided_at = clock.now()
    proposal.decision_note = note.strip()[:200]
    if adopt:
        author = proposal.proposed_by.get_full_name() or proposal.proposed_by.username
        proposal.adopted_version = rule_version_create(
            rule=proposal.rule,
            params=proposal.params,
            user=user,
            note=_("采纳%(who)s的建议 #%(n)s：%(why)s")
            % {"who": author, "n": proposal.pk, "why": proposal.note},
        )
        proposal.status = ProposalStatus.ADOPTED
    else:
        proposal.status = ProposalStatus.DECLINED
    proposal.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "adopted_version"])
    return proposal
