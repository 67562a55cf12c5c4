from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from vbpkit.domain.money import NonNegativeYuan, YuanFromFen, format_yuan
from vbpkit.web.problems import invalid_field

from vbp_catalog import insurance_codes
from vbp_catalog.companies.schemas import CreditCode
from vbp_catalog.products.models import Product
from vbp_catalog.registration import (
    InvalidRegistrationNo,
    normalise_registration_no,
    normalise_text,
    registration_kind,
)

Status = Literal["pre_listed", "listed", "suspended", "disqualified", "delisted"]


def _insurance_code(value: str) -> str:
    code = insurance_codes.normalise(value)
    if insurance_codes.kind_of(code) is None:
        raise ValueError(f"{value!r} is not a national insurance code: {insurance_codes.SHAPE_TEXT['drug']}; "
                         f"or {insurance_codes.SHAPE_TEXT['device']} (CAT-11)")
    return code


InsuranceCode = Annotated[str, Field(max_length=40), AfterValidator(_insurance_code), Field(
    description="国家医保药品/医用耗材代码 (CAT-11); separators are removed and letters upper-cased",
    examples=["C0301010010000100001", "XJ01CAA040A001010102699"])]


def _registration_no(value: str) -> str:
    number = normalise_registration_no(value)
    try:
        registration_kind(number)
    except InvalidRegistrationNo as exc:
        raise ValueError(exc.reason) from None
    return number


RegistrationNo = Annotated[str, AfterValidator(_registration_no), Field(
    description="注册证编号: 国械注准|国械注进|国械注许 + 11 digits, or 国药准字 + H/Z/S/J + 8 digits; "
    "spaces are removed", examples=["国械注准20163132305"])]
CleanText = Annotated[str, AfterValidator(normalise_text)]


class Differential(BaseModel):
    """CAT-8: this listing is another spec or pack of a winning drug of the batch."""

    model_config = ConfigDict(extra="forbid")

    reference_registration_no: RegistrationNo
    reference_spec: str = ""
    reference_strength: Decimal = Field(gt=0, description="strength of the reference, e.g. 10 (mg)")
    strength: Decimal = Field(gt=0)
    reference_pack: int = Field(gt=0, description="units per pack of the reference")
    pack: int = Field(gt=0)


class ListingRow(BaseModel):
    """One row of a listing push (CAT-3, CAT-4): winning product or capped non-winning one."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    registration_no: RegistrationNo
    spec: CleanText = Field(default="", max_length=200, description="规格型号")
    name: CleanText = Field(min_length=1, max_length=300)
    applicant: CleanText = Field(min_length=1, max_length=200, description="申报企业")
    applicant_credit_code: CreditCode | None = None
    registrant: CleanText = Field(min_length=1, max_length=200, description="注册人")
    unit: str = Field(default="个", min_length=1, max_length=32)
    group: str | None = Field(default=None, max_length=64,
                              description="组别 (CAT-2): one of the batch's groups (or added with `create_groups=true`)")
    winning: bool = Field(default=True, description="false: a non-winning product of the category (CAT-7)")
    product_price: NonNegativeYuan | None = Field(default=None, description="产品价格; computed for a CAT-8 row")
    service_price: NonNegativeYuan = Field(default=0, description="伴随服务价格")
    winning_price: NonNegativeYuan | None = Field(
        default=None, description="中选价格 (with service); must equal product + service price")
    national_lowest_price: NonNegativeYuan | None = Field(
        default=None, description="CAT-7: national lowest provincial platform price, required when winning is false")
    insurance_code: InsuranceCode | None = None
    status: Status = Field(default="listed", description="pre_listed: on the platform before the batch starts "
                           "(CAT-12 预挂网), listed from the start")
    renewed_from: RegistrationNo | None = Field(default=None, description="CAT-5: the number this one renews")
    differential: Differential | None = None

    @model_validator(mode="after")
    def _consistent(self):
        # each rule across fields blames one field, so a bulk error says rows.3.winning_price (§5)
        if self.product_price is None and self.differential is None:
            raise invalid_field("product_price",
                                "product_price is required (or a differential reference to compute it)")
        if self.product_price is not None and self.winning_price is not None:
            if self.winning_price != self.product_price + self.service_price:
                raise invalid_field("winning_price", (
                    f"winning_price {format_yuan(self.winning_price)} ≠ product_price "
                    f"{format_yuan(self.product_price)} + service_price {format_yuan(self.service_price)} (CAT-3)"))
        if not self.winning and self.national_lowest_price is None:
            raise invalid_field("national_lowest_price",
                                "national_lowest_price is required for a non-winning listing (CAT-7)")
        return self


class ChangeRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    kind: str
    old_value: str | None
    new_value: str
    effective_on: date
    reason: str
    changed_by: str
    changed_at: datetime


class ProductRead(BaseModel):
    id: int
    batch_code: str
    group_code: str | None
    registration_no: str
    spec: str
    name: str
    applicant: str
    applicant_credit_code: str | None
    registrant: str
    unit: str
    winning: bool
    product_price: YuanFromFen = Field(description="产品价格 — also the 'without service' winning price (seed 004)")
    service_price: YuanFromFen
    winning_price: YuanFromFen = Field(description="中选价格 with accompanying service")
    national_lowest_price: YuanFromFen | None
    derivation: dict[str, Any] | None
    insurance_code: str | None = Field(description="国家医保药品/医用耗材代码 (CAT-11)")
    status: Status
    pre_listed_on: date | None = Field(description="CAT-12: first day on the platform before the batch started")
    renewed_from: str | None
    updated_at: datetime


class ProductDetail(ProductRead):
    history: list[ChangeRead] = Field(description="every listing, price and status change: who, when, why")
    lower_prices: list[dict[str, Any]]
    price_reductions: list[dict[str, Any]]
    backups: list[dict[str, Any]] = Field(default_factory=list, description=(
        "CAT-13: the backup designations naming this product — as the failing product (`role`: failing) or as the "
        "backup (`role`: backup) — with region, price, status and reason"))


class ProductPage(BaseModel):
    items: list[ProductRead]
    next_cursor: int | None


class StatusChange(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    status: Status
    reason: str = Field(min_length=1, max_length=500)
    effective_on: date | None = Field(default=None, description="default: today")


class DifferentialQuote(BaseModel):
    price: YuanFromFen
    explain: dict[str, Any]


def product_fields(product: Product) -> dict[str, Any]:
    return dict(
        id=product.id, batch_code=product.batch_code, group_code=product.group_code,
        registration_no=product.registration_no, spec=product.spec, name=product.name, applicant=product.applicant,
        applicant_credit_code=product.applicant_credit_code, registrant=product.registrant, unit=product.unit,
        winning=product.winning, product_price=product.product_price_fen, service_price=product.service_price_fen,
        winning_price=product.winning_price_fen, national_lowest_price=product.national_lowest_price_fen,
        derivation=product.derivation, insurance_code=product.insurance_code, status=product.status,
        pre_listed_on=product.pre_listed_on, renewed_from=product.renewed_from, updated_at=product.updated_at,
    )


def product_read(product: Product) -> ProductRead:
    return ProductRead(**product_fields(product))
