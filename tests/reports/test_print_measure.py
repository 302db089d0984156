"""Every print of the demo data measured with pdfplumber (issue 18): what a clerk reads and writes on.

The demo database is made once for the module; every register, list, form, label, badge sheet and envelope is
rendered as its button renders it, then measured: no token broken across lines (dates, date-times, 单号 and
numbers, amounts, names of up to four characters, 避头尾), 序号 ascending with the oldest record first, no page
holding only a closing block, signature cells big enough to write in, every font embedded.

BEFORE holds the broken tokens per print measured on main before issue 18's layout work (the demo data of
``generate(300)`` at the pinned clock), for the closing note; prints not listed had none.
"""

from __future__ import annotations

import re

import pytest

from tests.reports.measure import closing_only_pages, measure, signature_cells, unembedded_fonts
from tests.reports.prints import ORDER_HEADERS

BEFORE = {"register-incoming": 839, "register-parcels": 633, "register-stock-moves": 1042,
          "register-seal-uses": 39, "register-seal-loans": 23, "list-parcel-costs": 12, "list-delivery-book": 7,
          "list-today-handover": 5, "list-on-site": 3}

DATE = re.compile(r"^(\d{4}-\d{2}-\d{2})")


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """{name: (group, Measure, path)} for every print of a fresh demo database, and the organisation name."""
    from neiqin.db import close_database, open_database
    from neiqin.demo import generate
    from neiqin.models import settings
    from neiqin.paths import DataDir
    from tests.reports.prints import people_names, render_all

    folder = tmp_path_factory.mktemp("prints")
    datadir = DataDir(folder / "data").ensure()
    open_database(datadir.db_path, datadir.backups)
    try:
        generate(300)
        names = people_names()
        org = settings.org_name()
        done = render_all(folder)
    finally:
        close_database()
    return {name: (group, measure(path, names), path) for name, (group, path) in done.items()}, org


def test_every_kind_of_print_is_measured(printed):
    prints, _ = printed
    groups = {g for g, _, _ in prints.values()}
    assert len(ORDER_HEADERS) >= 10  # the registers kept in 登记 order
    assert groups == {"register", "list", "form", "label", "envelope"}
    assert sum(g == "register" for g, _, _ in prints.values()) >= 15
    assert all(m.pages >= 1 for _, m, _ in prints.values())


def test_no_token_is_broken_across_lines(printed):
    prints, _ = printed
    broken = {name: [str(b) for b in m.broken[:5]] + [f"… {len(m.broken)} in all (before: {BEFORE.get(name, 0)})"]
              for name, (_, m, _) in prints.items() if m.broken}
    assert broken == {}


def test_registers_number_rows_from_the_oldest(printed):
    prints, _ = printed
    wrong = {}
    for name, (group, m, _) in prints.items():
        if group != "register":
            continue
        if not any("：全部" in ln for ln in m.page_lines[0]):
            wrong[name] = "no period line"
            continue
        seq = [int(s.split()[0]) for s in m.column("序号") if s]
        if seq != list(range(1, len(seq) + 1)):
            wrong[name] = f"序号 {seq[:5]}…"
            continue
        header = ORDER_HEADERS.get(name)
        if header:
            days = [DATE.match(c).group(1) for c in m.column(header) if DATE.match(c)]
            if not days or days != sorted(days):
                wrong[name] = f"{header} not oldest first: {days[:3]}…"
    assert wrong == {}


def test_no_page_holds_only_a_closing_block(printed):
    prints, org = printed
    alone = {name: closing_only_pages(m, org) for name, (_, m, _) in prints.items()}
    assert {k: v for k, v in alone.items() if v} == {}


def test_signature_cells_leave_room_to_write(printed):
    prints, _ = printed
    small = {}
    for name, (group, m, _) in prints.items():
        if group == "register":
            continue  # registers record typed names; their signing happens on the forms and lists
        cells = [(h, round(w, 1), round(hh, 1)) for h, w, hh in signature_cells(m) if w < 24.99 or hh < 9.99]
        if cells:
            small[name] = cells[:3]
    assert small == {}


# every form a person signs has the signature line of its paper form
SIGNED_BY = {"form-seal-use": ["申请人签字", "监印人签字"], "form-issue-slip": ["领用人", "审批人", "发放人"],
             "list-parcels-waiting": ["领取人签字"], "list-meeting-signin": ["签名", "签到时间"],
             "list-supervision": ["签字", "督办人"], "list-delivery-book": ["签收人", "送文人"],
             "form-seal-reminder": ["借用人签字"], "form-meeting-record": ["主持人", "记录人"]}


def test_signed_forms_have_their_signature_lines(printed):
    prints, _ = printed
    missing = {}
    for name, labels in SIGNED_BY.items():
        _, m, _ = prints[name]
        text = "".join("".join(lines) for lines in m.page_lines).replace(" ", "")
        lacking = [x for x in labels if x not in text]
        if lacking:
            missing[name] = lacking
    assert missing == {}


def test_signin_rows_leave_room_to_sign(printed):
    prints, _ = printed
    _, m, _ = prints["list-meeting-signin"]
    heights = [(b[0][3] - b[0][1]) / (72 / 25.4) for t in m.tables if "签名" in t.header for b in t.row_boxes]
    assert heights and min(heights) >= 9.99


def test_every_font_is_embedded(printed):
    prints, _ = printed
    bad = {name: sorted(unembedded_fonts(path)) for name, (_, _, path) in prints.items()}
    assert {k: v for k, v in bad.items() if v} == {}


