from pydantic_settings import SettingsConfigDict
from vbpkit.settings import ServiceSettings


class MonitoringSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="MONITORING_", extra="ignore")
