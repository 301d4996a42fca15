"""IDs in free text are masked however they are written; amounts, dates and phone numbers are not."""

from datetime import date

import pytest

from households import idcard
from households.idcard import mask_ids, mask_ids_in_row

FIRST17 = "13092119800102619"
ID = FIRST17 + idcard.check_char(FIRST17)
MASKED = "130921********" + ID[-4:]
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


@pytest.mark.parametrize(
    "written",
    [
        ID,
        f"{ID[:6]} {ID[6:14]} {ID[14:]}",
        f"{ID[:6]}-{ID[6:14]}-{ID[14:]}",
        f"{ID[:6]} - {ID[6:14]} - {ID[14:]}",
        f"{ID[:6]}\u3000{ID[6:14]}\u3000{ID[14:]}",
        f"{ID[:4]} {ID[4:8]} {ID[8:12]} {ID[12:16]} {ID[16:]}",
        f"{ID[:6]} {ID[6:10]} {ID[10:14]} {ID[14:]}",
        ID.translate(FULL_WIDTH),
        f"{ID[:6]}－{ID[6:14]}－{ID[14:]}".translate(FULL_WIDTH),
    ],
)
@pytest.mark.parametrize(
    "around", ["{}", "ID{}", "SFZ:{}", "身份证号：{}。", "户主{}，电话13812345678", "id{}x"]
)
def test_an_id_however_written_is_masked(written, around):
    text = around.format(written)
    masked = mask_ids(text)
    assert MASKED in masked, text
    assert ID[6:14] not in masked.replace(" ", "").replace("-", "")
    assert masked.replace(MASKED, "") == text.replace(written, ""), "only the ID itself changes"


def test_a_typed_id_with_a_wrong_check_character_is_masked_when_grouped_as_people_do():
    wrong = ID[:17] + ("1" if ID[17] != "1" else "2")
    assert mask_ids(f"{wrong[:6]} {wrong[6:14]} {wrong[14:]}") == idcard.mask(wrong)
    assert mask_ids(wrong) == idcard.mask(wrong)


@pytest.mark.parametrize(
    "text",
    [
        "金额 23,410.50 元，自付 1309211980.26 元",
        "金额 1309211980010261.94",
        "结算日期 2026-01-02，出院 2026/01/15",
        "电话 13812345678 / 0317-12345678 / 138 1234 5678",
        "13812345678 2026-01-02 100",
        "结算流水号 JS2026010000123",
        "住院号 20260102000123456789",
        "130 92119 80010 26233 张三",  # numbers in odd groups that fail the check character
        "130921 19801302 6194",  # month 13: not a date, not an ID
    ],
)
def test_what_is_not_an_id_stays_as_written(text):
    assert mask_ids(text) == text


def test_a_birth_date_beside_an_id_in_the_same_row_is_masked_too():
    row = [
        f"{ID[:6]} {ID[6:14]} {ID[14:]}",
        "张三",
        "1980-01-02",
        "1980/1/2",
        "出生于1980年1月2日",
        "02/01/1980",
        "Jan. 2, 1980",
        "born January 2 1980",
        "2 Jan 1980",
        "结算日期 2026-01-02",
        "Jan. 3, 1980",
        "23410.50",
    ]
    assert mask_ids_in_row(row) == [
        MASKED,
        "张三",
        "****",
        "****",
        "出生于****",
        "****",
        "****",
        "born ****",
        "****",
        "结算日期 2026-01-02",
        "Jan. 3, 1980",
        "23410.50",
    ]
    # without an ID in the row, dates stay
    assert mask_ids_in_row(["张三", "1980-01-02"]) == ["张三", "1980-01-02"]
    assert idcard.describe(ID).birth_date == date(1980, 1, 2)
