"""快递: parcels in (scanner desk, pickup) and out (寄件), carrier rules.

(Scaffold: the ledger is being built; MODELS lists its tables for the schema migration.)
"""

from __future__ import annotations

MODELS: list = []  # every table of this ledger, foreign keys first (created by db migration 4)


def seed_demo(rng, staff: list, rows: int = 300) -> dict:
    """Demo data for this ledger; returns counts per ledger key."""
    return {}
