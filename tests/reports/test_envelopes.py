"""Envelopes: page = envelope (GB/T 1416 sizes), digits in the red postcode boxes, recipient in the middle,
sender lower right, 贴邮票处 top right, per-printer offsets — checked in the PDF itself."""

from __future__ import annotations

import pdfplumber
import pytest
from reportlab.lib.units import mm

from neiqin.errors import NeiqinError, ValidationError
from neiqin.models import settings
from neiqin.models.mail.addresses import ADDRESSES
from neiqin.reports.envelopes import (
    BOX_LEFT,
    BOX_TOP,
    SIZES,
    EnvelopeAddress,
    EnvelopeSender,
    as_address,
    envelope_calibration_pdf,
    envelope_offset,
    envelopes_pdf,
    save_envelope_offset,
    sender_from_settings,
)
from neiqin.reports.labels import Offset, printer_offset

SENDER = EnvelopeSender("某某市城市建设投资有限公司", "北京市朝阳区建国路88号现代城A座12层", "100022", "010-65661234")
TO = EnvelopeAddress("北京市住房和城乡建设委员会", "刘科长", "北京市通州区达济街9号院", "101160", "010-55597000")
LONG = EnvelopeAddress("南京市城市建设投资控股（集团）有限责任公司", "",
                       "江苏省南京市玄武区中央路214号金陵大厦东楼十八层投资发展部" * 2, "210009")


def text_of(page) -> str:
    return "".join(c["text"] for c in page.chars)


def chars_of(page, s: str) -> list[dict]:
    """The chars of the first occurrence of ``s`` in reading order."""
    chars = page.chars
    text = "".join(c["text"] for c in chars)
    i = text.index(s)
    return chars[i:i + len(s)]


def red_rects(page) -> list[dict]:
    return [r for r in page.rects if r.get("stroking_color") and len(r["stroking_color"]) == 3
            and r["stroking_color"][0] > 0.7 and r["stroking_color"][1] < 0.3]


@pytest.mark.parametrize("key", list(SIZES))
def test_every_size_one_envelope_per_page(tmp_path, key):
    size = SIZES[key]
    out = tmp_path / f"{key}.pdf"
    assert envelopes_pdf(out, key, [TO, LONG], SENDER) == 2
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            assert page.width == pytest.approx(size.width * mm, abs=0.5)
            assert page.height == pytest.approx(size.height * mm, abs=0.5)
            w, h = page.width, page.height
            text = text_of(page)
            assert "贴邮票处" in text and "邮政编码：100022" in text and "某某市城市建设投资有限公司" in text
            # six red postcode boxes top-left, each holding its digit; the stamp box top-right
            rects = red_rects(page)
            boxes = sorted((r for r in rects if r["width"] < 9 * mm), key=lambda r: r["x0"])
            stamp = [r for r in rects if r["width"] > 15 * mm]
            assert len(boxes) == 6 and len(stamp) == 1
            assert boxes[0]["x0"] == pytest.approx(BOX_LEFT * mm, abs=0.5)
            assert boxes[0]["top"] == pytest.approx(BOX_TOP * mm, abs=0.5)
            assert stamp[0]["x1"] > w - 12 * mm and stamp[0]["top"] < 12 * mm
            code = "101160" if page.page_number == 1 else "210009"
            digits = chars_of(page, code)
            for ch, box in zip(digits, boxes, strict=True):
                cx, cy = (ch["x0"] + ch["x1"]) / 2, (ch["top"] + ch["bottom"]) / 2
                assert box["x0"] < cx < box["x1"] and box["top"] < cy < box["bottom"]
            # the sender's block sits in the lower right quarter
            for c in chars_of(page, "邮政编码：100022"):
                assert c["x0"] > w / 3 and c["top"] > h * 0.6
            # nothing is written under the stamp box or off the envelope
            for c in page.chars:
                assert 0 <= c["x0"] and c["x1"] <= w and 0 <= c["top"] and c["bottom"] <= h
                if c["text"] not in "贴邮票处":
                    s = stamp[0]
                    assert not (c["x1"] > s["x0"] and c["x0"] < s["x1"] and c["bottom"] > s["top"]
                                and c["top"] < s["bottom"]), c["text"]
        first = text_of(pdf.pages[0])
        assert "北京市通州区达济街9号院" in first and "北京市住房和城乡建设委员会" in first and "刘科长" in first
        assert "收" in first and "电话：010-55597000" in first


