"""Database plumbing: the engine and sessions, the kit's own tables (outbox, inbox, parked
events, idempotency keys …), repository helpers and the kit's migration steps."""
