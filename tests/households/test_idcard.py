from datetime import date

import pytest

from households import idcard

VALID = "11010519491231002X"  # the standard's own worked example


def test_valid_id_with_x_check_character_is_accepted():
    assert idcard.parse_id_number(VALID) == VALID


def test_lowercase_x_is_upper_cased():
    assert idcard.parse_id_number(VALID.lower()) == VALID


def test_full_width_digits_spaces_quotes_and_leading_apostrophe_are_undone():
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in VALID)
    assert idcard.parse_id_number(f" '{full_width}\t") == VALID
    assert idcard.parse_id_number(f'"{VALID}"') == VALID
    assert idcard.parse_id_number("110105 19491231 002X") == VALID


def test_fifteen_digit_id_is_upgraded_with_century_and_check_digit():
    upgraded = idcard.parse_id_number("130921800517123")
    assert upgraded[:17] == "13092119800517123"
    assert upgraded[17] == idcard.check_char(upgraded[:17])
    assert idcard.describe(upgraded).birth_date == date(1980, 5, 17)


@pytest.mark.parametrize("raw", ["1.30923E+17", "1.30923198501011E+17", "130923198501011234.0"])
def test_spreadsheet_damage_is_rejected_not_repaired(raw):
    with pytest.raises(idcard.IdNumberError) as err:
        idcard.parse_id_number(raw)
    assert err.value.code == "id_spreadsheet_damaged"
    assert "文本格式" in err.value.message


def test_trailing_zeros_from_excel_precision_are_reported_as_spreadsheet_damage():
    damaged = VALID[:15] + "000"
    with pytest.raises(idcard.IdNumberError) as err:
        idcard.parse_id_number(damaged)
    assert err.value.code == "id_spreadsheet_damaged"


def test_wrong_check_digit_is_rejected():
    wrong = VALID[:17] + "5"
    with pytest.raises(idcard.IdNumberError) as err:
        idcard.parse_id_number(wrong)
    assert err.value.code == "id_check_digit"
    assert "校验位" in err.value.message


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("", "id_missing"),
        (None, "id_missing"),
        ("13092119800517", "id_format"),
        ("1309211980051712AB", "id_format"),
        ("130921198002301234", "id_birth_date"),  # 30 February
        ("130921189912311234", "id_birth_date"),  # before 1900
    ],
)
def test_malformed_ids_say_why(raw, code):
    with pytest.raises(idcard.IdNumberError) as err:
        idcard.parse_id_number(raw)
    assert err.value.code == code


def test_future_birth_date_is_rejected():
    first17 = "13092120990101123"
    future = first17 + idcard.check_char(first17)
    with pytest.raises(idcard.IdNumberError) as err:
        idcard.parse_id_number(future, today=date(2026, 1, 1))
    assert err.value.code == "id_birth_date"


def test_describe_derives_birth_date_and_sex_from_sequence_parity():
    info = idcard.describe(VALID)
    assert info.birth_date == date(1949, 12, 31)
    assert info.sex == "F"  # sequence 002 is even
    assert info.area_code == "110105"
    odd = "13092119800517123"
    assert idcard.describe(odd + idcard.check_char(odd)).sex == "M"


def test_mask_shows_first_six_and_last_four_only():
    assert idcard.mask("13090219800517123X") == "130902********123X"
    assert idcard.mask("") == ""
    assert "19800517" not in idcard.mask("13090219800517123X")