def test_preprinted_envelopes_get_text_only_and_offsets_move_everything(tmp_path):
    plain, moved = tmp_path / "plain.pdf", tmp_path / "moved.pdf"
    envelopes_pdf(plain, "DL", [TO], SENDER, frames=False)
    envelopes_pdf(moved, "DL", [TO], SENDER, frames=False, offset=Offset(x=25, y=-15))  # 2.5 mm right, 1.5 up
    with pdfplumber.open(plain) as a, pdfplumber.open(moved) as b:
        pa, pb = a.pages[0], b.pages[0]
        assert red_rects(pa) == [] and "贴邮票处" not in text_of(pa)
        assert "101160" in text_of(pa)  # the digits still go where the printed boxes are
        for ca, cb in zip(pa.chars, pb.chars, strict=True):
            assert cb["x0"] - ca["x0"] == pytest.approx(2.5 * mm, abs=0.05)
            assert cb["top"] - ca["top"] == pytest.approx(-1.5 * mm, abs=0.05)


def test_bad_requests_are_refused_with_a_message(tmp_path):
    with pytest.raises(NeiqinError, match="没有“A3”规格的信封"):
        envelopes_pdf(tmp_path / "x.pdf", "A3", [TO], SENDER)
    with pytest.raises(NeiqinError, match="没有要打印的信封"):
        envelopes_pdf(tmp_path / "x.pdf", "DL", [], SENDER)
    with pytest.raises(ValidationError) as e:
        envelopes_pdf(tmp_path / "x.pdf", "DL", [TO, EnvelopeAddress("某单位无地址")], SENDER)
    assert "某单位无地址缺少地址" in e.value.errors["recipients"]
    assert not (tmp_path / "x.pdf").exists()
    # a postcode that is not six digits is refused by name (the boxes would stay empty without a word) ...
    out = tmp_path / "y.pdf"
    with pytest.raises(ValidationError) as e:
        envelopes_pdf(out, "dl", [TO, EnvelopeAddress("某单位", "", "某地址", "10001")], SENDER)
    assert "某单位（10001）的邮政编码不是 6 位数字" in e.value.errors["recipients"]
    assert not out.exists()
    # ... an empty one leaves them for a pen
    envelopes_pdf(out, "dl", [EnvelopeAddress("某单位", "", "某地址", "")], SENDER)
    assert out.exists()


@pytest.mark.parametrize("size", ["B6", "DL", "ZL", "C5", "C4"])
def test_zones_are_kept_apart(tmp_path, size):
    """GB/T 1416: the barcode strip along the bottom stays empty, the sender block above it, the recipient above
    that (the sender block used to reach 8.5 mm from the bottom)."""
    from neiqin.reports.envelopes import BARCODE_STRIP, SIZES

    out = tmp_path / "z.pdf"
    sender = EnvelopeSender("某某市城市建设投资有限公司", "北京市海淀区中关村南大街甲18号院5号楼", "100081",
                            "010-68881234")
    envelopes_pdf(out, size, [TO], sender)
    h = SIZES[size].height * mm
    with pdfplumber.open(out) as pdf:
        chars = pdf.pages[0].chars
    lowest = max(c["bottom"] for c in chars)
    assert h - lowest >= (BARCODE_STRIP + 1.9) * mm  # nothing printed in the barcode strip
    sender_top = min(c["top"] for c in chars if c["text"] in "海淀")
    recipient_bottom = max(c["bottom"] for c in chars if c["text"] == "收")
    assert sender_top - recipient_bottom >= 2 * mm


def test_addresses_come_from_the_book_records_and_settings(database):
    org = ADDRESSES.create({"name": "北京仲裁委员会", "address": "北京市朝阳区建国门外大街甲12号", "postcode": "100022",
                            "contact": "秘书处", "phone": "010-65669856"})
    a = as_address(org)
    assert (a.org, a.person, a.postcode) == ("北京仲裁委员会", "秘书处", "100022")
    b = as_address({"recipient_org": "某公司", "recipient": "王经理", "address": "某路1号", "postcode": "200000"})
    assert (b.org, b.person) == ("某公司", "王经理")
    settings.set_value("org_name", "某某公司")
    settings.set_value("parcels.sender_address", "北京市某区某路2号")
    settings.set_value("parcels.sender_postcode", "100001")
    s = sender_from_settings()
    assert (s.name, s.address, s.postcode) == ("某某公司", "北京市某区某路2号", "100001")


def test_envelope_offsets_are_kept_per_printer_apart_from_labels(database, tmp_path):
    save_envelope_offset("HP LaserJet", Offset(12, -4))
    assert envelope_offset("HP LaserJet") == Offset(12, -4)
    assert printer_offset("HP LaserJet") == Offset()  # the label tray of the same printer is untouched
    assert envelope_offset("") == Offset()
    with pytest.raises(NeiqinError):
        save_envelope_offset(" ", Offset(1, 1))
    with pytest.raises(ValidationError):
        save_envelope_offset("HP LaserJet", Offset(999, 0))
    out = tmp_path / "cal.pdf"
    assert envelope_calibration_pdf(out, "C5", Offset(12, -4), "HP LaserJet") == 1
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        assert page.width == pytest.approx(229 * mm, abs=0.5)
        text = text_of(page)
        assert "信封校准页" in text and "HP LaserJet" in text and "水平+1.2mm" in text.replace(" ", "")
