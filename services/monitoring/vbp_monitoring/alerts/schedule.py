"""The MON-2/MON-3 checks on their own schedule, driven by the service's injectable clock."""

from vbpkit.runtime.schedules import scheduled

from vbp_monitoring.alerts.service import run_alert_checks

alert_schedule = scheduled("alert_schedule", run_alert_checks, rule="MON-2/3/5/10 alerts",
                           every=lambda settings: settings.alert_check_seconds)
