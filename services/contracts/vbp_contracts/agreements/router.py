from typing import Annotated, Literal

from fastapi import APIRouter, Query
from vbpkit.db.engine import SessionDep
from vbpkit.runtime.service_app import ClockDep
from vbpkit.web.identity import PrincipalDep, Role, require_roles
from vbpkit.web.query_names import invalid_query

from vbp_contracts.agreements import service
from vbp_contracts.agreements.schemas import (
    AgreementPage,
    AgreementRead,
    Designation,
    Generation,
    GenerationResult,
    Revocation,
    ServiceChoice,
    SignatureCreate,
)

router = APIRouter(prefix="/agreements", tags=["agreements"])


@router.post("/generation", response_model=GenerationResult,
             dependencies=[require_roles(Role.EXCHANGE, Role.INSURER)],
             summary="Generate a batch year's agreements from its agreed volumes (CON-2), checking renewal (CON-3)")
async def generate(body: Generation, session: SessionDep, clock: ClockDep) -> GenerationResult:
    return GenerationResult(**await service.generate(session, batch_code=body.batch_code, year=body.agreement_year,
                                                     today=clock.today()))


@router.get("", response_model=AgreementPage, summary="Agreements you are party to (all, for the bureau)")
async def list_agreements(
    session: SessionDep, principal: PrincipalDep,
    hospital_code: Annotated[str | None, Query(max_length=64, description="agreements of this hospital")] = None,
    company_code: Annotated[str | None, Query(
        max_length=18, description="agreements this company manufactures or distributes under")] = None,
    batch_code: Annotated[str | None, Query(max_length=64)] = None,
    batch: Annotated[str | None, Query(max_length=64, deprecated=True,
                                       description="the former name of `batch_code`; taken until 3.0")] = None,
    agreement_year: Annotated[int | None, Query(ge=1, le=50)] = None,
    status: Annotated[Literal["draft", "signing", "effective", "superseded", "standing"] | None, Query()] = None,
    cursor: Annotated[int | None, Query(ge=0)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> AgreementPage:
    if batch and batch_code and batch != batch_code:
        raise invalid_query("batch", f"names {batch}, but batch_code names {batch_code}; send batch_code alone")
    views, next_cursor = await service.page(session, principal, hospital_code=hospital_code,
                                            company_code=company_code, batch_code=batch_code or batch,
                                            year=agreement_year, status=status, after=cursor, limit=limit)
    return AgreementPage(items=[AgreementRead.of(v) for v in views], next_cursor=next_cursor)


@router.get("/{agreement_id}", response_model=AgreementRead, summary="An agreement with its canonical content")
async def read_agreement(agreement_id: int, session: SessionDep, principal: PrincipalDep) -> AgreementRead:
    return AgreementRead.of(await service.read(session, agreement_id=agreement_id, principal=principal))


@router.post("/{agreement_id}/distributor", response_model=AgreementRead,
             dependencies=[require_roles(Role.COMPANY)],
             summary="The manufacturer designates the distributor (CON-2); open lines follow (CON-6)")
async def designate(agreement_id: int, body: Designation, session: SessionDep, principal: PrincipalDep) -> AgreementRead:
    return AgreementRead.of(await service.designate(
        session, agreement_id=agreement_id, distributor_code=body.distributor_code.upper(), principal=principal))


@router.post("/{agreement_id}/service-option", response_model=AgreementRead,
             dependencies=[require_roles(Role.HOSPITAL)],
             summary="The hospital chooses the with- or without-service price before signing (seed 004)")
async def choose_service(agreement_id: int, body: ServiceChoice, session: SessionDep,
                         principal: PrincipalDep) -> AgreementRead:
    return AgreementRead.of(await service.choose_service(
        session, agreement_id=agreement_id, with_service=body.with_service, principal=principal))


@router.post("/{agreement_id}/signatures", status_code=201, response_model=AgreementRead,
             dependencies=[require_roles(Role.HOSPITAL, Role.COMPANY)],
             summary="Sign as hospital, manufacturer or distributor (CON-2)")
async def sign(agreement_id: int, body: SignatureCreate, session: SessionDep, principal: PrincipalDep,
               clock: ClockDep) -> AgreementRead:
    return AgreementRead.of(await service.sign(
        session, agreement_id=agreement_id, principal=principal, content_sha256=body.content_sha256,
        today=clock.today()))


@router.post("/{agreement_id}/distributor-revocation", response_model=AgreementRead,
             dependencies=[require_roles(Role.INSURER, Role.EXCHANGE)],
             summary="Revoke the designated distributor after verification (CON-6, seed 001)")
async def revoke(agreement_id: int, body: Revocation, session: SessionDep, principal: PrincipalDep) -> AgreementRead:
    return AgreementRead.of(await service.revoke(
        session, agreement_id=agreement_id, reason=body.reason, principal=principal))
