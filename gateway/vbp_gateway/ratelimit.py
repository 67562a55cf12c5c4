"""GW-4 rate limits, with the ``limits`` library: a moving window per principal (its key) at its
role's rate, and one per client address on failed authentication — a run of wrong keys from
one address is refused for the rest of its window even when it then sends a right one, so a
key cannot be guessed at speed. In memory for one gateway; in Redis (``GATEWAY_REDIS_URL``,
``VBP_REDIS_URL`` through the launcher) when several gateways share the limits.

A refusal is 429 problem+json with ``Retry-After`` and the ``RateLimit-Limit``,
``RateLimit-Remaining`` and ``RateLimit-Reset`` headers; an allowed request carries the same
three headers, so a client can pace itself before it is refused.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from vbpkit.web.identity import Principal
from vbpkit.web.problems import Problem


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        return [(b"ratelimit-limit", str(self.limit).encode()),
                (b"ratelimit-remaining", str(self.remaining).encode()),
                (b"ratelimit-reset", str(self.reset_seconds).encode())]

    def problem(self, detail: str) -> Problem:
        problem = Problem(429, "rate-limited", "Too many requests", detail,
                          errors=[{"field": "request", "reason": f"limit {self.limit}; retry after "
                                                                 f"{self.reset_seconds} s"}])
        problem.headers = {"Retry-After": str(self.reset_seconds),
                           **{k.decode(): v.decode() for k, v in self.headers()}}
        return problem


def storage_for(redis_url: str | None) -> Storage:
    if not redis_url:
        return MemoryStorage()
    uri = redis_url if redis_url.startswith("async+") else "async+" + redis_url
    return RedisStorage(uri, implementation="redispy", key_prefix="vbp-gateway")


class RateLimits:
    def __init__(self, *, per_role: dict[str, str], auth_failures: str, redis_url: str | None = None):
        self.storage = storage_for(redis_url)
        self._limiter = MovingWindowRateLimiter(self.storage)
        self._roles: dict[str, RateLimitItem] = {role: parse(rate) for role, rate in per_role.items()}
        self._failures = parse(auth_failures)

    async def _verdict(self, item: RateLimitItem, *identifiers: str, hit: bool) -> Verdict:
        allowed = await self._limiter.hit(item, *identifiers) if hit else await self._limiter.test(item, *identifiers)
        stats = await self._limiter.get_window_stats(item, *identifiers)
        return Verdict(allowed=allowed, limit=item.amount, remaining=max(0, stats.remaining),
                       reset_seconds=max(1, math.ceil(stats.reset_time - time.time())))

    async def for_principal(self, principal: Principal) -> Verdict | None:
        item = self._roles.get(principal.role.value)
        if item is None:
            return None
        return await self._verdict(item, "principal", principal.key_id, hit=True)

    async def state(self, principal: Principal) -> dict | None:
        """Where the principal's window stands, without counting this look."""
        item = self._roles.get(principal.role.value)
        if item is None:
            return None
        verdict = await self._verdict(item, "principal", principal.key_id, hit=False)
        return {"limit": str(item), "remaining": verdict.remaining, "reset_seconds": verdict.reset_seconds}

    async def address_blocked(self, address: str) -> Verdict | None:
        """The verdict if ``address`` has used up its failed authentications, else None."""
        verdict = await self._verdict(self._failures, "auth-failures", address, hit=False)
        return None if verdict.allowed else verdict

    async def failed(self, address: str) -> None:
        await self._limiter.hit(self._failures, "auth-failures", address)

    async def reset(self) -> None:
        await self.storage.reset()
