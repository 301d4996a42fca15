"""Checking rule parameters before they become a version; every message says what is allowed."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from alerts.models import RuleCode
from alerts.rules.definitions import DISEASE_KEY_RE, PARAMETERS, expand_codes

WINDOW_MIN, WINDOW_MAX = 1, 730
COOLDOWN_MIN, COOLDOWN_MAX = 0, 1095
DEADLINE_MIN, DEADLINE_MAX = 1, 90
THRESHOLD_MIN, THRESHOLD_MAX = Decimal("1.00"), Decimal("1000000.00")
DISEASES_MAX = 100


def _int_between(value, low: int, high: int, label: str) -> int:
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            _("%(label)s应为整数天数（%(low)s–%(high)s）") % {"label": label, "low": low, "high": high}
        ) from None
    if not low <= number <= high:
        raise ValidationError(
            _("%(label)s应在 %(low)s 到 %(high)s 天之间，收到 %(value)s")
            % {"label": label, "low": low, "high": high, "value": number}
        )
    return number


def _threshold(value) -> str:
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(_("阈值应为金额（元），如 10000 或 10000.00")) from None
    if not amount.is_finite() or not THRESHOLD_MIN <= amount <= THRESHOLD_MAX:
        raise ValidationError(
            _("阈值应在 %(low)s 到 %(high)s 元之间") % {"low": THRESHOLD_MIN, "high": THRESHOLD_MAX}
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError(_("阈值最多保留两位小数（分）"))
    return str(amount.quantize(Decimal("0.01")))


def _diseases(value) -> list[dict]:
    if not isinstance(value, list) or not value:
        raise ValidationError(_("病种清单不能为空：每行一个病种，格式“病种名称: ICD-10 编码”"))
    if len(value) > DISEASES_MAX:
        raise ValidationError(_("病种最多 %(max)s 个") % {"max": DISEASES_MAX})
    cleaned, names, keys = [], set(), set()
    for n, item in enumerate(value, start=1):
        name = str(item.get("name", "")).strip()
        if not name:
            raise ValidationError(_("第 %(n)s 个病种缺少名称") % {"n": n})
        if name in names:
            raise ValidationError(_("病种“%(name)s”重复出现，每个病种只能写一次") % {"name": name})
        names.add(name)
        # No key: a disease new to the list (the service gives it the next key when saving).
        key = str(item.get("key") or "").strip().upper()
        if key and not DISEASE_KEY_RE.match(key):
            raise ValidationError(
                _("病种“%(name)s”的编号“%(key)s”无效：编号形如 D08，由系统分配；新增病种不写编号")
                % {"name": name, "key": key}
            )
        if key in keys:
            raise ValidationError(
                _("病种编号 %(key)s 出现了不止一次（“%(name)s”）：每个编号只能对应一个病种；新增病种不写编号")
                % {"key": key, "name": name}
            )
        if key:
            keys.add(key)
        codes = item.get("codes")
        try:
            prefixes = expand_codes(", ".join(codes) if isinstance(codes, list) else str(codes or ""))
        except ValueError as exc:
            raise ValidationError(
                _(
                    "病种“%(name)s”的编码“%(code)s”无效：应为 ICD-10 编码前缀（如 C34、N18.5）或同一字母的范围（如 C81–C86）"
                )
                % {"name": name, "code": exc.args[0]}
            ) from None
        if not prefixes:
            raise ValidationError(_("病种“%(name)s”没有编码") % {"name": name})
        cleaned.append(
            {
                **({"key": key} if key else {}),
                "name": name,
                "codes": prefixes,
                "child": bool(item.get("child", False)),
            }
        )
    return cleaned


def validate_params(rule: str, params: dict) -> dict:
    """The cleaned parameters of `rule`, or a ValidationError per field (Chinese messages).

    Unknown keys are refused, so a typo never silently becomes a parameter the run ignores.
    """
    rule = RuleCode(rule)
    allowed = PARAMETERS[rule]
    errors: dict[str, list] = {}
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        errors["__all__"] = [
            ValidationError(
                _("规则“%(rule)s”没有参数 %(keys)s；可设参数：%(allowed)s")
                % {"rule": rule.label, "keys": "、".join(unknown), "allowed": "、".join(allowed)}
            )
        ]
    cleaned: dict = {}
    checks = {
        "threshold_yuan": _threshold,
        "window_days": lambda v: _int_between(v, WINDOW_MIN, WINDOW_MAX, _("时间窗口")),
        "cooldown_days": lambda v: _int_between(v, COOLDOWN_MIN, COOLDOWN_MAX, _("冷却期")),
        "deadline_days": lambda v: _int_between(v, DEADLINE_MIN, DEADLINE_MAX, _("办理期限")),
        "diseases": _diseases,
    }
    for key in allowed:
        if key not in params:
            errors.setdefault(key, []).append(ValidationError(_("缺少参数 %(key)s") % {"key": key}))
            continue
        try:
            cleaned[key] = checks[key](params[key])
        except ValidationError as exc:
            errors.setdefault(key, []).extend(exc.error_list)
    if errors:
        raise ValidationError(errors)
    return cleaned
