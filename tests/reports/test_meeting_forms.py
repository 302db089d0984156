"""Meeting prints: text and layout measured in the PDFs (纪要 on the 公文 grid, 签到表 blank signatures,
会议记录 with 共×页 and signature lines, 通知, 督办表)."""

from __future__ import annotations

import datetime as dt

import pdfplumber
import pytest

from neiqin import clock
from neiqin.models import STAFF
from neiqin.models.meetings.attendance import ABSENT, ATTENDED, LATE, LEAVE, PRESENT
from neiqin.models.meetings.minutes import commit_minutes, finalize_minutes, minutes_document
from neiqin.models.meetings.register import create_meeting
from neiqin.reports.forms import GW_BLOCK_W, GW_LEFT, GW_PAGE_H, GW_TOP
from neiqin.reports.meeting_forms import (
    write_minutes_pdf,
    write_notice_pdf,
    write_record_pdf,
    write_signin_pdf,
    write_supervision_pdf,
)

DAY = clock.today() - dt.timedelta(days=10)
CELL = GW_BLOCK_W / 28


@pytest.fixture
def meeting(database):
    names = ["王芳", "李强", "赵敏", "陈杰", "刘洋", "孙悦", "周涛", "吴静", "郑凯", "冯雪", "褚明", "卫东"]
    for i, n in enumerate(["张伟", *names]):
        STAFF.create({"name": n, "department": ["办公室", "技术部", "财务部"][i % 3], "title": "主任" if i == 0 else "",
                      "mobile": f"1380000{i:04d}"})
    m = create_meeting({"title": "公司周例会", "kind": "例会", "series_name": "公司周例会", "day": DAY,
                        "start": "09:00", "end": "10:30", "place": "第一会议室", "host": "张伟", "recorder": "王芳",
                        "department": "办公室", "invitees": "、".join(names),
                        "observers": "孙丽（市住建局）", "agenda_plan": "安全生产检查\n办公用品采购"})
    doc = minutes_document(m)
    marks = [PRESENT] * 9 + [LATE, LEAVE, ABSENT]
    for row, mark in zip(doc["attendance"], [*marks, ATTENDED], strict=True):
        row["attendance"] = mark
        row["reason"] = "出差" if mark == ABSENT else ("病假" if mark == LEAVE else "")
    doc["items"] = [
        {"title": "安全生产检查", "notes": "张伟：节前开展一次全面检查。\n李强：技术部已完成自查。" * 30,
         "decisions": ["开展一次消防安全自查", "完善节假日值班安排"],
         "actions": [{"task": "完成消防器材检查并形成台账", "owner": "李强", "due": DAY + dt.timedelta(days=4)}]},
        {"title": "办公用品采购", "notes": "", "decisions": ["同意按预算采购第二季度办公用品"],
         "actions": [{"task": "提交采购清单", "owner": "赵敏", "due": DAY + dt.timedelta(days=20)}]},
    ]
    return commit_minutes(m, doc)


def text_of(path) -> str:
    """The text with line breaks removed (wrapped lines join up again)."""
    with pdfplumber.open(path) as pdf:
        return "".join(p.extract_text().replace("\n", "") for p in pdf.pages)


def test_minutes_in_the_jiyao_layout(meeting, tmp_path):
    out = tmp_path / "jiyao.pdf"
    pages = write_minutes_pdf(meeting, out, org_name="某某有限公司")
    text = text_of(out)
    assert "公司周例会纪要" in text
    assert f"{DAY.year}年{DAY.month}月{DAY.day}日，张伟在第一会议室主持召开公司周例会" in text
    assert "一、安全生产检查" in text and "会议决定：开展一次消防安全自查。" in text
    assert f"完成消防器材检查并形成台账，由李强负责，{(DAY + dt.timedelta(days=4)).month}月" in text
    assert "请假：褚明（病假）" in text and "缺席：卫东（出差）" in text and "列席：孙丽（市住建局）" in text
    with pdfplumber.open(out) as pdf:
        assert len(pdf.pages) == pages
        chars = [c for p in pdf.pages for c in p.chars]
        body = [c for c in chars if abs(c["size"] - 16) < 0.1]
        assert body and all(abs(c["size"] - 16) < 0.1 for c in chars if c["text"] in "出席请假列")
        for page in pdf.pages:
            rows: dict[float, list] = {}
            for c in page.chars:
                rows.setdefault(round(c["top"], 1), []).append(c)
            for row in rows.values():
                row.sort(key=lambda c: c["x0"])
                line = "".join(c["text"] for c in row)
                if line.startswith("出席："):
                    # 3号 label two characters in, full-width colon, names follow on the grid
                    assert abs(row[0]["x0"] - (GW_LEFT + 2 * CELL)) < 1.0
                    assert row[2]["text"] == "：" and abs(row[3]["x0"] - (GW_LEFT + 5 * CELL)) < 1.0
                    names_top = row[0]["top"]
                    follow = [r for t, r in rows.items() if t > names_top and t - names_top < 40]
                    assert follow, "12 names need a second line"
                    nxt = sorted(follow[0], key=lambda c: c["x0"])
                    assert abs(nxt[0]["x0"] - (GW_LEFT + 5 * CELL)) < 1.0, "continuation under the names"
        top = GW_PAGE_H - GW_TOP
        first = [c for c in pdf.pages[0].chars if abs(c["size"] - 22) < 0.1]
        assert first and abs(pdf.pages[0].height - first[0]["top"] - top) < 30  # title on the first grid line


