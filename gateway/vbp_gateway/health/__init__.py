"""GW-6: the gateway's health — its database, the broker and each service as it reports itself."""
