from vbp_monitoring.accounts import models as _accounts  # noqa: F401
from vbp_monitoring.alerts import models as _alerts  # noqa: F401
from vbp_monitoring.coverage import models as _coverage  # noqa: F401
from vbp_monitoring.credit import models as _credit  # noqa: F401
from vbp_monitoring.lot_holds import models as _lot_holds  # noqa: F401
from vbp_monitoring.models import Base
from vbp_monitoring.obstructions import models as _obstructions  # noqa: F401
from vbp_monitoring.prepayment_use import models as _prepayment_use  # noqa: F401
from vbp_monitoring.purchases import models as _purchases  # noqa: F401
from vbp_monitoring.report import models as _report  # noqa: F401
from vbp_monitoring.savings import models as _savings  # noqa: F401
from vbp_monitoring.shortages import models as _shortages  # noqa: F401
from vbp_monitoring.stocking import models as _stocking  # noqa: F401
from vbp_monitoring.substitutes import models as _substitutes  # noqa: F401
from vbp_monitoring.supply import models as _supply  # noqa: F401
from vbp_monitoring.timeliness import models as _timeliness  # noqa: F401
from vbpkit.db.engine import KitBase
from vbpkit.db.migrations import run_env

run_env([Base.metadata, KitBase.metadata], url_env="MONITORING_DATABASE_URL")
