"""The kit: what every service needs the same way, and the rules every service shares.

It is not "without business rules": ``domain`` holds the shared kernel — the execution policy
with its presets and date rules, money, working days and regions — which every service reads
the same way, so a rule and its arithmetic exist once. A service's own rules stay in the service.
The rest is plumbing, grouped by concern:

- ``runtime``: a service's composition (``ServiceSpec``, ``create_service_app``), its settings,
  its clock, its supervised background loops and scheduled checks;
- ``web``: the HTTP edge — identity (the signed principal), the unit of work, idempotency keys,
  request ids, the input guard, problem+json, OpenAPI, pagination, bulk row validation,
  ``.xlsx`` answers and the routes the kit mounts;
- ``db``: the engine, the kit's own tables, repository helpers and migration steps;
- ``messaging``: the outbox and its relay, the inbox consumer, the broker, parked events,
  retention and replay;
- ``events``: the envelope and every service's versioned event schemas;
- ``projections``: read models of other services' facts, declared once and switched on per service.

Local tools — the launcher, the embedded servers, the ``vbp`` command line, the demo — live in
``vbptools``; no service imports them.
"""
