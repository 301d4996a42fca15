"""Reads of the registry, always scoped to the requesting user."""

from django.db.models import Count, Exists, OuterRef, Prefetch, QuerySet

from households.id_search import IdQuery
from households.models import Household, Person, Region
from households.scoping import get_in_scope_or_404, scope_queryset


def household_list(*, user, search: IdQuery | None = None, region_code: str = "") -> QuerySet[Household]:
    """Households in the user's scope, optionally narrowed by region and by a member's name or ID
    (`search` from `id_search.search_for`: a refused search matches nothing)."""
    qs = scope_queryset(Household.objects.all(), user).select_related("region")
    if region_code:
        qs = qs.filter(region__code__startswith=region_code)
    if search is not None and (search.is_id_search or search.name):
        matching = Person.objects.filter(search.person_filter())
        # A semi-join, not a join on members: the member count below must see the whole household,
        # not only the members who matched.
        qs = qs.filter(Exists(matching.filter(household=OuterRef("pk"))))
    return (
        qs.annotate(member_count=Count("members"))
        .prefetch_related(
            Prefetch("members", queryset=Person.objects.filter(relation="head"), to_attr="heads")
        )
        .order_by("-id")
    )


def household_get(*, user, pk: int) -> Household:
    qs = Household.objects.select_related("region", "region__parent", "region__parent__parent")
    return get_in_scope_or_404(qs, user, pk=pk)


def person_list(*, user) -> QuerySet[Person]:
    return scope_queryset(Person.objects.select_related("household"), user, "household__region__code")


def region_path(region: Region) -> list[Region]:
    """The region and its ancestors, top first (for breadcrumbs)."""
    path = []
    node = region
    while node is not None:
        path.append(node)
        node = node.parent
    return list(reversed(path))
