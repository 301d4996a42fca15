"""Cangzhou (130900) and its 16 county-level divisions (DOMAIN.md)."""

CITY = ("130900", "沧州市")
COUNTIES = [
    ("130902", "新华区"), ("130903", "运河区"), ("130921", "沧县"), ("130922", "青县"),
    ("130923", "东光县"), ("130924", "海兴县"), ("130925", "盐山县"), ("130926", "肃宁县"),
    ("130927", "南皮县"), ("130928", "吴桥县"), ("130929", "献县"), ("130930", "孟村回族自治县"),
    ("130981", "泊头市"), ("130982", "任丘市"), ("130983", "黄骅市"), ("130984", "河间市"),
]  # fmt: skip


def seed_cangzhou(region_model) -> None:
    """Create or refresh the city and its counties (takes the model: also runs inside migrations)."""
    city, _ = region_model.objects.update_or_create(code=CITY[0], defaults={"name": CITY[1], "level": "city"})
    for code, name in COUNTIES:
        region_model.objects.update_or_create(
            code=code, defaults={"name": name, "level": "county", "parent": city}
        )
