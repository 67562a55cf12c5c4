from vbp_gateway.audit import models as _audit  # noqa: F401  (registers the table)
from vbp_gateway.keys import models as _keys  # noqa: F401  (registers the table)
from vbp_gateway.models import Base
from vbpkit.db.migrations import run_env

run_env(Base.metadata, url_env="GATEWAY_DATABASE_URL")
