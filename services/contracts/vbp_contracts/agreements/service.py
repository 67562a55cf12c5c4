"""CON-2 agreements: generated from agreed volumes, signed by three parties, versioned.

One agreement per (batch, agreement year, hospital, manufacturer); items priced from
the catalog view at generation. Each signature stores the SHA-256 of the canonical
content, and the agreement takes effect when hospital, manufacturer and distributor
have signed that same content. Once anyone has signed, the content is frozen: new
volumes make a new version, which replaces the old one when it takes effect.

Interpretation (seed 001 is silent on the mechanics): the distributor is designated by
the manufacturer and signs as a party, but a later re-designation after a revocation
(CON-6) is an administrative act that does not reopen the hospital–manufacturer terms,
so the canonical content covers batch, year, parties hospital/manufacturer, service
option, version and items — not the distributor's identity.
"""

from __future__ import annotations

import hashlib
from datetime import date
import json
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.ext.asyncio import AsyncSession
from vbpkit.messaging import outbox
from vbpkit.events.contracts import (
    AgreementEffective,
    AgreementGenerated,
    AgreementSigned,
    AgreementItemFacts,
    DistributorChanged,
)
from vbpkit.web.identity import Principal, Role
from vbpkit.web.pagination import cut
from vbpkit.domain.policy import agreement_years
from vbpkit.web.problems import Problem
from vbpkit.projections.catalog_view import ProductView
from vbpkit.projections.catalog_view import repository as catalog_view
from vbpkit.projections.registry import repository as registry
from vbpkit.projections.service_regions import repository as service_regions
from vbpkit.web.parties import OVERSEERS, may_see, not_found

from vbp_contracts.agreements import repository
from vbp_contracts.agreements.models import PARTIES, Agreement, AgreementItem, Signature
from vbp_contracts.agreements.renewal import violations
from vbp_contracts.orders.pricing import agreed_unit_price
from vbp_contracts.transfers import repository as transfers
from vbp_contracts.volumes import repository as volumes_repository
from vbp_contracts.volumes.models import AgreedVolume

OPEN_LINE_STATUSES = ("pending", "confirmed")


