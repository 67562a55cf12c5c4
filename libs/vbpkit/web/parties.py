"""GW-5 tenant scoping by party: who a caller is on a row of contracts or settlement.

A hospital acts and reads only as its own institution; a company only where it is a party —
the manufacturer or the distributor of an agreement, an order or a delivery, the biller of an
invoice; the exchange, the insurer and admins oversee all. Anything else is a 404, so a
foreign tenant learns nothing of what exists. Both services apply these rules alike, so they
live here once. (Monitoring reads across hospitals, companies and regions instead: its rule
is :class:`vbpkit.web.read_scope.ReadScope`.)
"""

from __future__ import annotations

from collections.abc import Collection

from vbpkit.web.identity import Principal, Role
from vbpkit.web.problems import Problem

OVERSEERS = frozenset({Role.EXCHANGE, Role.INSURER, Role.ADMIN})


def hospital_code(principal: Principal) -> str:
    """The institution a hospital acts as; any other caller may not do this (403)."""
    if principal.role is not Role.HOSPITAL or not principal.tenant:
        raise Problem(403, detail="only a hospital key (with its institution code) may do this")
    return principal.tenant


def company_code(principal: Principal) -> str:
    """The company (credit code) a company acts as; any other caller may not do this (403)."""
    if principal.role is not Role.COMPANY or not principal.tenant:
        raise Problem(403, detail="only a company key (with its credit code) may do this")
    return principal.tenant


def may_see(principal: Principal, *, hospital: str, companies: Collection[str | None]) -> bool:
    """GW-5: whether the caller is party to a row of ``hospital`` whose company parties are
    ``companies`` (an order's manufacturers and distributors, an invoice's biller), or oversees all."""
    if principal.role in OVERSEERS:
        return True
    if principal.role is Role.HOSPITAL:
        return principal.tenant == hospital
    if principal.role is Role.COMPANY:
        return principal.tenant is not None and principal.tenant in companies
    return False


def not_yours(what: str) -> str:
    """The one wording of a 404, whether the row is missing or someone else's (GW-5)."""
    return f"no {what} of yours"


def not_found(what: str) -> Problem:
    return Problem(404, detail=not_yours(what))


NOBODY = object()  # a lister's answer when the caller may see no hospital's rows at all


def hospital_filter(principal: Principal, hospital_code: str | None):
    """GW-5 for lists of hospital rows (plans, payables, refunds): a hospital lists its own
    whatever it asks, overseers whichever they ask (``None`` = all); anyone else, or a
    hospital asking for another's, gets ``NOBODY``."""
    if principal.role is Role.HOSPITAL:
        return principal.tenant if hospital_code in (None, principal.tenant) else NOBODY
    return hospital_code if principal.role in OVERSEERS else NOBODY
