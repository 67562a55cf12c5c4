"""The events catalog consumes: none.

Catalog is where batches, policies, products, companies and the registry of institutions
begin (CAT-*); every other service learns them from catalog's events, and catalog needs
nothing from theirs, so it runs no consumer.
"""

HANDLERS: dict = {}
