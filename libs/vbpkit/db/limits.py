"""What PostgreSQL's integer columns hold: an id, a count or an amount in fen beyond these is
refused with a 4xx naming the field, never sent to the database to fail there as a 500."""

BIGINT_MIN, BIGINT_MAX = -(2**63), 2**63 - 1
INTEGER_MAX = 2**31 - 1
