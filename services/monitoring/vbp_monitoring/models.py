"""The monitoring service's declarative base: its own metadata, its own database.

``PROJECTIONS`` are the read models of other services' facts it keeps (vbpkit.projections):
their tables are part of this metadata and its migrations, their handlers are switched on
in the composition root (main.py).
"""

from sqlalchemy.orm import DeclarativeBase
from vbpkit.db.engine import new_metadata
from vbpkit.projections import AcceptedLines, Backups, CalendarView, CatalogView, Registry, include_tables

PROJECTIONS = (Registry, CatalogView, AcceptedLines, Backups, CalendarView)


class Base(DeclarativeBase):
    metadata = include_tables(new_metadata(), PROJECTIONS)

# What a replay of every topic empties and fills again (vbpkit.messaging.replay): the tables filled only
# from consumed events. The projections' tables join them. Not here, and kept as they are: the
# alerts, breaches and ratings monitoring decided, and the exchange's pushes (baseline prices,
# non-winning purchases) — no event carries them.
READ_MODELS = (
    "agreements", "agreement_items", "product_status_changes", "volume_transfers",  # purchases (MON-1, CON-7)
    "invoice_facts", "payment_facts", "late_tranches", "fund_payable_facts",  # timeliness (MON-4)
    "disbursement_facts", "invoice_batch_amounts",  # prepayment use (MON-10)
    "supply_lines", "monthly_supply", "delivered_lots",  # supply (MON-6, MON-8), lots (CAT-14)
    "first_orders",  # stocking before the start (CON-9)
    "agreed_volume_facts", "signing_facts",  # coverage and signing (MON-15)
    "account_request_facts",  # account openings (CON-10)
    "monthly_purchases", "prepayment_plan_facts", "offset_facts", "refund_facts", "refund_receipt_facts",  # MON-8
)
OWN_STATE = ("alerts", "breaches", "company_ratings", "baseline_prices", "non_winning_purchases",
             "his_records", "his_code_mappings", "his_reconciled_months",  # MON-11: what hospitals' HIS sent
             "supply_reports", "breach_costs",  # MON-13: what hospitals reported, the costs they proved
             "shortages",  # MON-12: shortages reported, escalated, resolved
             "obstructions")  # MON-14: companies' complaints and the insurers' findings
