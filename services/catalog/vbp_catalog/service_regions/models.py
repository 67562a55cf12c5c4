"""CAT-15: the regions a distributor serves (seed 004: 配送及其伴随服务能力应覆盖协议供应地区)."""

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_catalog.models import Base


class ServedRegion(Base):
    """``company_code`` delivers in ``region_code`` and the regions under it; with accompanying
    service (伴随服务) there where ``accompanying_service``."""

    __tablename__ = "served_regions"

    company_code: Mapped[str] = mapped_column(ForeignKey("companies.credit_code"), primary_key=True)
    region_code: Mapped[str] = mapped_column(String(6), primary_key=True)
    accompanying_service: Mapped[bool] = mapped_column(Boolean)
