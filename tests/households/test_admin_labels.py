"""Every column of every admin list is headed in Chinese (a field without a verbose name shows its
English attribute name, upper-cased, to Chinese staff)."""

import re

from django.contrib import admin
from django.contrib.admin.utils import label_for_field
from django.test import RequestFactory
from django.utils import translation

from tests.factories import UserFactory

CHINESE = re.compile(r"[\u4e00-\u9fff]")
ALLOWED = {"ID"}


def test_every_admin_list_column_has_a_chinese_heading(db):
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
