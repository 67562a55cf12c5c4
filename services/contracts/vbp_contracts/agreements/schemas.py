from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from vbpkit.domain.money import YuanFromFen


class Generation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    batch_code: str = Field(min_length=1, max_length=64)
    agreement_year: int = Field(ge=1, le=10)


class LeftOutProduct(BaseModel):
    """A product with agreed volumes that got no agreement item: it is not listed (CON-4)."""

    product_id: int
    status: str
    hospital_codes: list[str]
    agreed_quantity: int
    reason: str


class GeneratedAgreement(BaseModel):
    id: int
    hospital_code: str
    manufacturer_code: str
    batch_code: str
    agreement_year: int
    version: int
    status: str = Field(description="draft (to be signed) | signing | effective | superseded")
    outcome: Literal["created", "new_version", "refreshed", "unchanged"]


class GenerationResult(BaseModel):
    created: int
    new_versions: int
    refreshed: int
    unchanged: int
    agreements: list[int] = Field(description="the ids of `generated`, in the same order")
    generated: list[GeneratedAgreement] = Field(description="each agreement: whose it is, its version and status")
    left_out: list[LeftOutProduct] = Field(default_factory=list,
                                           description="suspended, disqualified or delisted products left out")


class Designation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    distributor_code: str = Field(min_length=18, max_length=18, description="the distributor's credit code")


class ServiceChoice(BaseModel):
    model_config = ConfigDict(extra="forbid")

    with_service: bool = Field(description="seed 004: with (含伴随服务) or without the accompanying service")


class SignatureCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    content_sha256: str = Field(pattern=r"^[0-9a-f]{64}$",
                                description="SHA-256 of the canonical content the signer read (GET the agreement)")


class Revocation(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reason: str = Field(min_length=1, max_length=500, description="what verification found (seed 001)")


class ItemRead(BaseModel):
    product_id: int
    agreed_quantity: int
    unit_price: YuanFromFen
    amount: YuanFromFen


class SignatureRead(BaseModel):
    party: str
    signer: str
    content_sha256: str
    signed_at: datetime


class AgreementRead(BaseModel):
    id: int
    batch_code: str
    agreement_year: int
    hospital_code: str
    manufacturer_code: str
    distributor_code: str | None
    with_service: bool
    version: int
    status: str = Field(description="draft | signing | effective | superseded | standing (orders without an "
                        "agreement, CON-8: no items, never signed)")
    items: list[ItemRead]
    agreed_amount: YuanFromFen
    canonical_content: str = Field(description="exactly what is signed")
    content_sha256: str
    signatures: list[SignatureRead]
    effective_at: datetime | None


    @classmethod
    def of(cls, view) -> "AgreementRead":
        """From an ``agreements.service.AgreementView``."""
        agreement, items = view.agreement, view.items
        return cls(
            id=agreement.id, batch_code=agreement.batch_code, agreement_year=agreement.agreement_year,
            hospital_code=agreement.hospital_code, manufacturer_code=agreement.manufacturer_code,
            distributor_code=agreement.distributor_code, with_service=agreement.with_service,
            version=agreement.version, status=agreement.status,
            items=[ItemRead(product_id=i.product_id, agreed_quantity=i.agreed_quantity, unit_price=i.unit_price_fen,
                            amount=i.agreed_quantity * i.unit_price_fen) for i in items],
            agreed_amount=sum(i.agreed_quantity * i.unit_price_fen for i in items),
            canonical_content=view.canonical_content, content_sha256=view.content_sha256,
            signatures=[SignatureRead(party=s.party, signer=s.signer, content_sha256=s.content_sha256,
                                      signed_at=s.signed_at) for s in sorted(view.signatures, key=lambda s: s.party)],
            effective_at=agreement.effective_at,
        )


class AgreementPage(BaseModel):
    items: list[AgreementRead]
    next_cursor: int | None
