from vbp_contracts.institutions import models  # noqa: F401  (registers the tables)
from vbp_contracts.models import Base
from vbpkit.db import KitBase
from vbpkit.migrations import run_env

run_env([Base.metadata, KitBase.metadata], url_env="CONTRACTS_DATABASE_URL")
