"""Lot hold projection: the lots catalog holds for quality (CAT-14), as contracts keeps them to
refuse their acceptance (CON-5)."""

from vbpkit.projections.base import Projection
from vbpkit.projections.lot_holds.handlers import HANDLERS
from vbpkit.projections.lot_holds.models import LotHoldView

LotHolds = Projection(name="lot_hold_view", models=(LotHoldView,), handlers=HANDLERS)

__all__ = ["LotHoldView", "LotHolds"]
