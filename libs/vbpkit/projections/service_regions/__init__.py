"""Service region projection: the regions each distributor declared it serves (CAT-15), as
contracts keeps them to check a designation (CON-2, CON-6)."""

from vbpkit.projections.base import Projection
from vbpkit.projections.service_regions.handlers import HANDLERS
from vbpkit.projections.service_regions.models import ServedRegionView

ServiceRegions = Projection(name="served_region_view", models=(ServedRegionView,), handlers=HANDLERS)

__all__ = ["ServedRegionView", "ServiceRegions"]
