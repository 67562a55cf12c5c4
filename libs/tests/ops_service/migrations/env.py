from vbpkit.db import KitBase
from vbpkit.migrations import run_env

run_env([KitBase.metadata], url_env="OPSTEST_DATABASE_URL")
