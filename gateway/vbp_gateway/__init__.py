"""Gateway: the only public entry — auth, roles, routing, request ids, merged docs (GW-*)."""
