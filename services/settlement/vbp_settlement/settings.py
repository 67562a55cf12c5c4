from pydantic import Field
from pydantic_settings import SettingsConfigDict
from vbpkit.runtime.settings import ServiceSettings


class SettlementSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="SETTLEMENT_", extra="ignore")

    overdue_check_seconds: float = Field(
        default=60.0, gt=0, description="how often the SET-2 overdue and SET-3 late-tranche checks run (they act on the clock's date)")
