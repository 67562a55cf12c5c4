from vbp_gateway import audit as _audit  # noqa: F401  (register the table)
from vbp_gateway.keys import Base
from vbpkit.db.migrations import run_env

run_env(Base.metadata, url_env="GATEWAY_DATABASE_URL")
