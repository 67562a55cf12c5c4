"""The production deployment stays in step with the code.

DESIGN §2: "In production, docker-compose.yml runs PostgreSQL 16, Apache Kafka (KRaft)
and one container per service plus the gateway". No Docker engine runs where the
tests do, so these tests read docker-compose.yml, the Postgres init SQL,
deploy/.env.example and the Dockerfile, and check them against the settings classes
and pyproject.toml — a setting, service or package added on one side only fails here.
"""

from __future__ import annotations

import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml
from sqlalchemy.engine import make_url

from vbp_catalog.settings import CatalogSettings
from vbp_contracts.settings import ContractsSettings
from vbp_gateway.settings import GatewaySettings
from vbp_monitoring.settings import MonitoringSettings
from vbp_settlement.settings import SettlementSettings
from testsupport import ROOT

COMPOSE_TEXT = (ROOT / "docker-compose.yml").read_text()
COMPOSE = yaml.safe_load(COMPOSE_TEXT)
SERVICES = COMPOSE["services"]
INIT_SQL_DIR = ROOT / "deploy" / "postgres-init"
ENV_EXAMPLE = ROOT / "deploy" / ".env.example"
DOCKERFILE = (ROOT / "Dockerfile").read_text()

SETTINGS = {
    "catalog": CatalogSettings,
    "contracts": ContractsSettings,
    "settlement": SettlementSettings,
    "monitoring": MonitoringSettings,
}
APP_SETTINGS = {**SETTINGS, "gateway": GatewaySettings}
APPS = list(APP_SETTINGS)

# ${NAME}, ${NAME:?err}, ${NAME-default} … as compose interpolates them
INTERPOLATION = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-?+][^}]*)?\}")


def prefix(app: str) -> str:
    return APP_SETTINGS[app].model_config["env_prefix"]


def environment(service: str) -> dict[str, str]:
    """The service's environment as written (compose also allows the list form)."""
    env = SERVICES[service].get("environment") or {}
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return {key: str(value) for key, value in env.items()}


def env_example() -> dict[str, str]:
    pairs = (
        line.split("=", 1)
        for line in ENV_EXAMPLE.read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    )
    return {key.strip(): value.strip() for key, value in pairs}


def interpolated(value: str) -> str:
    """``value`` as compose would see it when started with deploy/.env.example."""
    example = env_example()
    return INTERPOLATION.sub(lambda m: example.get(m.group(1), m.group(0)), value)


def command(service: str) -> list[str]:
    cmd = SERVICES[service].get("command")
    return shlex.split(cmd) if isinstance(cmd, str) else list(cmd or [])


def created_databases() -> set[str]:
    sql = "\n".join(p.read_text() for p in sorted(INIT_SQL_DIR.glob("*.sql")))
    return set(re.findall(r"CREATE\s+DATABASE\s+\"?(\w+)\"?", sql, re.IGNORECASE))


def test_services_are_exactly_the_platform():
    assert set(SERVICES) == {"postgres", "kafka", *APPS}


def test_postgres_is_16():
    assert str(SERVICES["postgres"]["image"]).startswith("postgres:16")


def test_kafka_runs_kraft_without_zookeeper():
    env = environment("kafka")
    assert "controller" in env.get("KAFKA_PROCESS_ROLES", "").split(",")
    assert not any("zookeeper" in name.lower() for name in SERVICES)
    assert not any("ZOOKEEPER" in key.upper() for key in env)


@pytest.mark.parametrize("app", APPS)
def test_app_command_runs_its_factory_on_8000(app):
    cmd = command(app)
    # `uvicorn …` or `python -m uvicorn …`
    assert "uvicorn" in cmd[:3], cmd
    assert f"vbp_{app}.main:create_app" in cmd
    assert "--factory" in cmd
    assert cmd[cmd.index("--port") + 1] == "8000"
    # 127.0.0.1 would be unreachable from the other containers
    assert cmd[cmd.index("--host") + 1] == "0.0.0.0"


@pytest.mark.parametrize("app", APPS)
def test_app_environment_sets_every_required_setting(app):
    settings = APP_SETTINGS[app]
    required = {prefix(app) + name.upper() for name, field in settings.model_fields.items() if field.is_required()}
    # guards the derivation itself: an empty set would make the check vacuous
    assert {prefix(app) + "DATABASE_URL", prefix(app) + "IDENTITY_KEY"} <= required
    missing = required - set(environment(app))
    assert not missing, f"{app}: required settings absent from docker-compose.yml: {sorted(missing)}"


def test_each_app_has_its_own_database_created_by_the_init_sql():
    postgres = SERVICES["postgres"]
    assert any(
        str(v).split(":")[0].rstrip("/") in ("./deploy/postgres-init", "deploy/postgres-init")
        and str(v).split(":")[1] == "/docker-entrypoint-initdb.d"
        for v in postgres.get("volumes", [])
    ), "the init SQL is not mounted into /docker-entrypoint-initdb.d"
    pg_env = environment("postgres")
    created = created_databases()
    databases = {}
    for app in APPS:
        raw = environment(app)[prefix(app) + "DATABASE_URL"]
        url = make_url(interpolated(raw))
        assert url.drivername == "postgresql+asyncpg", app
        assert (url.host, url.port or 5432) == ("postgres", 5432), app
        assert url.username == pg_env["POSTGRES_USER"], app
        # same expression, so the password cannot drift from the server's
        assert INTERPOLATION.search(raw).group(0) == pg_env["POSTGRES_PASSWORD"], app
        assert url.database in created, f"{app}: {url.database} is not created by {INIT_SQL_DIR}"
        databases[app] = url.database
    assert len(set(databases.values())) == len(APPS), f"apps share a database: {databases}"


