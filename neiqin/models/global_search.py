"""One search box over every ledger and the staff directory (Ctrl+K). No Qt.

Each ledger answers through its own :class:`~neiqin.models.ledger.LedgerSpec` search (the two FTS5 indexes), so
1–2 character Chinese terms, several words and the pinyin of people's names work exactly as in the ledger's
own search box. A group shows the newest few hits and a capped count; counting stops at ``COUNT_CAP`` so a
very common character never makes the box wait. The directory ranks people the way the staff picker does:
exact name, name prefix, pinyin initials (zs → 张三), full pinyin.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field

import peewee as pw

from neiqin.models.ledger import LedgerQuery, LedgerSpec, all_ledgers, split_terms
from neiqin.models.staff import StaffChoice, match_staff

log = logging.getLogger(__name__)

PER_GROUP = 8
COUNT_CAP = 999
DETAIL_CHARS = 90
FIRST = ("staff",)  # people are what a front desk looks up most


@dataclass
class Hit:
    ledger: str
    record_id: int
    title: str  # the record as the ledger describes it, e.g. "访客 张三（2026-05-12）"
    detail: str  # a few of its columns, e.g. "某公司 · 商务洽谈 · 办公室 · 李四"
    voided: bool = False


@dataclass
class Group:
    ledger: str
    title: str  # the register's name, e.g. 来访登记簿
    total: int  # hits in the ledger, at most COUNT_CAP + 1
    hits: list[Hit] = field(default_factory=list)

    @property
    def total_text(self) -> str:
        return f"{COUNT_CAP} 条以上" if self.total > COUNT_CAP else f"{self.total} 条"

    @property
    def more(self) -> bool:
        return self.total > len(self.hits)


def searchable() -> list[LedgerSpec]:
    """Every ledger with a search index, the directory first, then in the order they were registered."""
    specs = [s for s in all_ledgers().values() if s.search is not None]
    return sorted(specs, key=lambda s: (0 if s.key in FIRST else 1))


def count(spec: LedgerSpec, text: str, cap: int = COUNT_CAP) -> int:
    """Live (not voided) records matching ``text``, counted up to ``cap + 1``."""
    m = spec.model
    query, _, _ = spec.select(LedgerQuery(search=text), fields=[m.id])
    capped = query.where(m.voided == False).limit(cap + 1)  # noqa: E712
    return m.select(pw.fn.COUNT(pw.SQL("*"))).from_(capped.alias("capped")).scalar() or 0


def _describe(spec: LedgerSpec, row: dict) -> str:
    try:
        return spec.describe(spec.model(**{k: v for k, v in row.items() if k in spec.model._meta.fields}))
    except Exception:  # noqa: BLE001 - a describe that needs more than the row falls back to the number
        return f"{spec.tab_title} #{row['id']}"


def _detail(spec: LedgerSpec, row: dict, title: str) -> str:
    parts: list[str] = []
    for col in spec.columns:
        if col.mask is not None:
            continue  # ID and phone numbers stay in the record, not in a list anyone walking by can read
        try:
            text = col.display(row).strip()
        except Exception:  # noqa: BLE001 - a computed column that needs more than the row is left out
            continue
        if text and text not in title and text not in parts:
            parts.append(text)
        if sum(len(p) + 3 for p in parts) > DETAIL_CHARS:
            break
    detail = " · ".join(parts)
    return detail if len(detail) <= DETAIL_CHARS else detail[:DETAIL_CHARS - 1] + "…"


def _rank_people(rows: list[dict], text: str) -> list[dict]:
    """Directory rows in the staff picker's order for a one-word search; rows it does not rank keep theirs."""
    terms = split_terms(text)
    if len(terms) != 1:
        return rows
    by_id = {r["id"]: r for r in rows}
    choices = [StaffChoice(r["id"], r.get("name", ""), r.get("department", ""), r.get("title", ""),
                           r.get("pinyin", ""), r.get("initials", "")) for r in rows]
    ranked = [by_id[c.id] for c in match_staff(choices, terms[0], limit=len(choices))]
    seen = {r["id"] for r in ranked}
    return ranked + [r for r in rows if r["id"] not in seen]


def search_group(spec: LedgerSpec, text: str, per_group: int = PER_GROUP) -> Group | None:
    """The first ``per_group`` hits of one ledger (newest first; people ranked) and their count, or None."""
    q = LedgerQuery(search=text)
    fetch = per_group * 4 if spec.key == "staff" else per_group
    rows = spec.fetch_page(q, limit=fetch)
    if not rows:
        return None
    if spec.key == "staff":
        rows = _rank_people(rows, text)
    rows = rows[:per_group]
    live = sum(1 for r in rows if not r.get("voided"))
    total = live if len(rows) < per_group else count(spec, text)
    hits = []
    for r in rows:
        title = _describe(spec, r)
        hits.append(Hit(spec.key, r["id"], title, _detail(spec, r, title), bool(r.get("voided"))))
    return Group(spec.key, spec.title, total, hits)


def search_all(text: str, per_group: int = PER_GROUP, ledgers: Iterable[str] | None = None) -> list[Group]:
    """Hits grouped by ledger, for the words in ``text`` (all must match); ledgers without hits left out."""
    if not split_terms(text):
        return []
    wanted = set(ledgers) if ledgers is not None else None
    groups = []
    for spec in searchable():
        if wanted is not None and spec.key not in wanted:
            continue
        try:
            g = search_group(spec, text, per_group)
        except Exception:  # noqa: BLE001 - one broken ledger must not take the search box down
            log.exception("global search failed in %s", spec.key)
            continue
        if g is not None:
            groups.append(g)
    return groups
