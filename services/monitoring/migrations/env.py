from vbp_monitoring.models import Base
from vbpkit.db import KitBase
from vbpkit.migrations import run_env

run_env([Base.metadata, KitBase.metadata], url_env="MONITORING_DATABASE_URL")
