"""Rule versions apply to the whole city: city-wide supervisors save them; county supervisors
preview on their county and propose; a city supervisor adopts or declines; data admins only read."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from alerts.models import ProposalStatus, RuleProposal, RuleVersion
from alerts.services.rules import rule_version_create
from households.models import Role
from tests.alerts.feed_factories import rule_defaults, self_pay_form  # noqa: F401
from tests.factories import UserFactory, region
from tests.helpers import page_text

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("rule_defaults")]
SELF_PAY = "high_medical_self_pay"
EDIT = reverse("alerts:rule_edit", args=[SELF_PAY])


def versions():
    return list(RuleVersion.objects.filter(rule=SELF_PAY).values_list("version", "params"))


@pytest.fixture
def proposal(client_for, county_supervisor):
    response = client_for(county_supervisor).post(
        EDIT, self_pay_form(threshold_yuan="8000", action="propose", note="本县大病负担重，阈值宜低")
    )
    made = RuleProposal.objects.get()
    assert response.status_code == 302 and response.url == reverse("alerts:rule_proposal", args=[made.pk])
    return made


def test_a_county_supervisor_cannot_save_a_city_wide_version(client_for, county_supervisor):
    before = versions()
    client = client_for(county_supervisor)
    page = client.get(EDIT)
    assert page.status_code == 200
    assert 'value="save"' not in page.content.decode() and 'value="propose"' in page.content.decode()
    response = client.post(EDIT, self_pay_form(threshold_yuan="8000", action="save", note="本县"))
    assert response.status_code == 403
    assert versions() == before and not RuleProposal.objects.exists()
    with pytest.raises(PermissionDenied):
        rule_version_create(
            rule=SELF_PAY, params={"threshold_yuan": "8000"}, user=county_supervisor, note="x"
        )
    assert versions() == before


def test_data_admins_read_the_rules_but_neither_save_nor_propose(client_for, data_admin):
    before = versions()
    client = client_for(data_admin)
    assert client.get(reverse("alerts:rules")).status_code == 200
    assert EDIT not in client.get(reverse("alerts:rules")).content.decode()
    assert client.get(EDIT).status_code == 403
    for action in ("save", "propose"):
        assert (
            client.post(EDIT, self_pay_form(threshold_yuan="8000", action=action, note="x")).status_code
            == 403
        )
    assert versions() == before and not RuleProposal.objects.exists()


def test_a_city_supervisor_saves_and_has_nothing_to_propose(client_for, city_supervisor):
    client = client_for(city_supervisor)
    assert 'value="propose"' not in client.get(EDIT).content.decode()
    assert client.post(EDIT, self_pay_form(action="propose", note="x")).status_code == 403
    assert not RuleProposal.objects.exists()


def test_a_proposal_is_recorded_against_the_current_version(proposal, county_supervisor, client_for):
    assert proposal.status == ProposalStatus.PENDING
    assert proposal.params["threshold_yuan"] == "8000.00"  # validated and normalised like a version
    assert proposal.region_id == "130921" and proposal.proposed_by == county_supervisor
    assert proposal.based_on.version == 1
    text = page_text(client_for(county_supervisor).get(reverse("alerts:rule_proposal", args=[proposal.pk])))
    assert "待审议" in text and "8,000.00 元" in text and "等待市级督导审议" in text
    assert len(versions()) == 1  # nothing changes for the run until a city supervisor adopts it


def test_a_proposal_needs_a_reason(client_for, county_supervisor):
    response = client_for(county_supervisor).post(
        EDIT, self_pay_form(threshold_yuan="8000", action="propose")
    )
    assert "保存新版本或提出建议需要填写修改说明" in response.content.decode()
    assert not RuleProposal.objects.exists()


def test_a_city_supervisor_adopts_a_proposal_as_the_next_version(proposal, client_for, city_supervisor):
    client = client_for(city_supervisor)
    rules_page = page_text(client.get(reverse("alerts:rules")))
    assert "本县大病负担重，阈值宜低" in rules_page and "待审议" in rules_page
    url = reverse("alerts:rule_proposal", args=[proposal.pk])
    preview = client.get(EDIT, {"proposal": proposal.pk})  # the edit form pre-filled with the proposal
    assert preview.context["form"].initial["threshold_yuan"] == "8000.00"
    response = client.post(url, {"decision": "adopt", "note": "同意，全市执行"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ADOPTED and proposal.decided_by == city_supervisor
    adopted = proposal.adopted_version
    assert adopted.version == 2 and adopted.params["threshold_yuan"] == "8000.00"
    assert adopted.created_by == city_supervisor and "本县大病负担重" in adopted.note
    assert "已采纳，保存为第 2 版" in page_text(client.get(url))
    again = client.post(url, {"decision": "decline", "note": "再审"}, follow=True)
    assert "该建议已于" in page_text(again)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.ADOPTED and len(versions()) == 2


def test_a_declined_proposal_changes_no_rule(proposal, client_for, city_supervisor):
    response = client_for(city_supervisor).post(
        reverse("alerts:rule_proposal", args=[proposal.pk]), {"decision": "decline", "note": "暂不调整"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert (proposal.status, proposal.decision_note, proposal.adopted_version) == (
        ProposalStatus.DECLINED,
        "暂不调整",
        None,
    )
    assert len(versions()) == 1


def test_a_decision_needs_a_reason(proposal, client_for, city_supervisor):
    url = reverse("alerts:rule_proposal", args=[proposal.pk])
    response = client_for(city_supervisor).post(url, {"decision": "adopt", "note": ""})
    assert "请填写审议意见" in page_text(response)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING and len(versions()) == 1


def test_only_city_supervisors_decide_and_other_counties_do_not_see_it(
    proposal, client_for, county_supervisor
):
    url = reverse("alerts:rule_proposal", args=[proposal.pk])
    assert client_for(county_supervisor).post(url, {"decision": "adopt", "note": "自己批"}).status_code == 403
    hejian = UserFactory(username="supervisor_hejian", role=Role.SUPERVISOR, scope=region("130984"))
    assert client_for(hejian).get(url).status_code == 404
    assert "本县大病负担重" not in client_for(hejian).get(reverse("alerts:rules")).content.decode()
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING and len(versions()) == 1


def test_a_proposal_whose_parameters_are_no_longer_valid_is_not_adopted_and_says_why(
    client_for, city_supervisor, proposal
):
    """Parameters the rules accept no longer (here a window of 0 days): a message, not an error page."""
    RuleProposal.objects.filter(pk=proposal.pk).update(params={**proposal.params, "window_days": 0})
    before = versions()
    client = client_for(city_supervisor)
    url = reverse("alerts:rule_proposal", args=[proposal.pk])
    response = client.post(url, {"decision": "adopt", "note": "采纳"}, follow=True)
    assert response.status_code == 200
    assert "该建议的参数已不符合现行规则，未能采纳" in page_text(response) and "时间窗口" in page_text(
        response
    )
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.PENDING and versions() == before
