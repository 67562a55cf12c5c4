from vbp_settlement.deliveries import models as _deliveries  # noqa: F401
from vbp_settlement.direct_settlement import models as _direct_settlement  # noqa: F401
from vbp_settlement.fund_payables import models as _fund_payables  # noqa: F401
from vbp_settlement.invoices import models as _invoices  # noqa: F401
from vbp_settlement.ledger import models as _ledger  # noqa: F401
from vbp_settlement.models import Base
from vbp_settlement.payments import models as _payments  # noqa: F401
from vbp_settlement.prepayments import models as _prepayments  # noqa: F401
from vbp_settlement.refunds import models as _refunds  # noqa: F401
from vbpkit.db.engine import KitBase
from vbpkit.db.migrations import run_env

run_env([Base.metadata, KitBase.metadata], url_env="SETTLEMENT_DATABASE_URL")
