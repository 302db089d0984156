"""Chained ledgers (用印, 外借): written only through their step functions, each step one event of the hash chain
(:mod:`neiqin.models.seals.chain`) and one update of the projected row, in one transaction. No Qt.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from neiqin.errors import NeiqinError
from neiqin.models.base import AuditLog, db, now
from neiqin.models.ledger import LedgerSpec, check_void
from neiqin.models.seals.chain import append

# ---------------------------------------------------------------------------------------------- chained ledgers


@dataclass
class ChainedLedgerSpec(LedgerSpec):
    """A ledger written only through its step functions: generic create/edit/import are refused."""

    void_fn: Any = None

    def create(self, data: dict, *, action: str = "create", summary: str = "") -> Any:
        raise NeiqinError(f"{self.tab_title}记录只能按登记流程逐步录入（不能直接新建或从 Excel 导入），"
                          "以保证登记链完整")

    def update(self, rec: Any, data: dict, *, action: str = "edit", summary: str = "",
               validate: bool = True) -> Any:
        raise NeiqinError(f"{self.tab_title}记录登记后不能修改；如有错误请作废后重新登记（作废记录会保留）")

    def void(self, rec: Any, reason: str) -> Any:
        return self.void_fn(rec, reason)

# ---------------------------------------------------------------------------------------------- chained writes


def chained_write(spec: LedgerSpec, entity: str, rec: Any, kind: str, data: dict, summary: str,
           file: dict | None = None) -> Any:
    """Apply ``data`` to the projected row and append the event, in one transaction."""
    model = spec.model
    with db.atomic():
        if rec is None:
            rec = model.create(**data)
        else:
            model.update(**data, updated_at=now()).where(model.id == rec.id).execute()
            rec = model.get_by_id(rec.id)
        append(entity, rec.id, kind, data, file)
        spec._reindex(rec)
        AuditLog.write(spec.key, rec.id, kind, summary,
                       {k: [None, v] for k, v in data.items() if v not in (None, "")})
    return rec

def void_change(rec: Any, reason: str) -> dict:
    return {"voided": True, "void_reason": check_void(rec, reason), "voided_at": now()}


