"""Settings kept in the database (they travel with the data file and its backups)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from neiqin.models.base import AuditLog, Setting, db

DEFAULTS: dict[str, Any] = {
    "org_name": "",
    "visitor.retention_days": 180,
    "visitor.default_id_type": "居民身份证",
    "visitor.default_purpose": "",
    "visitor.closing_time": "18:00",
    "visitor.badge_prefix": "F",
    "visitor.require_id": False,
    "backup.usb_keep": 10,
    "backup.warn_days": 7,
    "backup.local_daily": 7,
    "backup.local_weekly": 4,
    "backup.local_monthly": 12,
    "backup.last_usb": None,
    "backup.targets": {},
    "seals.licence_warn_months": 6,
    "fonts.body": "",
    "fonts.heading": "",
    "fonts.title": "",
    "fonts.fangsong": "",
    "fonts.kai": "",
    "labels.custom_stocks": [],
    "labels.badge_stock": "a4-2x5-badge",
    "labels.printer": "",
    "visitor.print_badge_on_checkin": False,
}

LABELS: dict[str, str] = {
    "org_name": "单位名称",
    "visitor.retention_days": "证件号码和手机号保留天数",
    "visitor.default_id_type": "默认证件类型",
    "visitor.default_purpose": "默认来访事由",
    "visitor.closing_time": "下班时间（提醒结束在场访客）",
    "visitor.badge_prefix": "来访证号前缀",
    "visitor.require_id": "来访必须登记证件号码",
    "backup.usb_keep": "U盘上保留的备份份数",
    "backup.warn_days": "超过多少天未备份到U盘时提醒",
    "backup.local_daily": "本机自动备份：按天保留份数",
    "backup.local_weekly": "本机自动备份：按周保留份数",
    "backup.local_monthly": "本机自动备份：按月保留份数",
    "backup.last_usb": "上次U盘备份",
    "backup.targets": "备份位置（U盘）设置",
    "seals.licence_warn_months": "证照到期提前提醒（月）",
    "fonts.body": "打印字体：正文（宋体）",
    "fonts.heading": "打印字体：标题栏（黑体）",
    "fonts.title": "打印字体：大标题（小标宋）",
    "fonts.fangsong": "打印字体：公文正文（仿宋）",
    "fonts.kai": "打印字体：楷体",
    "labels.custom_stocks": "自定义标签纸",
    "labels.badge_stock": "来访证使用的标签纸",
    "labels.printer": "标签打印机",
    "visitor.print_badge_on_checkin": "来访登记后打印来访证",
}


# key -> check(value) returning the value to store, or raising ValidationError({key: Chinese message})
CHECKS: dict[str, Callable[[Any], Any]] = {}


def register(defaults: dict[str, Any], labels: dict[str, str],
             checks: dict[str, Callable[[Any], Any]] | None = None) -> None:
    """A ledger module declares its own settings (with defaults, Chinese labels and checks) at import."""
    DEFAULTS.update(defaults)
    LABELS.update(labels)
    CHECKS.update(checks or {})


def check(key: str, value: Any) -> Any:
    """``value`` as it would be stored under ``key``; a bad one raises ValidationError at ``key``."""
    fn = CHECKS.get(key)
    return fn(value) if fn is not None else value


def get(key: str) -> Any:
    # plain SQL: read many times at start-up and at every refresh (peewee would build the query each time)
    row = db.execute_sql(f'SELECT value FROM "{Setting._meta.table_name}" WHERE key = ?', (key,)).fetchone()
    if row is None:
        if key not in DEFAULTS:  # declared by a ledger module not imported yet
            from neiqin.models import load_all

            load_all()
        return DEFAULTS.get(key)
    return json.loads(row[0])


def set_value(key: str, value: Any) -> None:
    value = check(key, value)
    before = get(key)
    if before == value:
        return
    with db.atomic():
        (Setting.insert(key=key, value=json.dumps(value, ensure_ascii=False))
         .on_conflict_replace().execute())
        AuditLog.write("settings", None, "edit", f"修改设置：{LABELS.get(key, key)}", {key: [before, value]})


def org_name() -> str:
    return get("org_name") or "（未设置单位名称）"
