from vbp_settlement.models import Base
from vbpkit.db import KitBase
from vbpkit.migrations import run_env

run_env([Base.metadata, KitBase.metadata], url_env="SETTLEMENT_DATABASE_URL")