def canonical_content(agreement: Agreement, items: list[AgreementItem]) -> str:
    return json.dumps({
        "batch_code": agreement.batch_code, "agreement_year": agreement.agreement_year,
        "hospital_code": agreement.hospital_code, "manufacturer_code": agreement.manufacturer_code,
        "with_service": agreement.with_service, "version": agreement.version,
        "items": [[i.product_id, i.agreed_quantity, i.unit_price_fen] for i in sorted(items, key=lambda i: i.product_id)],
    }, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(agreement: Agreement, items: list[AgreementItem]) -> str:
    return hashlib.sha256(canonical_content(agreement, items).encode()).hexdigest()


async def items_of(session: AsyncSession, agreement_id: int) -> list[AgreementItem]:
    return await repository.items_of_agreement(session, agreement_id=agreement_id)


async def signatures_of(session: AsyncSession, agreement_id: int) -> list[Signature]:
    return await repository.signatures_of_agreement(session, agreement_id=agreement_id)


@dataclass(frozen=True)
class AgreementView:
    """An agreement as its parties read it: items, signatures and the exact content signed."""

    agreement: Agreement
    items: list[AgreementItem]
    signatures: list[Signature]
    canonical_content: str
    content_sha256: str


async def view_of(session: AsyncSession, agreement: Agreement) -> AgreementView:
    items = await items_of(session, agreement.id)
    return AgreementView(agreement=agreement, items=items, signatures=await signatures_of(session, agreement.id),
                         canonical_content=canonical_content(agreement, items),
                         content_sha256=content_hash(agreement, items))


async def read(session: AsyncSession, *, agreement_id: int, principal: Principal) -> AgreementView:
    return await view_of(session, await visible(session, agreement_id, principal))


async def generate(session: AsyncSession, *, batch_code: str, year: int, today: date | None = None) -> dict:
    """Create or refresh the agreements of a batch year from its agreed volumes (CON-2, CON-3)."""
    batch = await catalog_view.batch_or_422(session, batch_code)
    years = agreement_years(batch.cycle).value
    if not 1 <= year <= years:
        raise Problem(422, detail=f"batch {batch_code} has agreement years 1–{years}",
                      errors=[{"field": "body.agreement_year", "reason": "outside the cycle"}])
    await repository.lock_batch_year(session, batch_code=batch_code, year=year)
    volumes = await volumes_repository.volumes_of_year(session, batch_code=batch_code, year=year)
    if not volumes:
        raise Problem(422, detail=f"no agreed volumes for {batch_code} year {year} (CON-1)")
    products = await catalog_view.products_of_batch(session, batch_code)
    manufacturer_of = {pid: p.applicant_credit_code for pid, p in products.items()}
    failures = await violations(session, batch_code=batch_code, year=year, policy=batch.policy,
                                manufacturer_of=manufacturer_of)
    if failures:
        raise Problem(422, "renewal-below-minimum", "Renewal below the minimum",
                      f"{len(failures)} item(s) of year {year} break the {batch.policy.renewal.kind} "
                      f"renewal rule (CON-3, preset {batch.policy.preset})", errors=failures)
    volumes, left_out = _without_unorderable(volumes, products)
    unknown = sorted({v.product_id for v in volumes if not manufacturer_of.get(v.product_id)})
    if unknown:
        raise Problem(422, detail=f"products {unknown} have no manufacturer credit code in the catalog; "
                      "the exchange must list it before agreements can be generated")
    grouped: dict[tuple[str, str], list[AgreedVolume]] = defaultdict(list)
    for volume in volumes:
        grouped[(volume.hospital_code, manufacturer_of[volume.product_id])].append(volume)
    result = {"created": 0, "new_versions": 0, "refreshed": 0, "unchanged": 0, "agreements": [],
              "generated": [], "left_out": left_out}

    def answered(agreement: Agreement, outcome: str) -> None:
        """Issue 23, item 7: whose agreement each id is, so a client need not read them one by one."""
        result["agreements"].append(agreement.id)
        result["generated"].append({"id": agreement.id, "hospital_code": agreement.hospital_code,
                                    "manufacturer_code": agreement.manufacturer_code, "batch_code": batch_code,
                                    "agreement_year": year, "version": agreement.version,
                                    "status": agreement.status, "outcome": outcome})
        if outcome != "unchanged" and today is not None:  # MON-15: the signing deadline runs from here
            outbox.add(session, AgreementGenerated(
                agreement_id=agreement.id, batch_code=batch_code, agreement_year=year,
                hospital_code=agreement.hospital_code, manufacturer_code=agreement.manufacturer_code,
                version_no=agreement.version, generated_on=today), key=str(agreement.id))

    moved_in = await transfers.moved_in(session, batch_code=batch_code, year=year)
    for (hospital, manufacturer), rows in sorted(grouped.items()):
        wanted = with_moved_in(sorted((v.product_id, v.quantity, products[v.product_id].winning_price_fen)
                                      for v in rows), moved_in.get((hospital, manufacturer), {}))
        latest = await repository.latest_version_for_update(
            session, batch_code=batch_code, year=year, hospital_code=hospital, manufacturer_code=manufacturer)
        if latest is not None:
            current = [(i.product_id, i.agreed_quantity, i.unit_price_fen) for i in await items_of(session, latest.id)]
            if current == wanted:
                result["unchanged"] += 1
                answered(latest, "unchanged")
                continue
            if latest.status == "draft":
                await repository.delete_items(session, agreement_id=latest.id)
                session.add_all(AgreementItem(agreement_id=latest.id, product_id=p, agreed_quantity=q,
                                              unit_price_fen=price) for p, q, price in wanted)
                result["refreshed"] += 1
                answered(latest, "refreshed")
                continue
        agreement = Agreement(
            batch_code=batch_code, agreement_year=year, hospital_code=hospital, manufacturer_code=manufacturer,
            distributor_code=latest.distributor_code if latest else None,
            with_service=latest.with_service if latest else True,
            version=(latest.version + 1) if latest else 1, status="draft",
        )
        session.add(agreement)
        await session.flush()
        session.add_all(AgreementItem(agreement_id=agreement.id, product_id=p, agreed_quantity=q, unit_price_fen=price)
                        for p, q, price in wanted)
        result["new_versions" if latest else "created"] += 1
        answered(agreement, "new_version" if latest else "created")
    await session.flush()
    return result


def with_moved_in(wanted: list[tuple[int, int, int]], moved: dict[int, tuple[int, int]]) -> list[tuple[int, int, int]]:
    """CON-7: volume transferred to a backup stays in its manufacturer's agreement when the year's
    agreements are generated again from agreed volumes, so a regeneration does not drop it."""
    items = {product_id: (quantity, price) for product_id, quantity, price in wanted}
    for product_id, (quantity, price) in moved.items():
        kept = items.get(product_id)
        items[product_id] = (kept[0] + quantity, kept[1]) if kept else (quantity, price)
    return sorted((product_id, quantity, price) for product_id, (quantity, price) in items.items())


def _without_unorderable(volumes: list[AgreedVolume], products: dict[int, ProductView]
                         ) -> tuple[list[AgreedVolume], list[dict]]:
    """CON-2 with CON-4: a suspended, disqualified or delisted product cannot be ordered, so
    an agreement item for it would bind the hospital to a volume it may not buy. Its agreed
    volumes stay on record (it may be listed again and the generation rerun) but no item is
    made, and the answer names each product left out, its status and the hospitals affected.
    A pre-listed product (CAT-12) is listed when the batch starts, so its items are made."""
    kept, skipped = [], defaultdict(list)
    for volume in volumes:
        product = products.get(volume.product_id)
        if product is not None and product.status not in ("listed", "pre_listed"):
            skipped[volume.product_id].append(volume)
        else:
            kept.append(volume)
    left_out = [{
        "product_id": product_id, "status": products[product_id].status,
        "hospital_codes": sorted(v.hospital_code for v in rows),
        "agreed_quantity": sum(v.quantity for v in rows),
        "reason": f"product {product_id} is {products[product_id].status}; it cannot be ordered, so no agreement "
                  "item was made for it (CON-4)",
    } for product_id, rows in sorted(skipped.items())]
    return kept, left_out


async def visible(session: AsyncSession, agreement_id: int, principal: Principal, *, for_update=False) -> Agreement:
    """GW-5: an agreement the caller is not party to is as missing as one that does not exist."""
    agreement = await repository.agreement_or_404(session, agreement_id=agreement_id, for_update=for_update)
    if not may_see(principal, hospital=agreement.hospital_code,
                   companies=(agreement.manufacturer_code, agreement.distributor_code)):
        raise not_found(f"agreement {agreement_id}")
    return agreement


async def choose_service(session: AsyncSession, *, agreement_id: int, with_service: bool,
                         principal: Principal) -> AgreementView:
    """Seed 004: the hospital chooses the with- or without-service price, before anyone signs."""
    agreement = await visible(session, agreement_id, principal, for_update=True)
    if principal.role is not Role.HOSPITAL:
        raise Problem(403, detail="the hospital chooses the service option")
    if agreement.status != "draft" or await signatures_of(session, agreement.id):
        raise Problem(409, detail="a signed agreement is immutable; the choice is made before signing")
    agreement.with_service = with_service
    products = await catalog_view.products_by_id(session, [i.product_id for i in await items_of(session, agreement.id)])
    for item in await items_of(session, agreement.id):
        product = products[item.product_id]
        item.unit_price_fen = agreed_unit_price(product.winning_price_fen, product.service_price_fen,
                                                with_service=with_service)
    await session.flush()
    return await view_of(session, agreement)


async def designate(session: AsyncSession, *, agreement_id: int, distributor_code: str,
                    principal: Principal) -> AgreementView:
    """The manufacturer chooses its distributor (CON-2); after a revocation the open order
    lines of the agreement move to the new one (CON-6), as the event counts."""
    agreement = await visible(session, agreement_id, principal, for_update=True)
    if principal.role is not Role.COMPANY or principal.tenant != agreement.manufacturer_code:
        raise Problem(403, detail="only the agreement's manufacturer designates its distributor")
    company = await registry.company(session, distributor_code)
    if company is None or "distributor" not in company.roles:
        raise Problem(422, detail=f"{distributor_code} is not a registered distributor (CAT-9)",
                      errors=[{"field": "body.distributor_code", "reason": "not a distributor"}])
    await refuse_uncovered(session, distributor_code, agreement.hospital_code, with_service=agreement.with_service)
    if agreement.distributor_code == distributor_code:
        raise Problem(409, detail=f"{distributor_code} is already the designated distributor")
    if agreement.distributor_code is not None and await repository.signature(session, agreement_id=agreement.id,
                                                                                party="distributor"):
        raise Problem(409, detail="the designated distributor has signed; the bureau revokes it first (CON-6)")
    previous = agreement.distributor_code
    agreement.distributor_code = distributor_code
    moved = await _move_open_lines(session, agreement, distributor_code)
    outbox.add(session, DistributorChanged(
        agreement_id=agreement.id, batch_code=agreement.batch_code, agreement_year=agreement.agreement_year,
        hospital_code=agreement.hospital_code, manufacturer_code=agreement.manufacturer_code,
        previous_distributor_code=previous, distributor_code=distributor_code,
        reason="designated by the manufacturer", moved_order_lines=moved,
    ), key=str(agreement.id))
    await session.flush()
    return await view_of(session, agreement)


async def refuse_uncovered(session: AsyncSession, distributor_code: str, hospital_code: str, *,
                           with_service: bool, field: str = "body.distributor_code") -> None:
    """CAT-15 (seed 004: 配送及其伴随服务能力应覆盖协议供应地区): a distributor is designated only for a
    hospital in a region it declared, with accompanying service there for a with-service agreement."""
    institution = await registry.institution(session, hospital_code)
    why = service_regions.gap(await service_regions.declared(session, distributor_code),
                              institution.region_code if institution else None, with_service=with_service)
    if why:
        raise Problem(422, detail=f"{distributor_code} cannot be designated for {hospital_code}: {why}",
                      errors=[{"field": field, "reason": why}])


async def _move_open_lines(session: AsyncSession, agreement: Agreement, distributor_code: str) -> int:
    return await repository.move_open_lines(session, agreement_id=agreement.id, distributor_code=distributor_code,
                                            statuses=OPEN_LINE_STATUSES)


async def revoke(session: AsyncSession, *, agreement_id: int, reason: str, principal: Principal) -> AgreementView:
    """CON-6 (seed 001): the bureau revokes the distributor after verification."""
    agreement = await visible(session, agreement_id, principal, for_update=True)
    by = principal.actor
    if agreement.distributor_code is None:
        raise Problem(409, detail=f"agreement {agreement.id} has no designated distributor")
    previous = agreement.distributor_code
    agreement.distributor_code = None
    outbox.add(session, DistributorChanged(
        agreement_id=agreement.id, batch_code=agreement.batch_code, agreement_year=agreement.agreement_year,
        hospital_code=agreement.hospital_code, manufacturer_code=agreement.manufacturer_code,
        previous_distributor_code=previous, distributor_code=None, reason=f"revoked: {reason} ({by})",
        moved_order_lines=0,
    ), key=str(agreement.id))
    await session.flush()
    return await view_of(session, agreement)


def party_of(agreement: Agreement, principal: Principal) -> str:
    if principal.role is Role.HOSPITAL and principal.tenant == agreement.hospital_code:
        return "hospital"
    if principal.role is Role.COMPANY and principal.tenant == agreement.manufacturer_code:
        return "manufacturer"
    if principal.role is Role.COMPANY and principal.tenant and principal.tenant == agreement.distributor_code:
        return "distributor"
    raise Problem(403, detail="only the hospital, the manufacturer or the designated distributor signs")


async def sign(session: AsyncSession, *, agreement_id: int, principal: Principal,
               content_sha256: str, today: date | None = None) -> AgreementView:
    """CON-2: a party signs the content it read (its SHA-256); all three → effective."""
    agreement = await visible(session, agreement_id, principal, for_update=True)
    if agreement.status in ("effective", "superseded"):
        raise Problem(409, detail=f"agreement {agreement.id} is {agreement.status}; it is signed already")
    if agreement.status == "standing":
        raise Problem(409, detail=f"agreement {agreement.id} is the standing record of orders without an agreement "
                                  "(CON-8); it is not signed — an agreement is generated from agreed volumes (CON-2)")
    party = party_of(agreement, principal)
    if party == "distributor" and agreement.distributor_code is None:
        raise Problem(409, detail="no distributor is designated yet")
    items = await items_of(session, agreement.id)
    expected = content_hash(agreement, items)
    if content_sha256 != expected:
        raise Problem(409, "content-changed", detail="the content you signed is not this agreement's content",
                      errors=[{"field": "body.content_sha256", "reason": f"expected {expected}"}])
    if await repository.signature(session, agreement_id=agreement.id, party=party) is not None:
        raise Problem(409, detail=f"the {party} has signed already")
    signature = Signature(agreement_id=agreement.id, party=party, signer=principal.actor,
                          content_sha256=expected)
    session.add(signature)
    if today is not None:
        outbox.add(session, AgreementSigned(agreement_id=agreement.id, party=party,
                                            distributor_code=agreement.distributor_code, signed_on=today),
                   key=str(agreement.id))
    agreement.status = "signing"
    await session.flush()
    if {s.party for s in await signatures_of(session, agreement.id)} == set(PARTIES):
        await _take_effect(session, agreement, items, expected)
    await session.flush()
    await session.refresh(agreement)  # effective_at is the database's now()
    return await view_of(session, agreement)


async def _take_effect(session: AsyncSession, agreement: Agreement, items: list[AgreementItem], digest: str) -> None:
    agreement.status = "effective"
    agreement.effective_at = func.now()
    await repository.supersede_earlier_versions(session, agreement=agreement)
    outbox.add(session, AgreementEffective(
        agreement_id=agreement.id, batch_code=agreement.batch_code, agreement_year=agreement.agreement_year,
        hospital_code=agreement.hospital_code, manufacturer_code=agreement.manufacturer_code,
        distributor_code=agreement.distributor_code, version_no=agreement.version,
        with_service=agreement.with_service,
        items=[AgreementItemFacts(product_id=i.product_id, agreed_quantity=i.agreed_quantity,
                                  unit_price_fen=i.unit_price_fen) for i in items],
        agreed_amount_fen=sum(i.agreed_quantity * i.unit_price_fen for i in items), content_sha256=digest,
    ), key=str(agreement.id))


async def listing(session: AsyncSession, principal: Principal, *, hospital_code: str | None = None,
                  company_code: str | None = None, batch_code: str | None, year: int | None,
                  status: str | None, after: int | None, limit: int) -> list[Agreement]:
    """A hospital lists its own agreements, a company those it manufactures or distributes under,
    the bureau all; the filters narrow that scope and never widen it."""
    filters = dict(batch_code=batch_code, year=year, status=status, after=after, limit=limit)
    if principal.role in (Role.HOSPITAL, Role.COMPANY) and principal.tenant is None:
        return []
    if principal.role is Role.HOSPITAL:
        return await repository.agreements_page(session, hospital_codes={principal.tenant, hospital_code},
                                                company_codes={company_code}, **filters)
    if principal.role is Role.COMPANY:
        return await repository.agreements_page(session, hospital_codes={hospital_code},
                                                company_codes={principal.tenant, company_code}, **filters)
    if principal.role in OVERSEERS:
        return await repository.agreements_page(session, hospital_codes={hospital_code},
                                                company_codes={company_code}, **filters)
    return []


async def page(session: AsyncSession, principal: Principal, *, hospital_code: str | None = None,
               company_code: str | None = None, batch_code: str | None, year: int | None,
               status: str | None, after: int | None, limit: int) -> tuple[list[AgreementView], int | None]:
    rows = await listing(session, principal, hospital_code=hospital_code, company_code=company_code,
                         batch_code=batch_code, year=year, status=status, after=after, limit=limit + 1)
    rows, next_cursor = cut(rows, limit, lambda row: row.id)
    return [await view_of(session, a) for a in rows], next_cursor
