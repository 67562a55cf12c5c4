"""Catalog-view projection: batches with their typed policy and groups, products with
prices, status and group (CAT-1..CAT-6)."""

from vbpkit.projections.base import Projection
from vbpkit.projections.catalog_view.handlers import HANDLERS
from vbpkit.projections.catalog_view.models import BatchView, ProductView

CatalogView = Projection(name="catalog_view", models=(BatchView, ProductView), handlers=HANDLERS)

__all__ = ["BatchView", "CatalogView", "ProductView"]
