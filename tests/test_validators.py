import datetime as dt

import pytest

from neiqin.models.validators import (
    id_check_char,
    mask_id,
    mask_phone,
    validate_phone,
    validate_resident_id,
)


@pytest.mark.parametrize("good", ["11010519491231002X", "440524188001010014", "11010519491231002x"])
def test_valid_resident_ids(good):
    assert validate_resident_id(good) is None


@pytest.mark.parametrize("bad, fragment", [
    ("110105194912310021", "校验位"),
    ("11010519491331002X", "出生日期"),
    ("1101051949123100", "18 位"),
    ("11010519491231002Y", "数字或 X"),
    ("110105209912310025", "不合理"),
])
def test_invalid_resident_ids(bad, fragment):
    msg = validate_resident_id(bad, today=dt.date(2026, 11, 22))
    assert msg and fragment in msg


def test_check_char_matches_standard_example():
    assert id_check_char("11010519491231002") == "X"


@pytest.mark.parametrize("phone", ["13812345678", "010-12345678", "0755-1234567", "8001", "+86 138 1234 5678"])
def test_valid_phones(phone):
    assert validate_phone(phone) is None


@pytest.mark.parametrize("phone", ["12345678901", "23812345678", "1381234567a", "138-1234"])
def test_invalid_phones(phone):
    assert validate_phone(phone)


def test_eleven_digit_non_mobile_message_is_specific():
    assert "手机号码" in validate_phone("12345678901")


def test_masks():
    assert mask_id("11010519491231002X") == "110105********002X"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id("") == ""
    assert "5678" in mask_phone("010-12345678") and "1234" not in mask_phone("010-12345678")[:-4]


def test_emoji_are_refused_but_the_secrecy_star_is_text():
    from neiqin.models.validators import has_emoji

    assert has_emoji("开会😀") and has_emoji("☀晴") and has_emoji("✅")
    assert not has_emoji("秘密★5年") and not has_emoji("☆") and not has_emoji("〔2026〕")


def test_shared_day_and_number_parsers_report_at_the_field():
    import datetime as dt

    from neiqin.models.validators import parse_day, parse_int

    errors: dict = {}
    assert parse_day("2026/1/5", "收文日期", "received_on", errors) == dt.date(2026, 1, 5)
    assert parse_day("2026.11.22", "收文日期", "received_on", errors) == dt.date(2026, 11, 22)
    assert errors == {}
    assert parse_day("", "收文日期", "received_on", errors, required=True) is None
    assert errors == {"received_on": "请填写收文日期"}
    errors.clear()
    assert parse_day("明天", "日期", "day", errors, default=dt.date(2026, 1, 1)) == dt.date(2026, 1, 1)
    assert errors == {"day": "日期格式应为 YYYY-MM-DD"}

    errors = {}
    assert parse_int("", "份数", "copies", errors, 1, 9999, 1) == 1 and errors == {}
    assert parse_int("", "页数", "pages", errors, 0, 99, allow_none=True) is None and errors == {}
    parse_int("三", "份数", "copies", errors, 1, 9999)
    parse_int("0", "件数", "pieces", errors, 1, 999, 1, between=True)
    parse_int("100000", "印制份数", "print_copies", errors, 0, 99999)
    assert errors == {"copies": "份数必须是整数", "pieces": "件数应在 1 到 999 之间",
                      "print_copies": "印制份数不能超过 99999"}
