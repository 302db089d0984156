"""收发文: incoming (收文) and outgoing (发文) official documents, numbering, processing steps.

(Scaffold: the ledger is being built; MODELS lists its tables for the schema migration.)
"""

from __future__ import annotations

MODELS: list = []  # every table of this ledger, foreign keys first (created by db migration 4)


def seed_demo(rng, staff: list, rows: int = 300) -> dict:
    """Demo data for this ledger; returns counts per ledger key."""
    return {}
