"""CON-10: distributors' account requests at hospitals, from contracts' events."""

from datetime import date

from sqlalchemy import BigInteger, Date, String
from sqlalchemy.orm import Mapped, mapped_column

from vbp_monitoring.models import Base


class AccountRequestFact(Base):
    __tablename__ = "account_request_facts"

    request_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    distributor_code: Mapped[str] = mapped_column(String(18))
    hospital_code: Mapped[str] = mapped_column(String(64))
    batch_code: Mapped[str] = mapped_column(String(64))
    requested_on: Mapped[date] = mapped_column(Date)
    opened_on: Mapped[date | None] = mapped_column(Date)
