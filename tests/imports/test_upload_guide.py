"""The upload page says what each category's file must hold (derived from the specs), and every
category has an .xlsx template that loads as it is downloaded."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from households import idcard
from imports.icd import normalize_icd10
from imports.models import FeedCategory, ImportBatch
from imports.specs import SPECS, FieldType
from tests.helpers import page_text
from tests.imports.helpers import assert_accounted

pytestmark = pytest.mark.django_db


def guide_html(html: str, category: str) -> str:
    start = html.index(f'id="guide-{category}"')
    return html[start : html.index("</details>", start)]


def test_the_upload_page_lists_every_column_of_every_category(client_for, data_admin):
    html = client_for(data_admin).get(reverse("imports:batch_upload")).content.decode()
    assert set(re.findall(r'data-guide="([a-z_]+)"', html)) == set(FeedCategory.values)
    for category, spec in SPECS.items():
        section = guide_html(html, category)
        rows = re.findall(r'<tr data-field="([a-z_0-9]+)">', section)
        assert rows == [f.name for f in spec.fields], category  # every field, in the spec's order
        for f in spec.fields:
            row = section[section.index(f'data-field="{f.name}"') :].split("</tr>")[0]
            text = re.sub(r"<[^>]+>", " ", row)
            for header in f.all_headers:
                assert header in text, (category, f.name, header)
            assert ("必填" if f.required else "选填") in text
            for choice in f.choices:
                for label in choice.labels:
                    assert label in text, (category, f.name, label)
        assert reverse("imports:feed_template", args=[category]) in section


def test_the_page_states_formats_and_rules(client_for, data_admin):
    response = client_for(data_admin).get(reverse("imports:batch_upload"), {"category": "medical_settlement"})
    text = page_text(response)
    assert "2024-05-06、2024/5/6、2024.5.6、20240506、2024年5月6日" in text  # dates
    assert "金额（元），最多两位小数" in text
    assert "18位居民身份证号" in text and "科学计数法" in text
    # The writings the page promises are the ones the loader accepts.
    assert (
        "ICD-10 疾病编码，如 C34.9、C349、c34.901、C34.900x001、A17.0+G01*（大小写、小数点、空格均可" in text
    )
    for code in ("C34.9", "C349", "c34.901", "C34.900x001", "A17.0+G01*", "c34 901"):
        assert normalize_icd10(code) is not None, code
    assert "6、9或12位行政区划代码，须在本市内（以 1309 开头）" in text
    assert "空白时为“在册”" in text  # the roster's status
    assert "空白或没有此列时按 医疗费用总额 − 统筹基金支付 − 大病保险支付 − 医疗救助支付 计算" in text
    assert "空白时为 0" in text
    html = response.content.decode()
    # Bootstrap and the page script are the app's own files: no CDN
    assert re.search(r'<script src="https?://', html) is None
    assert 'id="guide-medical_settlement" data-guide="medical_settlement" open' in html  # the chosen one


@pytest.mark.parametrize("category", FeedCategory.values)
def test_each_template_has_the_headers_and_an_example_row_that_loads(
    client_for, data_admin, load, regions, category
):
    response = client_for(data_admin).get(reverse("imports:feed_template", args=[category]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "filename*=utf-8''" in response["Content-Disposition"]
    spec = SPECS[category]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    header, example = (list(r) for r in sheet.iter_rows(min_row=1, max_row=2))
    assert [c.value for c in header] == [f.label for f in spec.fields]
    assert sheet.max_row == 2  # a note row would be read as data
    for f, head, cell in zip(spec.fields, header, example, strict=True):
        assert head.font.bold == f.required, f.name
        assert ("必填" if f.required else "选填") in head.comment.text
        assert f.name in head.comment.text  # the other accepted headers
        if f.type in (FieldType.ID18, FieldType.CODE, FieldType.REGION, FieldType.CERTIFICATE_NO):
            assert cell.number_format == "@", f.name  # Excel keeps the digits as typed
            assert sheet.column_dimensions[head.column_letter].number_format == "@"
        if f.type == FieldType.ID18:
            assert idcard.is_valid(cell.value) and cell.value.startswith("1309")
    assert book.sheetnames[1] == "填写说明"

    batch = load(category, response.content, f"{category}-导入模板.xlsx", user=data_admin)
    assert_accounted(batch)
    assert (batch.data_rows, batch.loaded, batch.rejected, batch.name_mismatch) == (1, 1, 0, 0)
    assert batch.extra_columns == []


def test_an_unknown_category_has_no_template(client_for, data_admin):
    assert client_for(data_admin).get(reverse("imports:feed_template", args=["pension"])).status_code == 404
    assert not ImportBatch.objects.exists()
