from vbp_contracts.accounts import models as _accounts  # noqa: F401
from vbp_contracts.agreements import models as _agreements  # noqa: F401
from vbp_contracts.default_distributors import models as _default_distributors  # noqa: F401
from vbp_contracts.deliveries import models as _deliveries  # noqa: F401
from vbp_contracts.models import Base
from vbp_contracts.orders import models as _orders  # noqa: F401
from vbp_contracts.transfers import models as _transfers  # noqa: F401
from vbp_contracts.volumes import models as _volumes  # noqa: F401
from vbpkit.db.engine import KitBase
from vbpkit.db.migrations import run_env

run_env([Base.metadata, KitBase.metadata], url_env="CONTRACTS_DATABASE_URL")
