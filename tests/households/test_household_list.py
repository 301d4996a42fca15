"""The household list as a caseworker reads it: one row per household, its real size."""

import re

import pytest
from django.urls import reverse

from households.models import Relation
from tests.conftest import VILLAGE_A
from tests.factories import PersonFactory, household_with_head

pytestmark = pytest.mark.django_db


def sizes_by_head(response) -> dict[str, str]:
    """{head's name: the 人数 cell} of every row of the list."""
    html = response.content.decode()
    rows = re.findall(r"<tr>\s*<td><a [^>]*>([^<]+)</a></td>\s*<td[^>]*>[^<]*</td>\s*<td>(\d+)</td>", html)
    return dict(rows)


def test_the_size_column_counts_every_member_whatever_the_search(client_for, caseworker_a):
    household = household_with_head(VILLAGE_A, name="王大")
    PersonFactory(household=household, name="李二", relation=Relation.SPOUSE)
    child = PersonFactory(household=household, name="王小", relation=Relation.CHILD)
    household_with_head(VILLAGE_A, name="赵单")
    client = client_for(caseworker_a)
    url = reverse("households:list")
    assert sizes_by_head(client.get(url)) == {"王大": "3", "赵单": "1"}
    # A search finds the household by any member; the column still shows all three of them.
    for query in ("王", "李", "王小", child.id_number):
        assert sizes_by_head(client.get(url, {"q": query})) == {"王大": "3"}, query
