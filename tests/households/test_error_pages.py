"""Error pages: Chinese, in the site's layout, with the reason and a way back; a 404 that does not
tell a row outside the user's region from a missing one. (The 500 page without a database:
tests/config/test_production.py.)"""

import pytest
from django.test import Client
from django.urls import path

from config import urls as site_urls
from tests.conftest import OTHER_COUNTY_VILLAGE
from tests.factories import household_with_head
from tests.helpers import page_text

pytestmark = pytest.mark.django_db


def broken_view(request):
    raise RuntimeError("boom")


# ROOT_URLCONF of the 500 test below: the site and its error handlers, and a view that fails
urlpatterns = [path("boom/", broken_view), *site_urls.urlpatterns]
handler500 = site_urls.handler500


def assert_in_layout(response, status: int, *phrases: str) -> str:
    assert response.status_code == status
    text = page_text(response)
    assert f"错误代码 {status}" in text
    assert 'href="/static/vendor/bootstrap/bootstrap.min.css"' in response.content.decode()
    assert 'href="/"' in response.content.decode() and "回到首页" in text
    for phrase in phrases:
        assert phrase in text, phrase
    return text


def test_out_of_region_household_reads_exactly_as_a_missing_one(client_for, caseworker_a):
    elsewhere = household_with_head(OTHER_COUNTY_VILLAGE, name="外县户")
    client = client_for(caseworker_a)
    out_of_scope = client.get(f"/households/{elsewhere.pk}/")
    missing = client.get(f"/households/{elsewhere.pk + 1000}/")
    text = assert_in_layout(out_of_scope, 404, "页面不存在", "不在您的管辖范围内")
    assert missing.status_code == 404
    assert text == page_text(missing)
    assert "外县户" not in text


def test_not_found_offers_the_page_the_user_came_from(client_for, caseworker_a):
    client = client_for(caseworker_a)
    came_from = "http://testserver/households/?q=%E7%8E%8B"
    response = client.get("/households/999999/", headers={"referer": came_from})
    assert "返回上一页" in page_text(response)
    assert f'href="{came_from}"' in response.content.decode()
    # a page of another site is not offered
    response = client.get("/households/999999/", headers={"referer": "https://evil.example/"})
    assert "返回上一页" not in page_text(response) and "evil.example" not in response.content.decode()


def test_permission_denied_says_why_in_the_layout(client_for, caseworker_a):
    response = client_for(caseworker_a).get("/imports/")
    text = assert_in_layout(response, 403, "没有权限", "数据导入仅向数据管理员开放")
    assert "预警处置" in text  # the user's own navigation is still there


def test_a_form_with_a_stale_csrf_token_gets_a_chinese_page(caseworker_a):
    client = Client(enforce_csrf_checks=True)
    client.force_login(caseworker_a)
    response = client.post("/logout/", headers={"referer": "http://testserver/households/"})
    text = assert_in_layout(response, 403, "表单已失效", "没有保存任何内容")
    assert "返回上一页" in text  # to the page with the form, to reload it


def test_the_500_page_is_chinese_and_in_the_layout(client_for, caseworker_a, settings):
    settings.ROOT_URLCONF = __name__
    client = client_for(caseworker_a)
    client.raise_request_exception = False
    response = client.get("/boom/", headers={"referer": "http://testserver/households/"})
    text = assert_in_layout(response, 500, "系统出错", "错误已记录")
    assert "返回上一页" in text
    assert "boom" not in text
