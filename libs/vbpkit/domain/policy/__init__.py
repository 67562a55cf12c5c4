"""A batch's execution policy (DESIGN §4): typed rules, the presets, and the dates they drive.

Every service reads the policy through this package — catalog validates and publishes it,
contracts, settlement and monitoring apply it — so a rule and its date arithmetic exist once.
"""

from vbpkit.domain.policy.dates import (
    Cycle,
    Explained,
    TrancheDue,
    YearBounds,
    agreement_year_bounds,
    agreement_year_of,
    agreement_years,
    cycle_end,
    first_offset_month,
    ordering_year,
    refund_month,
    supplier_payment_due,
    tranche_due_dates,
    tranche_schedule,
)
from vbpkit.domain.policy.presets import PRESETS, UnknownPreset, policy_from_preset
from vbpkit.domain.policy.rules import ExecutionPolicy

__all__ = [
    "PRESETS", "Cycle", "ExecutionPolicy", "Explained", "TrancheDue", "UnknownPreset", "YearBounds",
    "agreement_year_bounds", "agreement_year_of", "agreement_years", "cycle_end", "first_offset_month",
    "ordering_year", "policy_from_preset", "refund_month", "supplier_payment_due", "tranche_due_dates", "tranche_schedule",
]
