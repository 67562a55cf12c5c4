"""GW-5 tenant scoping in settlement: who a caller is on an invoice.

A company submits and reverses its own invoices and reads its receivables; a hospital
accepts or rejects the invoices addressed to it and records its payments; the insurer,
the exchange and admins read everything. Anything else is a 404, so a foreign tenant
learns nothing of what exists.
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


def may_see(principal: Principal, *, hospital: str, company: str) -> bool:
    if principal.role in OVERSEERS:
        return True
    if principal.role is Role.HOSPITAL:
        return principal.tenant == hospital
    if principal.role is Role.COMPANY:
        return principal.tenant == company
    return False


def not_yours(what: str) -> str:
    """The one wording of a settlement 404, whether the row is missing or someone else's."""
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
