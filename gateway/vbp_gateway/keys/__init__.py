"""GW-2 API keys for machine clients: issued, listed and revoked by an admin."""
