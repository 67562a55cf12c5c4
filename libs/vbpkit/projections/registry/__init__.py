"""Registry projection (CAT-9): institutions with level, fund and region; companies with roles."""

from vbpkit.projections.base import Projection
from vbpkit.projections.registry.handlers import HANDLERS
from vbpkit.projections.registry.models import CompanyView, InstitutionView, fund_for_level

Registry = Projection(name="registry", models=(InstitutionView, CompanyView), handlers=HANDLERS)

__all__ = ["CompanyView", "InstitutionView", "Registry", "fund_for_level"]
