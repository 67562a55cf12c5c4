"""GW-5 tenant scoping in contracts: who a caller is in an agreement or an order.

A hospital acts and reads only as its own institution; a company only where it is the
manufacturer or the distributor; the exchange, the insurer and admins oversee all.
Anything else is a 404, so a foreign tenant learns nothing of what exists.
"""

from __future__ import annotations

from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem

OVERSEERS = frozenset({Role.EXCHANGE, Role.INSURER, Role.ADMIN})


def hospital_code(principal: Principal) -> str:
    if principal.role is not Role.HOSPITAL or not principal.tenant:
        raise Problem(403, detail="only a hospital key (with its institution code) may do this")
    return principal.tenant


def company_code(principal: Principal) -> str:
    if principal.role is not Role.COMPANY or not principal.tenant:
        raise Problem(403, detail="only a company key (with its credit code) may do this")
    return principal.tenant


def may_see(principal: Principal, *, hospital: str, companies: tuple[str | None, ...]) -> bool:
    if principal.role in OVERSEERS:
        return True
    if principal.role is Role.HOSPITAL:
        return principal.tenant == hospital
    if principal.role is Role.COMPANY:
        return principal.tenant is not None and principal.tenant in companies
    return False


def not_yours(what: str) -> str:
    """The one wording of a contracts 404, whether the row is missing or someone else's."""
    return f"no {what} of yours"


def not_found(what: str) -> Problem:
    return Problem(404, detail=not_yours(what))
