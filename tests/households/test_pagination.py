"""Paging through a long household list: every household once, none skipped or repeated."""

import re

import pytest
from django.urls import reverse

from households import views
from tests.conftest import VILLAGE_A
from tests.factories import household_with_head

pytestmark = pytest.mark.django_db


def test_the_list_pages_through_every_household_once(client_for, caseworker_a, regions, monkeypatch):
    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    names = [f"王{n:02d}" for n in range(7)]
    for name in names:
        household_with_head(VILLAGE_A, name=name)
    client = client_for(caseworker_a)
    seen, url, pages = [], reverse("households:list"), 0
    while url:
        html = client.get(url).content.decode()
        seen += re.findall(r"王\d\d", html)
        more = re.search(r'href="\?q=&(?:amp;)?before=(\d+)"', html)
        url = reverse("households:list") + f"?before={more.group(1)}" if more else None
        pages += 1
    assert pages == 3  # 3 + 3 + 1, and no "next" link on the last page
    assert sorted(seen) == names
    # Something that is not an id is ignored: the first page again.
    assert (
        re.findall(r"王\d\d", client.get(reverse("households:list") + "?before=abc").content.decode())
        == seen[:3]
    )
