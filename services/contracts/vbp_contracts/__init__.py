"""Contracts service: agreed volumes, agreements, orders, deliveries (CON-*)."""
