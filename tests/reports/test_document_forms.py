"""收发文 printouts: 文件处理笺, 送文簿, and the 收文/发文 登记簿 through the shared register writer."""

from __future__ import annotations

import datetime as dt
import subprocess

import pytest

from neiqin import clock
from neiqin.models import STAFF, LedgerQuery
from neiqin.models.base import now
from neiqin.models.mail import incoming, incoming_steps, outgoing
from neiqin.reports.document_forms import write_delivery_book_pdf, write_processing_sheet_pdf
from neiqin.reports.register import write_register_pdf


def pdf_text(path) -> str:
    """The PDF's text with all white space removed (wide-spaced titles and table layout do not matter)."""
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(out.split())


def pages(path) -> int:
    from pypdf import PdfReader

    return len(PdfReader(str(path)).pages)


@pytest.fixture
def handled(database):
    boss = STAFF.create({"name": "李强", "department": "总经理办公室"})
    eng = STAFF.create({"name": "陈杰", "department": "工程部"})
    doc = incoming.register_incoming({"received_at": now() - dt.timedelta(hours=3), "signed_by": "王芳",
                                  "sender_org": "市住房和城乡建设局", "sender_no": "某建发[2026]第012号",
                                  "title": "关于做好汛期安全生产工作的通知", "secrecy": "秘密", "secrecy_years": 1,
                                  "urgency": "加急", "deadline_days": 3, "pages": 6, "attachments": "附表1份"})
    doc = incoming_steps.review_incoming(doc, {"by": "王芳"})
    doc = incoming_steps.propose_incoming(doc, {"by": "王芳", "opinion": "建议工程部牵头落实，请李总阅示。"})
    doc = incoming_steps.instruct_incoming(doc, {"by": {"id": boss.id, "name": "李强"}, "instruction": "同意，请抓紧落实。"})
    doc = incoming_steps.assign_incoming(doc, {"handler": {"id": eng.id, "name": "陈杰"}})
    incoming_steps.circulate_incoming(doc, {"readers": ["李强"]})
    return incoming.IncomingDoc.get_by_id(doc.id)


def test_processing_sheet_shows_what_was_recorded(handled, tmp_path):
    out = write_processing_sheet_pdf(handled, tmp_path / "笺.pdf", org_name="某某公司")
    text = pdf_text(out)
    for expected in ("文件处理笺", "某某公司", handled.no, "市住房和城乡建设局", "某建发〔2026〕12号",
                     "关于做好汛期安全生产工作的通知", "秘密★1年", "加急", "拟办意见", "建议工程部牵头落实",
                     "领导批示", "同意，请抓紧落实。", "签字：李强", "工程部", "陈杰", "传阅人", "办理结果", "归档情况"):
        assert expected in text, expected
    assert pages(out) == 1


def test_blank_sheet_for_a_new_document(database, tmp_path):
    doc = incoming.register_incoming({"sender_org": "市财政局", "title": "关于预算编制的通知", "signed_by": "王芳"})
    text = pdf_text(write_processing_sheet_pdf(doc, tmp_path / "blank.pdf"))
    assert "日期：年月日" in text  # left blank to sign by hand
    assert "签字：" in text and "文号无" in text  # no 文号


def test_delivery_book(database, tmp_path):
    out_doc = outgoing.register_outgoing({"code": "公司发", "title": "关于年度投资计划的请示", "main_to": "市国资委",
                                      "copy_to": "市财政局", "signer": "李强", "secrecy": "内部"})
    rows = outgoing.add_deliveries(out_doc, {"organisations": ["市国资委", "市财政局"], "category": "急件"})
    outgoing.sign_delivery(rows[0], {"signed_by": "周收发"})
    path = write_delivery_book_pdf(tmp_path / "送文簿.pdf", org_name="某某公司", doc=out_doc)
    text = pdf_text(path)
    for expected in ("送文簿", "封皮号", out_doc.doc_no, "市国资委", "市财政局", "急件、", "内部", "周收发", "共2封",
                     rows[0].envelope_label):
        assert expected in text, expected
    today = clock.today()
    text = pdf_text(write_delivery_book_pdf(tmp_path / "range.pdf", date_from=today, date_to=today))
    assert "市财政局" in text
    empty = pdf_text(write_delivery_book_pdf(tmp_path / "none.pdf", date_from=today - dt.timedelta(days=9),
                                             date_to=today - dt.timedelta(days=8)))
    assert "共0封" in empty


def test_registers(handled, tmp_path):
    outgoing.register_outgoing({"code": "公司函", "title": "关于提供资料的复函", "main_to": "市住房和城乡建设局",
                            "signer": "李强", "drafter": "陈杰", "print_copies": 5})
    for spec, title, cells in ((incoming.INCOMING, "收文登记簿", ["收文号", "来文字号", "承办单位/人", handled.no,
                                                             "秘密", "★1年", "工程部"]),
                               (outgoing.OUTGOING, "发文登记簿", ["发文字号", "主送/抄送", "印制", "公司函〔",
                                                             "主送：市住房"])):
        path = tmp_path / f"{spec.key}.pdf"
        write_register_pdf(spec, LedgerQuery(), path, org_name="某某公司")
        text = pdf_text(path)
        assert title in text
        for c in cells:
            assert c in text, c
