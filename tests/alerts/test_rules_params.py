"""Rule definitions: the defaults of DOMAIN.md, code ranges, validation, versions never edited."""

import pytest
from django.core.exceptions import ValidationError

from alerts.models import RuleVersion
from alerts.rules import default_params, expand_codes, normalize_code, validate_params
from alerts.services.rules import current_rule_versions, rule_version_create
from tests.alerts.feed_factories import rule_defaults  # noqa: F401

pytestmark = pytest.mark.usefixtures("rule_defaults")


def test_defaults_follow_domain():
    assert default_params("high_medical_self_pay") == {
        "threshold_yuan": "10000.00",
        "window_days": 365,
        "cooldown_days": 365,
        "deadline_days": 15,
    }
    assert default_params("registered_unemployment") == {"window_days": 90, "deadline_days": 15}
    # deadlines: serious disease and severe disability 7 days, the others 15
    assert default_params("new_severe_disability") == {"window_days": 90, "deadline_days": 7}
    assert default_params("serious_disease")["deadline_days"] == 7
    diseases = default_params("serious_disease")["diseases"]
    assert len(diseases) == 30
    assert {d["name"] for d in diseases if d["child"]} == {"儿童白血病", "儿童先天性心脏病", "儿童淋巴瘤"}
    by_name = {d["name"]: d["codes"] for d in diseases}
    assert by_name["儿童淋巴瘤"] == ["C81", "C82", "C83", "C84", "C85", "C86"]
    assert by_name["终末期肾病"] == ["N185", "N180", "Z992"]


def test_code_normalisation_and_ranges():
    assert normalize_code(" c34.9 ") == "C349"
    assert expand_codes("I05–I09") == ["I05", "I06", "I07", "I08", "I09"]
    assert expand_codes("Q35 - Q37, q54") == ["Q35", "Q36", "Q37", "Q54"]
    for bad in ("C40–B41", "C45–C41", "肺癌", "C3"):
        with pytest.raises(ValueError):
            expand_codes(bad)


def test_validation_messages_say_what_is_allowed():
    with pytest.raises(ValidationError) as exc:
        validate_params(
            "high_medical_self_pay", {"threshold_yuan": "10000.001", "window_days": 800, "extra": 1}
        )
    errors = exc.value.message_dict
    assert errors["threshold_yuan"] == ["阈值最多保留两位小数（分）"]
    assert errors["window_days"] == ["时间窗口应在 1 到 730 天之间，收到 800"]
    assert errors["cooldown_days"] == ["缺少参数 cooldown_days"]
    assert errors["deadline_days"] == ["缺少参数 deadline_days"]
    assert "没有参数 extra" in errors["__all__"][0]
    with pytest.raises(ValidationError) as exc:
        validate_params(
            "serious_disease",
            {
                "window_days": 90,
                "diseases": [{"name": "肺癌", "codes": "C34"}, {"name": "肺癌", "codes": "C33"}],
            },
        )
    assert "重复出现" in exc.value.message_dict["diseases"][0]


@pytest.mark.django_db
def test_seeded_version_one_and_new_versions_never_edit_old(city_supervisor):
    current = current_rule_versions()
    assert {r: v.version for r, v in current.items()} == {
        "high_medical_self_pay": 1, "serious_disease": 1, "registered_unemployment": 1, "new_severe_disability": 1,
    }  # fmt: skip
    v2 = rule_version_create(
        rule="registered_unemployment",
        params={"window_days": "60", "deadline_days": "10"},
        user=city_supervisor,
        note="缩短窗口",
    )
    v3 = rule_version_create(
        rule="registered_unemployment",
        params={"window_days": 30, "deadline_days": 10},
        user=city_supervisor,
        note="再缩短",
    )
    assert (v2.version, v3.version) == (2, 3) and v2.params == {"window_days": 60, "deadline_days": 10}
    assert RuleVersion.objects.get(rule="registered_unemployment", version=1).params == {
        "window_days": 90,
        "deadline_days": 15,
    }
    assert current_rule_versions()["registered_unemployment"] == v3
    for bad in ({"window_days": -1, "deadline_days": 10}, {"window_days": 30, "deadline_days": 0}):
        with pytest.raises(ValidationError):
            rule_version_create(rule="registered_unemployment", params=bad, user=city_supervisor, note="x")
    assert RuleVersion.objects.filter(rule="registered_unemployment").count() == 3
