from vbp_settlement.institutions import models  # noqa: F401  (registers the tables)
from vbp_settlement.models import Base
from vbpkit.db import KitBase
from vbpkit.migrations import run_env

run_env([Base.metadata, KitBase.metadata], url_env="SETTLEMENT_DATABASE_URL")
