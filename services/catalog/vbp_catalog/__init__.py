"""Catalog service: batches, policies, winning products, listings, registry (CAT-*)."""
