"""Queries the annual assessment (MON-7) needs beyond the other rules' own."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from vbp_monitoring.alerts.models import Alert
from vbpkit.projections.accepted_lines import AcceptedLine


async def first_accepted(session: AsyncSession, *, batch_code: str, until: date) -> dict[str, date]:
    """Each hospital's first accepted delivery of the batch, by ``until``."""
    rows = await session.execute(select(AcceptedLine.hospital_code, func.min(AcceptedLine.accepted_on))
                                 .where(AcceptedLine.batch_code == batch_code, AcceptedLine.accepted_on <= until)
                                 .group_by(AcceptedLine.hospital_code))
    return {h: d for h, d in rows}


async def alert_months(session: AsyncSession, *, kind: str, batch_code: str, first: str, last: str) -> dict[str, int]:
    """Per hospital, the months (periods ``first`` … ``last``, YYYY-MM) with an alert of ``kind``."""
    rows = await session.execute(select(Alert.hospital_code, func.count(func.distinct(Alert.period)))
                                 .where(Alert.kind == kind, Alert.batch_code == batch_code,
                                        Alert.period.between(first, last))
                                 .group_by(Alert.hospital_code))
    return {h: int(n) for h, n in rows}
