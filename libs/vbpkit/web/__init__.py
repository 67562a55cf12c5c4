"""The HTTP edge every service shares: the signed principal (``identity``), one unit of work per
request, idempotency keys, request ids, the input guard, problem+json, the OpenAPI document,
pagination, bulk row validation, ``.xlsx`` answers, the routes the kit mounts, and GW-5 tenant
scoping: ``parties`` (who is party to a row of contracts or settlement) and ``read_scope``
(which hospitals, companies and regions a monitoring read covers)."""
