from vbpkit.db.engine import KitBase
from vbpkit.db.migrations import run_env

run_env([KitBase.metadata], url_env="OPSTEST_DATABASE_URL")
