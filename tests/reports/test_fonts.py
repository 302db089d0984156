import logging
import subprocess
import sys
from pathlib import Path

import pytest
from reportlab.pdfbase import pdfmetrics

from neiqin.errors import NeiqinError
from neiqin.reports import fonts
from neiqin.reports.fonts import CID_FALLBACK, FontRegistry, probe

SYSTEM_OTF = sorted(Path("/usr/share/fonts").rglob("*.otf")) if Path("/usr/share/fonts").is_dir() else []


@pytest.fixture
def isolated(monkeypatch, tmp_path):
    """A registry that sees only tmp_path/fonts (no system or bundled fonts)."""
    d = tmp_path / "fonts"
    d.mkdir()
    monkeypatch.setattr(fonts, "system_font_dirs", lambda: [])
    monkeypatch.setattr(fonts, "bundled_font_dirs", lambda: [])
    reg = FontRegistry()
    reg.add_dir(d)
    return reg, d


def test_every_role_gets_a_usable_font():
    roles = fonts.role_assignments()
    assert set(roles) == set(fonts.ROLES)
    for info in roles.values():
        assert info.name in pdfmetrics.getRegisteredFontNames()
        assert pdfmetrics.stringWidth("来访登记簿", info.name, 10) > 0
    if any(f.is_embedded for f in fonts.available_fonts()):
        assert roles["body"].is_embedded, "a TrueType CJK font exists, so the CID fallback must not be used"


def test_nothing_happens_at_import_and_no_qt():
    code = ("import sys, neiqin.reports.fonts as f, neiqin.reports.register, neiqin.reports.excel;"
            "from reportlab.pdfbase import pdfmetrics;"
            "assert f.REGISTRY._found is None, 'scanned at import';"
            "assert not [n for n in pdfmetrics.getRegisteredFontNames() if n.startswith('nq-')];"
            "qt = [m for m in sys.modules if m.startswith('PySide6')]; assert not qt, qt")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr


def test_cff_font_is_skipped_with_a_log_line(isolated, caplog):
    reg, d = isolated
    fake = d / "NotoSansCJK-Regular.ttc"
    fake.write_bytes(b"ttcf\x00\x01\x00\x00\x00\x00\x00\x01\x00\x00\x00\x10OTTO" + b"\x00" * 200)
    (d / "fake.otf").write_bytes(b"OTTO" + b"\x00" * 200)
    assert "CFF" in probe(fake)
    with caplog.at_level(logging.INFO, logger="neiqin.reports.fonts"):
        assert reg.register(str(fake), 0, "Noto Sans CJK", "hei") is None
        assert reg.available() == []
    assert "CFF" in caplog.text


@pytest.mark.skipif(not SYSTEM_OTF, reason="no .otf font installed")
def test_real_postscript_outline_font_is_skipped(isolated, caplog, monkeypatch):
    reg, _ = isolated
    with caplog.at_level(logging.INFO, logger="neiqin.reports.fonts"):
        assert reg.register(str(SYSTEM_OTF[0])) is None  # found by the header check
        monkeypatch.setattr(fonts, "probe", lambda *a: None)
        assert FontRegistry().register(str(SYSTEM_OTF[0])) is None  # and by reportlab's own TTFError
    assert "postscript outlines are not supported" in caplog.text


def test_reportlab_error_on_broken_truetype_is_caught(isolated, caplog):
    reg, d = isolated
    broken = d / "simsun.ttc"  # a known name, a TrueType header, garbage after it
    broken.write_bytes(b"\x00\x01\x00\x00" + b"\xff" * 64)
    with caplog.at_level(logging.INFO, logger="neiqin.reports.fonts"):
        assert reg.register(str(broken), 0, "宋体", "song") is None
    assert "skipping font" in caplog.text
    assert reg.register(str(broken), 0) is None  # cached, not retried


def test_unreadable_and_missing_files_are_skipped(isolated, tmp_path):
    reg, d = isolated
    assert reg.register(str(tmp_path / "nope.ttf")) is None
    folder = d / "folder.ttf"
    folder.mkdir()
    assert "无法读取" in probe(folder)
    assert reg.register(str(folder)) is None
    assert reg.available() == []


def test_only_broken_fonts_means_builtin_fallback(isolated):
    reg, d = isolated
    (d / "simhei.ttf").write_bytes(b"not a font at all")
    info = reg.font_for_role("body")
    assert info.name == CID_FALLBACK and not info.is_embedded
    assert pdfmetrics.stringWidth("中文", info.name, 10) > 0


def test_role_preferences_and_override(isolated):
    wqy = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
    if not wqy.exists():
        pytest.skip("fonts-wqy-zenhei not installed")
    reg, d = isolated
    (d / "wqy-zenhei.ttc").symlink_to(wqy)
    info = reg.font_for_role("fangsong")  # no 仿宋 here: the best present font instead
    assert info.family == "文泉驿正黑" and info.is_embedded
    assert reg.font_for_role("title") == info
    with pytest.raises(NeiqinError, match="无法使用"):
        reg.set_override("body", str(d / "missing.ttf"))
    assert reg.set_override("body", "STSong-Light").name == CID_FALLBACK
    assert reg.font_for_role("body").name == CID_FALLBACK
    assert reg.set_override("body", None) == info  # back to automatic


def test_load_overrides_ignores_fonts_that_are_gone(monkeypatch, caplog):
    reg = FontRegistry()
    monkeypatch.setattr(fonts, "REGISTRY", reg)
    with caplog.at_level(logging.WARNING, logger="neiqin.reports.fonts"):
        fonts.load_overrides({"fonts.body": "C:/Windows/Fonts/gone.ttf", "fonts.title": "STSong-Light",
                              "unrelated": "x"})
    assert "gone.ttf" in caplog.text
    assert fonts.font_for("title") == CID_FALLBACK
    assert "body" not in reg.overrides
