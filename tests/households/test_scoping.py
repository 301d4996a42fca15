import pytest
from django.urls import reverse

from households import idcard
from households.models import Household
from tests.conftest import OTHER_COUNTY_VILLAGE, VILLAGE_A, VILLAGE_B
from tests.factories import household_with_head

pytestmark = pytest.mark.django_db


@pytest.fixture
def homes(regions):
    return {
        "a": household_with_head(VILLAGE_A, name="王甲"),
        "b": household_with_head(VILLAGE_B, name="王乙"),
        "other": household_with_head(OTHER_COUNTY_VILLAGE, name="王丙"),
    }


def names_in(response) -> set[str]:
    return {name for name in ("王甲", "王乙", "王丙") if name in response.content.decode()}


def test_caseworker_list_shows_only_their_town(client_for, caseworker_a, homes):
    response = client_for(caseworker_a).get(reverse("households:list"))
    assert response.status_code == 200
    assert names_in(response) == {"王甲"}


def test_county_supervisor_sees_both_towns_but_not_another_county(client_for, county_supervisor, homes):
    response = client_for(county_supervisor).get(reverse("households:list"))
    assert names_in(response) == {"王甲", "王乙"}


def test_city_supervisor_sees_the_whole_city(client_for, city_supervisor, homes):
    response = client_for(city_supervisor).get(reverse("households:list"))
    assert names_in(response) == {"王甲", "王乙", "王丙"}


def test_other_towns_household_detail_is_404(client_for, caseworker_a, homes):
    client = client_for(caseworker_a)
    assert client.get(reverse("households:detail", args=[homes["a"].pk])).status_code == 200
    assert client.get(reverse("households:detail", args=[homes["b"].pk])).status_code == 404


def test_search_by_name_or_id_never_crosses_the_scope(client_for, caseworker_a, homes):
    client = client_for(caseworker_a)
    other_id = homes["b"].head_id_number
    assert names_in(client.get(reverse("households:list"), {"q": "王"})) == {"王甲"}
    assert names_in(client.get(reverse("households:list"), {"q": other_id})) == set()
    own_id = homes["a"].head_id_number
    assert names_in(client.get(reverse("households:list"), {"q": own_id.lower()})) == {"王甲"}


def test_ids_are_masked_in_list_and_detail(client_for, caseworker_a, homes):
    client = client_for(caseworker_a)
    full = homes["a"].head_id_number
    for url in (reverse("households:list"), reverse("households:detail", args=[homes["a"].pk])):
        body = client.get(url).content.decode()
        assert idcard.mask(full) in body
        assert full not in body


def test_user_without_scope_sees_nothing(client_for, homes):
    from tests.factories import UserFactory

    nobody = UserFactory(username="no_scope")
    body = client_for(nobody).get(reverse("households:list")).content.decode()
    assert names_in_text(body) == set()
    assert "尚未设置管辖区域" in client_for(nobody).get(reverse("home")).content.decode()


def names_in_text(body: str) -> set[str]:
    return {name for name in ("王甲", "王乙", "王丙") if name in body}


def test_admin_household_list_search_and_change_page_are_scoped(client_for, county_supervisor, homes):
    client = client_for(county_supervisor)
    changelist = reverse("admin:households_household_changelist")
    body = client.get(changelist).content.decode()
    assert homes["a"].masked_head_id in body and homes["b"].masked_head_id in body
    assert homes["other"].masked_head_id not in body
    found = client.get(changelist, {"q": homes["other"].head_id_number}).content.decode()
    assert homes["other"].masked_head_id not in found
    other = reverse("admin:households_household_change", args=[homes["other"].pk])
    assert client.get(other).status_code == 404
    assert client.get(reverse("admin:households_household_change", args=[homes["a"].pk])).status_code == 200


def test_admin_person_search_by_id_finds_own_person_masked(client_for, county_supervisor, homes):
    client = client_for(county_supervisor)
    head = homes["a"].members.get()
    body = client.get(reverse("admin:households_person_changelist"), {"q": head.id_number}).content.decode()
    results = body[body.index('id="result_list"') :]
    assert head.name in results and head.masked_id in results
    unfiltered = client.get(reverse("admin:households_person_changelist")).content.decode()
    assert head.masked_id in unfiltered and head.id_number not in unfiltered


def test_anonymous_users_are_sent_to_the_chinese_login_page(client, homes):
    response = client.get(reverse("households:list"))
    assert response.status_code == 302 and reverse("login") in response["Location"]
    login_page = client.get(reverse("login")).content.decode()
    assert "请使用工作账号登录" in login_page and 'lang="zh-hans"' in login_page


def test_wrong_password_gets_a_chinese_message(client, caseworker_a):
    response = client.post(reverse("login"), {"username": "caseworker_a", "password": "nope"})
    assert "用户名或密码不正确" in response.content.decode()


def test_households_counted_once_in_scope(homes, caseworker_a, county_supervisor):
    from households.scoping import scope_queryset

    assert scope_queryset(Household.objects.all(), caseworker_a).count() == 1
    assert scope_queryset(Household.objects.all(), county_supervisor).count() == 2


def test_interface_is_chinese_even_for_english_browsers_until_english_is_chosen(client, county_supervisor):
    client.force_login(county_supervisor)
    english_browser = {"HTTP_ACCEPT_LANGUAGE": "en-US,en;q=0.9"}
    admin_index = client.get(reverse("admin:index"), **english_browser).content.decode()
    assert "修改密码" in admin_index and "Change password" not in admin_index
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert "Change password" in client.get(reverse("admin:index")).content.decode()
