"""Read models of other services' facts, declared once (see `vbpkit.projections.base`).

- `Registry`: institution_view (code, name, level, kind, region, fund) and company_view;
  read through `vbpkit.projections.registry.repository`.
- `CatalogView`: batch_view (typed policy, groups, cycle) and product_view; read through
  `vbpkit.projections.catalog_view.repository`; dates through `BatchView.cycle` and
  `vbpkit.domain.policy.dates`.
"""

from vbpkit.projections.base import Projection, ProjectionBase, include_tables, merged_handlers
from vbpkit.projections.catalog_view import CatalogView
from vbpkit.projections.registry import Registry

__all__ = ["CatalogView", "Projection", "ProjectionBase", "Registry", "include_tables", "merged_handlers"]
