from typing import Annotated, Literal

from fastapi import APIRouter, Query
from vbpkit.db import SessionDep
from vbpkit.identity import PrincipalDep, Role, require_roles
from vbpkit.pagination import cut

from vbp_contracts.agreements import service
from vbp_contracts.agreements.models import Agreement
from vbp_contracts.agreements.schemas import (
    AgreementPage,
    AgreementRead,
    Designation,
    Generation,
    GenerationResult,
    ItemRead,
    Revocation,
    ServiceChoice,
    SignatureCreate,
    SignatureRead,
)

router = APIRouter(prefix="/agreements", tags=["agreements"])


async def read(session, agreement: Agreement) -> AgreementRead:
    items = await service.items_of(session, agreement.id)
    signatures = await service.signatures_of(session, agreement.id)
    return AgreementRead(
        id=agreement.id, batch_code=agreement.batch_code, agreement_year=agreement.agreement_year,
        hospital_code=agreement.hospital_code, manufacturer_code=agreement.manufacturer_code,
        distributor_code=agreement.distributor_code, with_service=agreement.with_service, version=agreement.version,
        status=agreement.status,
        items=[ItemRead(product_id=i.product_id, agreed_quantity=i.agreed_quantity, unit_price=i.unit_price_fen,
                        amount=i.agreed_quantity * i.unit_price_fen) for i in items],
        agreed_amount=sum(i.agreed_quantity * i.unit_price_fen for i in items),
        canonical_content=service.canonical_content(agreement, items),
        content_sha256=service.content_hash(agreement, items),
        signatures=[SignatureRead(party=s.party, signer=s.signer, content_sha256=s.content_sha256,
                                  signed_at=s.signed_at) for s in sorted(signatures, key=lambda s: s.party)],
        effective_at=agreement.effective_at,
    )


@router.post("/generation", response_model=GenerationResult,
             dependencies=[require_roles(Role.EXCHANGE, Role.INSURER)],
             summary="Generate a batch year's agreements from its agreed volumes (CON-2), checking renewal (CON-3)")
async def generate(body: Generation, session: SessionDep) -> GenerationResult:
    return GenerationResult(**await service.generate(session, batch_code=body.batch_code, year=body.agreement_year))


@router.get("", response_model=AgreementPage, summary="Agreements you are party to (all, for the bureau)")
async def list_agreements(
    session: SessionDep, principal: PrincipalDep,
    batch: Annotated[str | None, Query()] = None,
    agreement_year: Annotated[int | None, Query(ge=1)] = None,
    status: Annotated[Literal["draft", "signing", "effective", "superseded"] | None, Query()] = None,
    cursor: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AgreementPage:
    rows = await service.listing(session, principal, batch_code=batch, year=agreement_year, status=status,
                                 after=cursor, limit=limit + 1)
    rows, next_cursor = cut(rows, limit, lambda row: row.id)
    return AgreementPage(items=[await read(session, a) for a in rows], next_cursor=next_cursor)


@router.get("/{agreement_id}", response_model=AgreementRead, summary="An agreement with its canonical content")
async def read_agreement(agreement_id: int, session: SessionDep, principal: PrincipalDep) -> AgreementRead:
    return await read(session, await service.visible(session, agreement_id, principal))


@router.post("/{agreement_id}/distributor", response_model=AgreementRead,
             dependencies=[require_roles(Role.COMPANY)],
             summary="The manufacturer designates the distributor (CON-2); open lines follow (CON-6)")
async def designate(agreement_id: int, body: Designation, session: SessionDep, principal: PrincipalDep) -> AgreementRead:
    agreement = await service.visible(session, agreement_id, principal, for_update=True)
    await service.designate(session, agreement, distributor_code=body.distributor_code.upper(), principal=principal)
    await session.flush()
    return await read(session, agreement)


@router.post("/{agreement_id}/service-option", response_model=AgreementRead,
             dependencies=[require_roles(Role.HOSPITAL)],
             summary="The hospital chooses the with- or without-service price before signing (seed 004)")
async def choose_service(agreement_id: int, body: ServiceChoice, session: SessionDep,
                         principal: PrincipalDep) -> AgreementRead:
    agreement = await service.visible(session, agreement_id, principal, for_update=True)
    await service.choose_service(session, agreement, with_service=body.with_service, principal=principal)
    await session.flush()
    return await read(session, agreement)


@router.post("/{agreement_id}/signatures", status_code=201, response_model=AgreementRead,
             dependencies=[require_roles(Role.HOSPITAL, Role.COMPANY)],
             summary="Sign as hospital, manufacturer or distributor (CON-2)")
async def sign(agreement_id: int, body: SignatureCreate, session: SessionDep, principal: PrincipalDep) -> AgreementRead:
    agreement = await service.visible(session, agreement_id, principal, for_update=True)
    await service.sign(session, agreement, principal=principal, content_sha256=body.content_sha256)
    await session.flush()
    await session.refresh(agreement)
    return await read(session, agreement)


@router.post("/{agreement_id}/distributor-revocation", response_model=AgreementRead,
             dependencies=[require_roles(Role.INSURER, Role.EXCHANGE)],
             summary="Revoke the designated distributor after verification (CON-6, seed 001)")
async def revoke(agreement_id: int, body: Revocation, session: SessionDep, principal: PrincipalDep) -> AgreementRead:
    agreement = await service.visible(session, agreement_id, principal, for_update=True)
    await service.revoke(session, agreement, reason=body.reason, by=principal.actor)
    await session.flush()
    return await read(session, agreement)
