"""The HTTP edge every service shares: the signed principal (``identity``), one unit of work per
request, idempotency keys, request ids, the input guard, problem+json, the OpenAPI document,
pagination, bulk row validation, ``.xlsx`` answers and the routes the kit mounts."""
