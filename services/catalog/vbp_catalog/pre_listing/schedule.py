"""The CAT-12 check on its own schedule, driven by the service's injectable clock."""

from vbpkit.runtime.schedules import scheduled

from vbp_catalog.pre_listing.service import run_daily_check

pre_listing_schedule = scheduled(
    "pre_listing_schedule", run_daily_check, rule="CAT-12 pre-listing and national lowest price",
    every=lambda settings: settings.pre_listing_check_seconds,
    worth_logging=lambda result: bool(result.national_lowest_prices_applied or result.listed_at_start
                                      or result.alerted or result.calendar_missing),
)