def test_record_has_everything_page_count_and_signatures(meeting, tmp_path):
    meeting = finalize_minutes(meeting)
    out = tmp_path / "record.pdf"
    pages = write_record_pdf(meeting, out, org_name="某某有限公司")
    with pdfplumber.open(out) as pdf:
        texts = [p.extract_text() for p in pdf.pages]
    assert pages == len(texts) >= 2
    for i, t in enumerate(texts, 1):
        assert f"第 {i} 页 共 {pages} 页" in t
    whole = "\n".join(texts)
    for words in ("会 议 记 录", "公司周例会", "09:00–10:30", "第一会议室", "主持人", "记录人", "应到 12 人，实到 10 人",
                  "缺席(原因)", "卫东（出差）", "褚明（病假）", "迟到", "冯雪", "列席", "孙丽（市住建局）",
                  "议题一：安全生产检查", "议题二：办公用品采购", "决议", "完善节假日值班安排", "提交采购清单",
                  "定稿于"):
        assert words in whole, words
    assert "主持人：" in texts[-1] and "记录人：" in texts[-1]


def test_signin_sheet_leaves_signatures_and_phones_blank(meeting, tmp_path):
    out = tmp_path / "signin.pdf"
    write_signin_pdf(meeting, out, org_name="某某有限公司", spare_rows=4)
    with pdfplumber.open(out) as pdf:
        page = pdf.pages[0]
        text = page.extract_text()
        heads = {w["text"]: w for w in page.extract_words()}
        sign = heads["签名"]
        phone = heads["电话"]
        end = min(c["top"] for c in page.chars if c["text"] == "应")  # the note under the table
    for words in ("会议签到表", "会议名称", "公司周例会", "会议地点", "第一会议室", "主办", "办公室", "序号",
                  "单位/部门", "职务", "签到时间", "王芳", "孙丽", "市住建局", "列席"):
        assert words in text, words
    assert "1380000" not in text  # nobody's mobile lies open at the door
    for head in (sign, phone):
        assert [c for c in page.chars if head["bottom"] + 2 < c["top"] < end
                and head["x0"] - 15 < c["x0"] < head["x1"] + 15] == []
    assert "17" in text  # 13 invited + 4 spare rows, numbered


def test_notice_on_the_gongwen_page(meeting, tmp_path):
    out = tmp_path / "notice.pdf"
    write_notice_pdf(meeting, out, org_name="某某有限公司", issued=dt.date(2026, 3, 2))
    text = text_of(out)
    for words in ("关于召开公司周例会的通知", "各有关部门、参会人员：", "一、会议时间", "二、会议地点", "三、参会人员",
                  "四、会议议题", "1. 安全生产检查", "2. 办公用品采购", "五、有关要求", "列席人员：孙丽（市住建局）",
                  "主持人：张伟", "2026年3月2日"):
        assert words in text, words


def test_supervision_sheet_groups_open_items_by_owner(meeting, tmp_path):
    out = tmp_path / "dubanbiao.pdf"
    write_supervision_pdf(out, org_name="某某有限公司")
    text = text_of(out)
    assert "督办事项一览表" in text and "未办结 2 项，其中逾期 1 项" in text
    assert text.index("李强") < text.index("赵敏")  # owners with overdue items first
    assert "逾期6天" in text and "完成消防器材检查并形成台账" in text and "办理情况" in text
    only = tmp_path / "overdue.pdf"
    write_supervision_pdf(only, org_name="某某有限公司", only_overdue=True)
    t2 = text_of(only)
    assert "逾期督办事项一览表" in t2 and "提交采购清单" not in t2
