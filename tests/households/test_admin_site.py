"""The admin site as staff see it: Chinese column headings, the site's icon."""

import re

from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from tests.factories import UserFactory

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ALLOWED = {"ID"}


def test_every_admin_list_column_has_a_chinese_heading(db):
    # A field without a verbose name would show its English attribute name, upper-cased.
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(is_superuser=True, is_staff=True)
    missing = []
    with translation.override("zh-hans"):
        for model, model_admin in admin.site._registry.items():
            for name in model_admin.get_list_display(request):
                label = str(label_for_field(name, model, model_admin))
                if label not in ALLOWED and not CHINESE.search(label):
                    missing.append(f"{model._meta.label}.{name}: {label}")
    assert missing == []


def test_admin_pages_carry_the_site_icon_served_by_the_app(client_for, db):
    user = UserFactory(is_superuser=True, is_staff=True)
    html = client_for(user).get(reverse("admin:index")).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert "救助监测" in html  # still the site's own admin header
