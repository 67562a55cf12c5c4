"""Read models of other services' facts, declared once (see `vbpkit.projections.base`).

- `Registry`: institution_view (code, name, level, kind, region, fund) and company_view;
  read through `vbpkit.projections.registry.repository`.
- `CatalogView`: batch_view (typed policy, groups, cycle) and product_view; read through
  `vbpkit.projections.catalog_view.repository`; dates through `BatchView.cycle` and
  `vbpkit.domain.policy.dates`.
- `AcceptedLines`: accepted_lines and line_returns (CON-5), the purchase recorded that monitoring
  counts and settlement bills; read through `vbpkit.projections.accepted_lines.repository`.
- `Backups`: backup_view, the backups designated for failing winning products (CAT-13), which
  contracts transfers volume to (CON-7); read through `vbpkit.projections.backups.repository`.
- `LotHolds`: lot_hold_view, the lots held for quality (CAT-14), whose acceptance contracts
  refuses (CON-5); read through `vbpkit.projections.lot_holds.repository`.
- `CalendarView`: calendar_year_view, the working-day years ops loaded in catalog (CAT-10);
  read through `vbpkit.projections.calendar_view.repository.work_calendar`.
- `ServiceRegions`: served_region_view, the regions each distributor serves (CAT-15), which a
  designation must fall in (CON-2, CON-6); read through `vbpkit.projections.service_regions.repository`.
"""

from vbpkit.projections.accepted_lines import AcceptedLines
from vbpkit.projections.backups import Backups
from vbpkit.projections.base import Projection, ProjectionBase, include_tables, merged_handlers
from vbpkit.projections.calendar_view import CalendarView
from vbpkit.projections.catalog_view import CatalogView
from vbpkit.projections.lot_holds import LotHolds
from vbpkit.projections.registry import Registry
from vbpkit.projections.service_regions import ServiceRegions

__all__ = ["AcceptedLines", "Backups", "CalendarView", "CatalogView", "LotHolds", "Projection", "ProjectionBase", "Registry", "ServiceRegions", "include_tables", "merged_handlers"]
