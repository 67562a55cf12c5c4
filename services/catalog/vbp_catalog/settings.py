from pydantic_settings import SettingsConfigDict

from vbpkit.settings import ServiceSettings


class CatalogSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CATALOG_", extra="ignore")
