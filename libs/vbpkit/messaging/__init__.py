"""Events between services (DESIGN §2, §6): the transactional outbox and its relay, the inbox
consumer, the broker, parked events, retention of the kit's tables and replay."""
