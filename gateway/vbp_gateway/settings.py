from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from vbpkit.runtime.topology import SERVICES


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
    restarts: int = Field(default=0, ge=0, description="set by the launcher: how often it restarted the gateway")
    rate_limits: dict[str, str] = Field(default_factory=lambda: {
        "hospital": "3000/minute", "company": "3000/minute", "insurer": "3000/minute", "exchange": "30000/minute",
        "admin": "60000/minute"}, description="GW-4: requests a key of each role may make (limits notation, "
        "e.g. 3000/minute); as JSON in GATEWAY_RATE_LIMITS")
    auth_failure_limit: str = Field(default="20/minute", description=(
        "GW-4: failed authentications one client address may make before it is refused (429) for the window"))
    redis_url: str | None = Field(default=None, description=(
        "GW-4: keep the limits in Redis (redis://host:port/0), shared by several gateways; empty: in memory"))
    audit_retention_days: int = Field(default=180, ge=1, description=(
        "how long the audit trail keeps an entry (网络安全法 art. 21: at least six months)"))
    audit_housekeeping_seconds: float = Field(default=3600.0, gt=0, description="how often the retention is applied")
    oidc_issuer: str | None = Field(default=None, description="GW-2: the OIDC issuer whose bearer JWTs ops users "
                                    "send (its iss); empty: API keys only")
    oidc_audience: str | None = Field(default=None, description="the aud the tokens must carry")
    oidc_jwks_url: str | None = Field(default=None, description="the issuer's JWKS")
    oidc_public_key_pem: str | None = Field(default=None, description="… or its public key, for an offline setup")
    oidc_algorithms: list[str] = Field(default_factory=lambda: ["RS256", "PS256", "ES256", "EdDSA"],
                                       description="accepted algorithms; asymmetric only")
    oidc_role_claim: str = "vbp_role"
    oidc_tenant_claim: str = "vbp_tenant"
    oidc_role_map: dict[str, str] = Field(default_factory=dict, description=(
        "claim value → role (hospital | exchange | company | insurer | admin); a value not in it is taken as a role"))
    oidc_leeway_seconds: int = Field(default=30, ge=0, le=300)
    key_cache_seconds: float = Field(default=5.0, ge=0, description="how long a looked-up API key is trusted")
    roles_refresh_seconds: float = Field(default=60.0, gt=0, description=(
        "GW-5: how often the role table is read again from the services' /openapi.json (x-roles), so a role a "
        "service changes is checked here within this time"))
    roles_miss_refresh_seconds: float = Field(default=2.0, ge=0, description=(
        "GW-5: a request for a route the role table does not know makes the gateway read that service's "
        "document again — at most this often"))

    def upstreams(self) -> dict[str, str]:
        """Each service's base URL, from ``GATEWAY_<SERVICE>_URL``."""
        return {name: getattr(self, f"{name}_url") for name in SERVICES}
