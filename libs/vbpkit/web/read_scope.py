"""GW-5 for reads across tenants (monitoring): which hospitals', companies' and regions' rows a
caller may read.

Monitoring's figures roll many hospitals and companies up, so its rule is not "party to the
row" (:mod:`vbpkit.web.parties`) but a scope: a hospital reads its own rows, a company the
rows of its own agreements, an insurer keyed to a region that region and the regions under it
(GB/T 2260, :mod:`vbpkit.domain.regions`), the exchange and admins everything. A filter the
caller asks for narrows the scope; asking for another tenant's rows gives nothing rather than
an error, so a foreign tenant learns nothing of what exists.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from vbpkit.domain.regions import is_known, is_within
from vbpkit.web.identity import Principal, Role
from vbpkit.web.pagination import kept_pages
from vbpkit.web.problems import Problem

T = TypeVar("T")


def covered(region_code: str | None, cover: str | None) -> bool:
    """Whether a hospital of ``region_code`` lies in ``cover``: no cover, or a tenant that is
    not a region code (an insurer keyed to no region), covers everything; a hospital of no or
    an unknown region lies in no region."""
    if not cover or not is_known(cover):
        return True
    return bool(region_code) and is_known(region_code) and is_within(region_code, cover)


@dataclass(frozen=True)
class ReadScope:
    """What one caller may read, with the filters it asked for applied: only ``hospital_code``'s
    rows (None: any hospital's), only ``company_code``'s (None: any company's), only hospitals
    in ``region_code`` (None: any region). ``nothing`` when it asked for another tenant's rows."""

    hospital_code: str | None = None
    company_code: str | None = None
    region_code: str | None = None
    nothing: bool = False

    @classmethod
    def of(cls, principal: Principal, *, hospital_code: str | None = None,
           company_code: str | None = None) -> ReadScope:
        """GW-5: the caller's scope, narrowed by the hospital and company it asked for."""
        if principal.role is Role.HOSPITAL:
            return cls(principal.tenant, company_code, None, hospital_code not in (None, principal.tenant))
        if principal.role is Role.COMPANY:
            return cls(hospital_code, principal.tenant, None, company_code not in (None, principal.tenant))
        if principal.role is Role.INSURER:
            return cls(hospital_code, company_code, principal.tenant)
        if principal.role in (Role.EXCHANGE, Role.ADMIN):
            return cls(hospital_code, company_code)
        raise Problem(403, detail="monitoring is read by the bureau, the exchange, hospitals and companies (GW-5)")

    def covers(self, region_code: str | None) -> bool:
        """Whether a hospital of ``region_code`` is in the caller's region (see :func:`covered`)."""
        return covered(region_code, self.region_code)

    def shows_hospital(self, hospital_code: str) -> bool:
        return not self.hospital_code or hospital_code == self.hospital_code

    def shows_company(self, company_code: str) -> bool:
        return not self.company_code or company_code == self.company_code

    def sees(self, row) -> bool:
        """Whether one row of a hospital (``hospital_code``, ``region_code``) naming a company
        (``company_code``) is the caller's to read — a report, a complaint, a shortage."""
        return (not self.nothing and self.shows_hospital(row.hospital_code) and self.shows_company(row.company_code)
                and self.covers(row.region_code))


async def scoped_rows(principal: Principal, filters: dict, fetch: Callable[[dict, Any, int], Awaitable[Sequence[T]]],
                      *, after: Any, limit: int, region_of: Callable[[T], str | None] = lambda row: row.region_code
                      ) -> list[T]:
    """Up to ``limit`` rows of ``fetch(filters, after, size)`` the caller may read (GW-5): its
    tenant narrows the ``hospital_code`` and ``company_code`` filters (another tenant's asked for:
    nothing), and an insurer's region is kept row by row (``region_of``), page after page."""
    scope = ReadScope.of(principal, hospital_code=filters.get("hospital_code"),
                         company_code=filters.get("company_code"))
    if scope.nothing:
        return []
    narrowed = {**filters, "hospital_code": scope.hospital_code, "company_code": scope.company_code}
    return await kept_pages(lambda cursor, size: fetch(narrowed, cursor, size),
                            lambda row: scope.covers(region_of(row)), after=after, limit=limit)
