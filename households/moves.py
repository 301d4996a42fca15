"""Moving a household to another village, or a person to another household: the one way to do it.

Where a person lives is copied onto rows of the apps above this one (a monitoring record's
household and region code, an open alert's household and region, its home visits' household), so
these services change the household or person, record the move, and call every registered
"moved" hook in the same transaction: one failure anywhere undoes the whole move.

The apps above may not be imported from here (import-linter layers), so each registers its hook
from its AppConfig.ready(): `register(hook)`, called as
`hook(cursor=…, persons_sql=…, actor=…, now=…, note=…)` after the move, where `persons_sql` is a
SQL subquery of the ids of the people whose home may have changed (every member of a moved
household), `actor` who did it (None: a feed without an uploader) and `note` says why in words a
caseworker reads in an alert's history. Hooks work set-based (one UPDATE per copy) and touch only
copies that differ. The roster feed, which also moves households and people, calls
`copies_follow` with the people of the households its file names.
"""

from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils.translation import gettext as _
from psycopg import sql

from households import clock
from households.models import Household, HouseholdMove, Person, PersonMove, Region, RegionLevel, Relation
from households.scoping import region_in_scope

_HOOKS: list[Callable] = []


def register(hook: Callable) -> None:
    if hook not in _HOOKS:
        _HOOKS.append(hook)


def copies_follow(*, cursor, persons_sql: str, actor, now, note: str) -> None:
    """Bring every registered copy of where the people of `persons_sql` live in step (psycopg
    `cursor`, inside the caller's transaction)."""
    for hook in _HOOKS:
        hook(cursor=cursor, persons_sql=persons_sql, actor=actor, now=now, note=note)


def _run_hooks(*, persons_sql: str, actor, now, note: str) -> None:
    with connection.cursor() as cursor:
        copies_follow(cursor=cursor.cursor, persons_sql=persons_sql, actor=actor, now=now, note=note)


def _require_scope(actor, *region_codes: str) -> None:
    """Moving across scopes needs both ends in sight: the actor must see the source and the target."""
    for code in region_codes:
        if not region_in_scope(actor, code):
            raise ValidationError(
                _("区域 %(code)s 不在您的管辖范围内：只能在您能查看的区域之间迁移。") % {"code": code}
            )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写迁移原因（1 至 200 个字）。"), code="reason")
    if len(reason) > 200:
        raise ValidationError(
            _("迁移原因过长：最多 200 个字，当前 %(n)s 个字。") % {"n": len(reason)}, code="reason"
        )
    return reason


def check_household_move(*, actor, household: Household, region: Region, reason: str) -> str:
    """Why `household` cannot move to `region` (a ValidationError), or the cleaned reason."""
    reason = _require_reason(reason)
    if region.level != RegionLevel.VILLAGE:
        raise ValidationError(
            _("%(region)s 不是村（社区）：家庭只能迁入村（社区）级区域（12 位区划代码）。")
            % {"region": region}
        )
    if region.code == household.region_id:
        raise ValidationError(_("家庭已在 %(region)s，无需迁移。") % {"region": region})
    _require_scope(actor, household.region_id, region.code)
    return reason


@transaction.atomic
def household_move(*, actor, household_id: int, region_code: str, reason: str) -> HouseholdMove:
    """Move a household to another village: the household's region, every member's monitoring
    record and every open alert follow (open alerts go to the new area's caseworker), closed
    alerts keep their region and history; the move is recorded. All or nothing."""
    household = Household.objects.select_for_update().get(pk=household_id)
    region = Region.objects.get(code=region_code)
    reason = check_household_move(actor=actor, household=household, region=region, reason=reason)
    now = clock.now()
    move = HouseholdMove.objects.create(
        household=household,
        from_region_id=household.region_id,
        to_region=region,
        reason=reason,
        moved_by=actor,
    )
    Household.objects.filter(pk=household.pk).update(region=region, updated_at=now)
    note = _("家庭从 %(from)s 迁至 %(to)s，原因：%(reason)s") % {
        "from": Region.objects.get(code=move.from_region_id),
        "to": region,
        "reason": reason,
    }
    members = sql.SQL("SELECT id FROM households_person WHERE household_id = {}").format(household.pk)
    _run_hooks(persons_sql=members.as_string(), actor=actor, now=now, note=note)
    return move


def check_head_rule(*, person: Person, household: Household, relation: str) -> None:
    """A household is keyed by its head's ID: its head is exactly the member carrying that ID."""
    if (relation == Relation.HEAD) != (person.id_number == household.head_id_number):
        raise ValidationError(
            _(
                "与户主关系不符：只有身份证号等于该家庭户主身份证号的人才能是户主，其他人请选择配偶、子女等关系。"
            ),
            code="relation",
        )


def check_person_move(*, actor, person: Person, household: Household, relation: str, reason: str) -> str:
    """Why `person` cannot move into `household` as `relation` (a ValidationError), or the reason."""
    reason = _require_reason(reason)
    if household.pk == person.household_id:
        raise ValidationError(_("该人员已在这个家庭，无需迁移。"))
    if relation not in Relation.values:
        raise ValidationError(_("与户主关系“%(value)s”无效。") % {"value": relation})
    if person.household_id is not None and person.id_number == person.household.head_id_number:
        raise ValidationError(
            _("%(name)s 是原家庭的户主（家庭按户主身份证号登记），不能单独迁出；请迁移整个家庭。")
            % {"name": person.name}
        )
    check_head_rule(person=person, household=household, relation=relation)
    _require_scope(actor, *[h.region_id for h in (person.household, household) if h is not None])
    return reason


@transaction.atomic
def person_move(*, actor, person_id: int, household_id: int, relation: str, reason: str) -> PersonMove:
    """Move a person into another household (with their relation to its head): their monitoring
    record and open alerts (with those alerts' home visits) follow; the move is recorded. A head
    cannot leave their household alone, and a household has one head. All or nothing."""
    person = Person.objects.select_for_update(of=("self",)).select_related("household").get(pk=person_id)
    household = Household.objects.get(pk=household_id)
    reason = check_person_move(
        actor=actor, person=person, household=household, relation=relation, reason=reason
    )
    now = clock.now()
    move = PersonMove.objects.create(
        person=person,
        from_household_id=person.household_id,
        to_household=household,
        from_relation=person.relation,
        to_relation=relation,
        reason=reason,
        moved_by=actor,
    )
    Person.objects.filter(pk=person.pk).update(household=household, relation=relation, updated_at=now)
    note = _("%(name)s 迁入 %(region)s 的家庭（户主 %(head)s），原因：%(reason)s") % {
        "name": person.name,
        "region": household.region,
        "head": household.masked_head_id,
        "reason": reason,
    }
    _run_hooks(
        persons_sql=sql.SQL("SELECT {}::bigint").format(person.pk).as_string(),
        actor=actor,
        now=now,
        note=note,
    )
    return move
