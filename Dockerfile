# One image for the four services and the gateway; docker-compose.yml picks the app
# with `command`. The default runs the gateway.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed uid so volumes and policies can refer to it; no login shell, no home to write.
RUN groupadd --system --gid 10001 vbp \
 && useradd --system --uid 10001 --gid vbp --no-create-home --home-dir /app --shell /usr/sbin/nologin vbp

WORKDIR /app

# Every `where` directory of [tool.setuptools.packages.find] in pyproject.toml
# (tests/test_compose.py checks the list stays complete).
COPY pyproject.toml ./
COPY libs/ libs/
COPY services/ services/
COPY gateway/ gateway/

# Editable on purpose: each app finds its Alembic migrations at
# <package>/../migrations (e.g. services/catalog/migrations), which a built wheel
# does not carry, so a plain `pip install .` would start apps that cannot migrate.
# Runtime dependencies only — no [dev] extra. Installed as root, so the code stays
# read-only for the app user.
RUN pip install --editable .

USER vbp

EXPOSE 8000

# Compose health checks use a python/urllib one-liner, so no curl is installed.
CMD ["uvicorn", "vbp_gateway.main:create_app", "--factory", "--host", "0.0.0.0", "--port", "8000"]
