from vbp_gateway.keys import Base
from vbpkit.migrations import run_env

run_env(Base.metadata, url_env="GATEWAY_DATABASE_URL")
