"""AcceptedLines projection (CON-5): accepted delivery lines and their dated returns, the
purchase recorded that monitoring counts (MON-1) and settlement bills (SET-1)."""

from vbpkit.projections.accepted_lines.handlers import HANDLERS, Returned, acceptances_and_returns, returned
from vbpkit.projections.accepted_lines.models import AcceptedLine, LineReturn
from vbpkit.projections.base import Projection

AcceptedLines = Projection(name="accepted_lines", models=(AcceptedLine, LineReturn), handlers=HANDLERS)

__all__ = ["AcceptedLine", "AcceptedLines", "LineReturn", "Returned", "acceptances_and_returns", "returned"]
