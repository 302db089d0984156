"""Search on a 1,000,000-row visitor register: first page and count, with and without a date range.

Target (issue): any search — 1, 2 and 3+ Chinese characters, common and rare — shows its first page ≤ 150 ms.

Measured: ``VISITORS.fetch_page(LedgerQuery(search=term, ...))`` (what the table shows first) and
``VISITORS.count(...)`` (the status-bar count the pane runs right after it, on the UI thread), medians of
``--repeat`` runs after one warm-up. Terms: common and rare surnames (王, 薛), a full name (张伟), words of
company names (科技, 有限公司), a term that matches nothing (北京某), plate fragments (京A, A1234), pinyin
initials and full pinyin of a name (zw, wangfang), two words (王 科技); alone, with the last 30 days, and with
one month three years ago (ids grow with dates, so an old range is the hard case for a newest-first walk).

Baseline, same run: a plain ``LIKE '%term%'`` scan over the searchable text columns with the same date
condition, ``ORDER BY id DESC LIMIT 200`` (and ``COUNT(*)``) through raw ``sqlite3``. LIKE cannot find pinyin
(there is no pinyin column): for those terms the baseline scans the whole table and finds nothing.

    .venv/bin/python benchmarks/bench_search.py [--rows 1000000] [--terms 王 薛 ...]
"""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(__file__))

import _common as C  # noqa: E402

TARGET = 0.150
TERMS = ["王", "薛", "张伟", "科技", "有限公司", "北京某", "京A", "A1234", "zw", "wangfang", "王 科技"]
DATED_TERMS = ["王", "薛", "张伟", "有限公司", "北京某"]
LIKE_TEXT = ("(name || ' ' || company || ' ' || purpose || ' ' || host_name || ' ' || host_dept || ' ' || "
             "badge_no || ' ' || plate || ' ' || belongings || ' ' || note)")


def main() -> None:
    p = C.parser(__doc__)
    p.add_argument("--terms", nargs="*", default=TERMS)
    args = p.parse_args()
    C.header(f"search, {args.rows:,} rows")
    datadir = C.open_bench(args.rows)

    from neiqin.models.ledger import LedgerQuery
    from neiqin.models.visitors import VISITORS

    raw = sqlite3.connect(f"file:{datadir.db_path}?mode=ro", uri=True)
    newest = dt.date.fromisoformat(raw.execute("SELECT MAX(visit_date) FROM visit").fetchone()[0])
    ranges = {
        "": (None, None),
        "last 30 days": (newest - dt.timedelta(days=29), newest),
        "a month 3 years ago": (newest - dt.timedelta(days=3 * 365 + 30), newest - dt.timedelta(days=3 * 365)),
    }

    def like(term: str, lo, hi, count: bool):
        words = term.split()
        where = " AND ".join([f"{LIKE_TEXT} LIKE ?"] * len(words))
        params = [f"%{w}%" for w in words]
        if lo:
            where += " AND visit_date BETWEEN ? AND ?"
            params += [lo.isoformat(), hi.isoformat()]
        if count:
            return raw.execute(f"SELECT COUNT(*) FROM visit WHERE {where}", params).fetchone()[0]
        return len(raw.execute(f"SELECT * FROM visit WHERE {where} ORDER BY id DESC LIMIT 200",
                               params).fetchall())

    t = C.Table(f"Search, visitors, {args.rows:,} rows (median of {args.repeat}; page = first 200 rows)")
    worst_page = worst_count = 0.0
    for label, (lo, hi) in ranges.items():
        for term in args.terms if not lo else [x for x in args.terms if x in DATED_TERMS]:
            q = LedgerQuery(search=term, date_from=lo, date_to=hi)
            rows = len(VISITORS.fetch_page(q))
            hits = VISITORS.count(q)
            page = C.timed(lambda q=q: VISITORS.fetch_page(q), args.repeat)
            count = C.timed(lambda q=q: VISITORS.count(q), args.repeat)
            base = C.timed(lambda t_=term, lo=lo, hi=hi: like(t_, lo, hi, False), args.repeat)
            base_count = C.timed(lambda t_=term, lo=lo, hi=hi: like(t_, lo, hi, True), args.repeat)
            like_hits = like(term, lo, hi, True)
            what = f"“{term}”" + (f" + {label}" if label else "") + f" — {hits:,} hits"
            if like_hits != hits:
                what += f" (LIKE: {like_hits:,})"
            t.add(what + f", page {rows}", "≤ 150 ms", f"{C.ms(page)} + count {C.ms(count)}",
                  f"{C.ms(base)} + count {C.ms(base_count)}", f"{page / base:.2f}× / {count / base_count:.2f}×",
                  page <= TARGET)
            worst_page, worst_count = max(worst_page, page), max(worst_count, count)
    print(f"\nworst first page {C.ms(worst_page)}, worst count {C.ms(worst_count)}")
    t.print()


if __name__ == "__main__":
    main()
