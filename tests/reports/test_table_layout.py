"""The one table layout (issue 18 item 1): tokens never broken, fixed columns at their widest value."""

from __future__ import annotations

import pytest

from neiqin.reports import fonts
from neiqin.reports.table_layout import ColumnStats, Widths, fit_size, header_tokens, widest_token, wrap


@pytest.fixture(scope="module")
def widths():
    return Widths(fonts.font_for("body"), 9)


@pytest.mark.parametrize("token", ["2026-12-04", "2026-12-09 09:39", "〔2026〕150号", "LY2026-0215", "1166.40",
                                   "2026年1月", "6 天", "11010519491231002X"])
def test_a_token_moves_to_the_next_line_whole(widths, token):
    text = f"前面的文字内容{token}后面"
    for avail in range(int(widths.of(token)) + 1, int(widths.of(text)), 3):
        lines = wrap(text, avail, widths, 20)
        assert any(token in line for line in lines), (avail, lines)
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_names_of_up_to_four_characters_stay_whole(widths):
    text = "姚健、汤远子、欧阳明月、于敏明"
    for avail in range(int(widths.of("欧阳明月、")) + 1, int(widths.of(text)), 2):
        lines = wrap(text, avail, widths, 20)
        for name in ("姚健", "汤远子", "欧阳明月", "于敏明"):
            assert any(name in line for line in lines), (avail, lines)
        assert not any(line.startswith("、") for line in lines)


def test_opening_bracket_goes_down_with_its_word(widths):
    lines = wrap("6（12）", widths.of("（12）") + 0.1, widths, 5)
    assert lines == ["6", "（12）"]
    assert wrap("来文：某审发〔2026〕349号", widths.of("某审发〔2026〕349号") + 0.1, widths, 5) == [
        "来文：", "某审发〔2026〕349号"]
    assert widest_token("某控股（集团）有限公司", widths) == widths.of("（集团）")


def test_headers_split_into_pieces_of_two_or_three():
    assert header_tokens("紧急程度") == ["紧急", "程度"]
    assert header_tokens("领取人签字") == ["领取人", "签字"]
    assert header_tokens("份数") == ["份数"]
    assert header_tokens("2026年12月") == ["2026年12月"]


def test_fixed_columns_get_their_widest_value_and_text_shares_the_rest():
    body, head = Widths(fonts.font_for("body"), 10), Widths(fonts.font_for("heading"), 10)
    stats = ColumnStats(body, head, ["日期", "单号", "备注"], [True, True, False])
    for i in range(40):
        stats.add_row([f"2026-12-{i % 28 + 1:02d}", f"LY2026-{i:04d}", "领用说明" * (i % 5)])
    needs = stats.finish()
    size, w = fit_size(300, needs, 10, 10, 7, 0.3)
    assert abs(sum(w) - 300) < 0.01
    assert w[0] >= body.of("2026-12-28") * size / 10 and w[1] >= body.of("LY2026-0039") * size / 10
    size, w = fit_size(120, needs, 10, 10, 7, 0.3)  # too narrow at 10 pt: a smaller font holds the fixed columns
    assert size < 10 and w[0] >= body.of("2026-12-28") * size / 10


def test_a_sparse_text_column_keeps_four_characters_for_what_is_written():
    """备注 written in one row of three: it keeps room for four characters (a short note on one or two lines), not
    the one character of its widest token, which stacked notes six lines high; an empty column keeps its least."""
    body, head = Widths(fonts.font_for("body"), 9), Widths(fonts.font_for("heading"), 9)
    stats = ColumnStats(body, head, ["文件标题", "备注", "空列"], [False, False, False])
    for i in range(30):
        stats.add_row(["关于开展年度安全生产大检查工作的通知", "原件已交档案室" if i % 3 == 0 else "", ""])
    title, note, empty = stats.finish()
    assert note.least >= 4 * body["中"] - 0.01 and note.least < body.of("原件已交档案室")
    assert empty.least == max(widest_token("空列", head, header=True), head.of("空列") / 3)
    size, w = fit_size(200, [title, note, empty], 9, 9, 7, 0.3)
    assert w[1] >= 4 * body["中"] * size / 9
