from pydantic_settings import SettingsConfigDict
from vbpkit.runtime.settings import ServiceSettings


class ContractsSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONTRACTS_", extra="ignore")
