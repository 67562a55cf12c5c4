"""The audit trail a government system keeps (issue 11, item 9; 网络安全法 art. 21: network logs
kept at least six months; 等保 2.0: a security audit of user actions).

Every write (any method but GET, HEAD and OPTIONS) through the gateway — to a service or to
the admin API, key issuance and revocation included — and every failed authentication (a 401,
or a 429 for an address locked out) is one append-only row: when, principal (role, key id,
tenant), client address, method, path, query, status, request id and the SHA-256 of the body as
it arrived. Rows are kept ``GATEWAY_AUDIT_RETENTION_DAYS`` (180) and then deleted by the
gateway's housekeeping; nothing in the API edits them, and the table refuses UPDATE.
"""
