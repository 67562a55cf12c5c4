from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class GatewaySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    database_url: str = Field(description="the gateway's own database (API keys)")
    kafka_bootstrap_servers: str = Field(description="reported by /health")
    identity_key: SecretStr = Field(description="HMAC key shared with the services (GW-3)")
    admin_api_key: SecretStr = Field(
        description="the first admin key, from which every other key is issued (GW-2)",
        min_length=24,
    )
    catalog_url: str = "http://127.0.0.1:8001"
    contracts_url: str = "http://127.0.0.1:8002"
    settlement_url: str = "http://127.0.0.1:8003"
    monitoring_url: str = "http://127.0.0.1:8004"
    upstream_timeout_seconds: float = Field(default=30.0, gt=0)
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, description=(
        "a larger request body is refused with 413 as it arrives (issue 11); the services refuse the same"))
    key_cache_seconds: float = Field(default=5.0, ge=0, description="how long a looked-up API key is trusted")

    def upstreams(self) -> dict[str, str]:
        return {
            "catalog": self.catalog_url,
            "contracts": self.contracts_url,
            "settlement": self.settlement_url,
            "monitoring": self.monitoring_url,
        }
