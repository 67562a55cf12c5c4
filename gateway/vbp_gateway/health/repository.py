"""The one query health needs: does the gateway's database answer."""

from __future__ import annotations

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession


async def database_answers(session: AsyncSession, *, timeout: float) -> None:
    await asyncio.wait_for(session.execute(text("SELECT 1")), timeout=timeout)
