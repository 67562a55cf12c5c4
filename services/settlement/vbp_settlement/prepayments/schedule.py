"""The SET-3 late-tranche check on its own schedule, driven by the service's injectable clock."""

from vbpkit.runtime.schedules import scheduled

from vbp_settlement.prepayments.service import run_late_check

late_schedule = scheduled("late_schedule", run_late_check, rule="SET-3 late tranche",
                          every=lambda settings: settings.overdue_check_seconds)
