"""The events catalog consumes.

Catalog is where batches, policies, products, companies and the registry of institutions
begin (CAT-*); every other service learns them from catalog's events. It consumes one of
theirs: ``monitoring.rating.changed`` — a 严重/特别严重 rating suspends the company's
listings where the batch's policy says so, and a better one restores them (ratings.service).
"""

from vbp_catalog.ratings.service import on_rating_changed

HANDLERS: dict = {"monitoring.rating.changed": on_rating_changed}
