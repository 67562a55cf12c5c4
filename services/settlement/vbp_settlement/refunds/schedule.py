"""The SET-4 refund check on its own schedule, driven by the service's injectable clock."""

from vbpkit.runtime.schedules import scheduled

from vbp_settlement.refunds.service import run_refund_check

refund_schedule = scheduled("refund_schedule", run_refund_check, rule="SET-4 refund",
                            every=lambda settings: settings.overdue_check_seconds)
