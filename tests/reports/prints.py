"""Every print of the demo data, rendered once into a folder: the registers of every ledger, the lists, the forms,
the labels, the badges and the envelopes, each as the clerk's button makes it (same arguments as the panes)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

# name -> (group, writer(path)); group is register / list / form / label / envelope
Prints = dict[str, tuple[str, Callable[[Path], object]]]

# register print name -> the header of the column its rows are entered by (a date), for registers in 登记 order
ORDER_HEADERS: dict[str, str] = {}


def demo_prints() -> Prints:
    """Writers for every print of the demo database that is open now."""
    from neiqin.models import load_all, settings
    from neiqin.models.ledger import LEDGERS, LedgerQuery

    load_all()
    org = settings.org_name()
    out: Prints = {}

    from neiqin.reports.register import write_register_pdf

    for spec in LEDGERS.values():
        if spec.model.select().count() == 0:
            continue

        def reg(path, spec=spec):
            q = LedgerQuery()
            return write_register_pdf(spec, q, path, org_name=org, subtitle="")
        out[f"register-{spec.key}"] = ("register", reg)
        keys = [c.key for c in spec.columns]
        order = spec.date_field if spec.date_field in keys else spec.default_sort
        if spec.default_desc and order in keys:
            ORDER_HEADERS[f"register-{spec.key}"] = spec.column(order).header

    from neiqin.models.mail import incoming
    from neiqin.reports import document_forms as DF

    inc = incoming.IncomingDoc.select().where(incoming.IncomingDoc.voided == False).order_by(incoming.IncomingDoc.id).first()  # noqa: E712
    out["form-processing-sheet"] = ("form", lambda p: DF.write_processing_sheet_pdf(inc, p, org_name=org))
    out["list-delivery-book"] = ("list", lambda p: DF.write_delivery_book_pdf(p, org_name=org))

    from neiqin.models.meetings import register as register_mod
    from neiqin.reports import meeting_forms as MF

    meeting = register_mod.Meeting.select().where(register_mod.Meeting.voided == False).order_by(register_mod.Meeting.id.desc()).first()  # noqa: E712
    with_minutes = [m for m in register_mod.Meeting.select().order_by(register_mod.Meeting.id) if not m.voided and m.minutes_data()]
    mm_ = with_minutes[0] if with_minutes else meeting
    out["form-meeting-notice"] = ("form", lambda p: MF.write_notice_pdf(meeting, p, org_name=org))
    out["list-meeting-signin"] = ("list", lambda p: MF.write_signin_pdf(meeting, p, org_name=org))
    out["form-meeting-record"] = ("form", lambda p: MF.write_record_pdf(mm_, p, org_name=org))
    out["form-meeting-minutes"] = ("form", lambda p: MF.write_minutes_pdf(mm_, p, org_name=org))
    out["list-supervision"] = ("list", lambda p: MF.write_supervision_pdf(p, org_name=org))

    from neiqin.models.mail import dispatches
    from neiqin.reports import parcel_forms as PF

    out["form-pickup-slips"] = ("form", lambda p: PF.write_pickup_slips(p, org_name=org))
    out["list-parcels-waiting"] = ("list", lambda p: PF.write_waiting_list(p, org_name=org))
    from neiqin import clock

    today = clock.today()
    out["list-parcel-costs"] = ("list", lambda p: PF.write_cost_report_pdf(
        p, dispatches.cost_report(today.replace(month=1, day=1), today), org_name=org))

    from neiqin.models.seals import loans, uses
    from neiqin.reports import seal_forms as SF

    use = uses.SealUse.select().where(uses.SealUse.voided == False).order_by(uses.SealUse.id).first()  # noqa: E712
    loan = loans.SealLoan.select().where(loans.SealLoan.voided == False).order_by(loans.SealLoan.id).first()  # noqa: E712
    out["form-seal-use"] = ("form", lambda p: SF.write_use_form_pdf(use, p, org_name=org))
    out["form-seal-reminder"] = ("form", lambda p: SF.write_reminder_pdf(loan, p, org_name=org))

    from neiqin.models.supplies import items, moves, reports
    from neiqin.models.supplies import stocktake as T
    from neiqin.reports import supply_reports as SR

    slip = moves.StockMove.select().where(moves.StockMove.kind == moves.ISSUE).order_by(moves.StockMove.id).first()
    out["form-issue-slip"] = ("form", lambda p: SR.write_issue_slip_pdf(slip.no, p, org_name=org))
    take = T.Stocktake.select().order_by(T.Stocktake.id).first()
    if take is not None:
        out["list-count-sheet"] = ("list", lambda p: SR.write_count_sheet_pdf(take, p, org_name=org))
        out["list-stocktake-differences"] = ("list", lambda p: SR.write_difference_pdf(take, p, org_name=org))
    out["list-reorder"] = ("list", lambda p: SR.write_reorder_pdf(reports.reorder_list(), p, org_name=org))
    out["list-supplies-monthly"] = ("list", lambda p: SR.write_monthly_pdf(today.year, today.month, p,
                                                                            org_name=org))
    out["list-supplies-summary"] = ("list", lambda p: SR.write_summary_pdf(
        "department", today.replace(month=1, day=1), today, p, org_name=org))
    out["label-shelf"] = ("label", lambda p: SR.write_shelf_labels(
        items.Supply.select().order_by(items.Supply.id).limit(30), p))

    from neiqin.models import visitors as V
    from neiqin.reports import badges as B
    from neiqin.reports.labels import PRESETS

    visit = V.Visit.select().where(V.Visit.voided == False).order_by(V.Visit.id.desc()).first()  # noqa: E712
    out["label-badges"] = ("label", lambda p: B.write_badges(p, PRESETS["a4-2x4"], B.badge_visits(today),
                                                             org_name=org))
    out["form-visit-slip"] = ("form", lambda p: B.write_visit_slip(p, visit, org_name=org))
    out["list-on-site"] = ("list", lambda p: B.write_on_site_list(p, org_name=org))

    from neiqin.models.today import compute
    from neiqin.reports import today_sheet as TS

    out["list-today-handover"] = ("list", lambda p: TS.write_today_sheet(compute(today), p, day=today,
                                                                         org_name=org))

    from neiqin.models.mail import addresses as A
    from neiqin.reports.envelopes import envelopes_pdf, sender_from_settings
    from neiqin.reports.labels import write_labels
    from neiqin.reports.templates import AddressLabel, FolderLabel, SpineLabel

    entries = list(A.Organisation.select().order_by(A.Organisation.id).limit(6))
    out["envelope-dl"] = ("envelope", lambda p: envelopes_pdf(p, "DL", entries, sender_from_settings()))
    out["label-address"] = ("label", lambda p: write_labels(p, PRESETS["a4-3x8"], [
        AddressLabel(e.contact or e.name, e.address, e.postcode, e.phone) for e in entries]))
    out["label-spine"] = ("label", lambda p: write_labels(p, PRESETS["a4-3x8"], [
        SpineLabel("0001", str(today.year), "D30", "办公室综合科", "0001", "0050", "3")]))
    out["label-folder"] = ("label", lambda p: write_labels(p, PRESETS["a4-3x8"], [
        FolderLabel(org, "合同", f"{today.year}-01")]))
    return out


def render_all(folder: Path, only: set[str] | None = None) -> dict[str, tuple[str, Path]]:
    """Write every print into ``folder``; name -> (group, path)."""
    done = {}
    for name, (group, write) in demo_prints().items():
        if only and name not in only:
            continue
        path = folder / f"{name}.pdf"
        write(path)
        done[name] = (group, path)
    return done





def people_names() -> frozenset[str]:
    """The names of people in the open database (staff, visitors, parcel recipients): tokens never split."""
    from neiqin.models.staff import Staff
    from neiqin.models.visitors import Visit

    names = {s.name for s in Staff.select(Staff.name)} | {v.name for v in Visit.select(Visit.name)}
    return frozenset(n for n in names if n and len(n) <= 4)
