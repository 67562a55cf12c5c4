"""Calendar view projection: the working-day years ops loaded in catalog (CAT-10), so another
service counts working days as catalog does (CON-10's account-opening alert)."""

from vbpkit.projections.base import Projection
from vbpkit.projections.calendar_view.handlers import HANDLERS
from vbpkit.projections.calendar_view.models import CalendarYearView

CalendarView = Projection(name="calendar_view", models=(CalendarYearView,), handlers=HANDLERS)

__all__ = ["CalendarView", "CalendarYearView"]