def test_kafka_bootstrap_matches_the_advertised_listener():
    advertised = {
        listener.split("://", 1)[1]
        for listener in environment("kafka")["KAFKA_ADVERTISED_LISTENERS"].split(",")
    }
    for app in APPS:
        bootstrap = environment(app)[prefix(app) + "KAFKA_BOOTSTRAP_SERVERS"]
        assert bootstrap == "kafka:9092", app
        assert bootstrap in advertised, f"{app}: {bootstrap} is not among {advertised}"


@pytest.mark.parametrize("service", SETTINGS)
def test_gateway_reaches_each_service_by_name(service):
    # a renamed setting would leave compose setting a variable nobody reads
    assert f"{service}_url" in GatewaySettings.model_fields
    assert environment("gateway")[f"GATEWAY_{service.upper()}_URL"] == f"http://{service}:8000"


def test_apps_share_one_identity_key():
    keys = {app: environment(app)[prefix(app) + "IDENTITY_KEY"] for app in APPS}
    assert len(set(keys.values())) == 1, keys


def test_secrets_are_mandatory_interpolations():
    # `:?` makes compose refuse to start without the secret instead of running with ""
    secrets = {
        "postgres": environment("postgres")["POSTGRES_PASSWORD"],
        "gateway admin key": environment("gateway")["GATEWAY_ADMIN_API_KEY"],
        **{f"{app} identity key": environment(app)[prefix(app) + "IDENTITY_KEY"] for app in APPS},
        **{f"{app} database url": environment(app)[prefix(app) + "DATABASE_URL"] for app in APPS},
    }
    for what, value in secrets.items():
        assert re.search(r"\$\{VBP_\w+:\?[^}]+\}", value), f"{what} is not a required ${{VBP_…:?…}} variable"


def test_only_the_gateway_publishes_port_8000():
    publishing = {name for name, service in SERVICES.items() if service.get("ports")}
    assert publishing == {"gateway"}
    assert [str(p) for p in SERVICES["gateway"]["ports"]] == ["8000:8000"]


@pytest.mark.parametrize("app", APPS)
def test_app_healthcheck_and_start_order(app):
    service = SERVICES[app]
    check = service.get("healthcheck") or {}
    assert not check.get("disable")
    assert "http://127.0.0.1:8000/health" in " ".join(map(str, check.get("test", [])))
    depends = service.get("depends_on") or {}
    needed = {"postgres", "kafka"} | (set(SETTINGS) if app == "gateway" else set())
    for dependency in needed:
        assert dependency in depends and depends[dependency].get("condition") == "service_healthy", (
            f"{app} does not wait for {dependency} to be healthy"
        )
        # service_healthy on a service without a healthcheck never resolves
        assert SERVICES[dependency].get("healthcheck", {}).get("test"), f"{dependency} has no healthcheck"


def test_env_example_lists_every_variable_compose_uses():
    used = set(INTERPOLATION.findall(COMPOSE_TEXT))
    assert used, "docker-compose.yml interpolates no variables — secrets are hard-coded?"
    missing = used - set(env_example())
    assert not missing, f"absent from deploy/.env.example: {sorted(missing)}"


def test_dockerfile_copies_every_package_directory():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    wheres = pyproject["tool"]["setuptools"]["packages"]["find"]["where"]
    needed = {Path(where).parts[0] for where in wheres} | {"pyproject.toml"}
    copied = set()
    for line in DOCKERFILE.splitlines():
        words = line.split()
        if words and words[0].upper() == "COPY":
            sources = [w for w in words[1:-1] if not w.startswith("--")]
            copied |= {Path(s.removeprefix("./")).parts[0] for s in sources if s not in (".", "./")}
    missing = needed - copied
    assert not missing, f"the Dockerfile does not COPY {sorted(missing)}"


def test_dockerfile_install_keeps_migrations_beside_the_packages():
    install = [line for line in DOCKERFILE.splitlines() if re.search(r"\bpip\b.*\binstall\b", line)]
    assert install, "the Dockerfile does not pip install the project"
    # each app finds migrations at <package>/../migrations, which a wheel drops
    assert any(re.search(r"(--editable|-e)\s+\.(\s|$)", line) for line in install), install
    assert not any("[dev]" in line for line in install), "dev extras in the production image"


def test_image_runs_as_non_root_and_defaults_to_the_gateway():
    users = re.findall(r"^USER\s+(\S+)", DOCKERFILE, re.MULTILINE)
    assert users and users[-1] not in ("root", "0"), users
    cmd = re.findall(r"^CMD\s+(.+)$", DOCKERFILE, re.MULTILINE)
    assert cmd and "vbp_gateway.main:create_app" in cmd[-1]
