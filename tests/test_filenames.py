"""Issue 19, defect 4: every name the program builds from typed text is one Windows accepts."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from neiqin.filenames import DEVICE_NAMES, MAX_CHARS, is_valid_windows_name, safe_filename


@pytest.mark.parametrize(("typed", "expected"), [
    ('会议：预算?*"<>|', "会议：预算？＊＂＜＞｜"),
    ("A/B\\C", "A／B＼C"),
    ("关于：", "关于："),
    ("CON", "_CON"),
    ("aux.pdf", "_aux.pdf"),
    ("com1.txt", "_com1.txt"),
    ("Nul .pdf", "_Nul.pdf"),
    ("lpt¹", "_lpt¹"),
    ("CONSOLE", "CONSOLE"),
    ("报告...", "报告"),
    ("报告 . . ", "报告"),
    ("  ", "文件"),
    ("...", "文件"),
    (".pdf", "pdf"),
    ("来访单\t张三\n", "来访单 张三"),
    ("a\x00b", "a b"),
])
def test_reserved_characters_and_names(typed, expected):
    assert safe_filename(typed) == expected
    assert is_valid_windows_name(safe_filename(typed))


def test_length_kept_with_the_extension():
    name = safe_filename("很长的会议标题" * 40 + ".pdf")
    assert len(name) <= MAX_CHARS and name.endswith(".pdf") and name.startswith("很长的会议标题")


@given(st.text(max_size=300))
def test_any_text_gives_a_valid_name(text):
    name = safe_filename(text)
    assert is_valid_windows_name(name) and len(name) <= MAX_CHARS


@given(st.sampled_from(sorted(DEVICE_NAMES)), st.sampled_from(["", ".pdf", ".tar.gz", " .txt"]))
def test_device_names_in_any_case(device, suffix):
    assert is_valid_windows_name(safe_filename(device.lower() + suffix))
