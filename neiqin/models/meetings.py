"""会议记录: rooms, bookings, meetings, minutes, action items.

(Scaffold: the ledger is being built; MODELS lists its tables for the schema migration.)
"""

from __future__ import annotations

MODELS: list = []  # every table of this ledger, foreign keys first (created by db migration 6)


def seed_demo(rng, staff: list, rows: int = 300) -> dict:
    """Demo data for this ledger; returns counts per ledger key."""
    return {}
