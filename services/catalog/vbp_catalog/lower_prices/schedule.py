"""The CAT-6 check on its own schedule, driven by the service's injectable clock."""

from vbpkit.runtime.schedules import scheduled

from vbp_catalog.lower_prices.service import run_daily_check

lower_price_schedule = scheduled(
    "lower_price_schedule", run_daily_check, rule="CAT-6 lower price",
    every=lambda settings: settings.lower_price_check_seconds,
    worth_logging=lambda result: bool(result["reductions_applied"] or result["lower_prices_lapsed"]),
)
