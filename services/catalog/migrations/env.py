from vbp_catalog.batches import models as _batches  # noqa: F401  (register the tables)
from vbp_catalog.calendar import models as _calendar  # noqa: F401
from vbp_catalog.companies import models as _companies  # noqa: F401
from vbp_catalog.institutions import models as _institutions  # noqa: F401
from vbp_catalog.lot_holds import models as _lot_holds  # noqa: F401
from vbp_catalog.lower_prices import models as _lower_prices  # noqa: F401
from vbp_catalog.models import Base
from vbp_catalog.national_prices import models as _national_prices  # noqa: F401
from vbp_catalog.payment_standards import models as _payment_standards  # noqa: F401
from vbp_catalog.pre_listing import models as _pre_listing  # noqa: F401
from vbp_catalog.products import models as _products  # noqa: F401
from vbp_catalog.service_regions import models as _service_regions  # noqa: F401
from vbpkit.db.engine import KitBase
from vbpkit.db.migrations import run_env

run_env([Base.metadata, KitBase.metadata], url_env="CATALOG_DATABASE_URL")
