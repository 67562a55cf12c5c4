"""Keeps monitoring's agreements in step with contracts' events (MON-1):
``contracts.agreement.effective`` — the agreement and its items, a later version replacing an
earlier one; ``catalog.product.status_changed`` — each product's status from a day;
``contracts.volume.transferred`` — a failing item moved to a backup from a day (CON-7). The
accepted lines and returns are the kit's projection (AcceptedLines).

The inbox records each event id with these writes, so a redelivery changes nothing.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.events import Envelope
from vbpkit.events.catalog import ProductStatusChanged
from vbpkit.events.contracts import AgreementEffective, VolumeTransferred

from vbp_monitoring.purchases import repository


async def on_agreement_effective(session: AsyncSession, event: AgreementEffective, envelope: Envelope) -> None:
    await repository.put_agreement(session, dict(
        agreement_id=event.agreement_id, version_no=event.version_no, batch_code=event.batch_code,
        agreement_year=event.agreement_year, hospital_code=event.hospital_code,
        manufacturer_code=event.manufacturer_code, distributor_code=event.distributor_code), [
        dict(agreement_id=event.agreement_id, product_id=i.product_id, agreed_quantity=i.agreed_quantity,
             unit_price_fen=i.unit_price_fen) for i in event.items])


async def on_product_status_changed(session: AsyncSession, event: ProductStatusChanged, envelope: Envelope) -> None:
    """Suspended, disqualified, delisted or listed again from ``effective_on`` (MON-1 halts and
    resumes the target of the product's items)."""
    await repository.put_status_change(session, dict(
        product_id=event.product_id, effective_on=event.effective_on, status=event.status, reason=event.reason[:500],
        as_of=envelope.occurred_at))


async def on_volume_transferred(session: AsyncSession, event: VolumeTransferred, envelope: Envelope) -> None:
    """CON-7: MON-1 assesses the failing item to the day before ``transfer_on``, the backup's new item from it."""
    await repository.put_transfer(session, dict(
        transfer_id=event.transfer_id, batch_code=event.batch_code, agreement_year=event.agreement_year,
        hospital_code=event.hospital_code, failing_product_id=event.failing_product_id,
        backup_product_id=event.backup_product_id, backup_item_new=event.backup_item_new, quantity=event.quantity,
        transfer_on=event.transfer_on))


HANDLERS = {"contracts.agreement.effective": on_agreement_effective,
            "catalog.product.status_changed": on_product_status_changed,
            "contracts.volume.transferred": on_volume_transferred}
