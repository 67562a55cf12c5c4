"""The SET-2 overdue check on its own schedule, driven by the service's injectable clock."""

from vbpkit.runtime.schedules import scheduled

from vbp_settlement.payments.service import run_overdue_check

overdue_schedule = scheduled("overdue_schedule", run_overdue_check, rule="SET-2 overdue",
                             every=lambda settings: settings.overdue_check_seconds)
