"""MON-11's months: Beijing calendar months, written YYYY-MM; quantities to 4 places."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

FOUR = Decimal("0.0001")


def first_of(month: str) -> date:
    return date(int(month[:4]), int(month[5:7]), 1)


def next_month(month: date) -> date:
    return date(month.year + 1, 1, 1) if month.month == 12 else date(month.year, month.month + 1, 1)


def previous_month(month: date) -> date:
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def month_text(month: date) -> str:
    return month.isoformat()[:7]


def quantity_text(value: Decimal) -> str:
    return format(value.quantize(FOUR, ROUND_HALF_UP), "f")


def chosen_month(month: str | None, today: date) -> date:
    """The month a read asked for, or the one before ``today``'s."""
    return first_of(month) if month else previous_month(today.replace(day=1))
