from pydantic import Field
from pydantic_settings import SettingsConfigDict
from vbpkit.runtime.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore")

    lower_price_check_seconds: float = Field(
        default=60.0, gt=0, description="how often the CAT-6 check runs (it acts on the clock's date)")
    pre_listing_check_seconds: float = Field(
        default=60.0, gt=0, description="how often the CAT-12 check runs: pre-listed products listed at the start, "
        "national lowest prices applied on their day, missed pre-listing deadlines alerted")
