from pydantic import Field
from pydantic_settings import SettingsConfigDict
from vbpkit.settings import ServiceSettings


class MonitoringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MONITORING_", extra="ignore")

    alert_check_seconds: float = Field(
        default=60.0, gt=0, description="how often the MON-2 stockpiling and MON-3 onboarding checks run "
        "(they act on the clock's date)")
