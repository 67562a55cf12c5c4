"""MON-8 rebuild: every monitoring table is either a read model a replay empties and fills
again, or state monitoring decided or was pushed (kept) — a new table must say which."""

from vbp_monitoring.main import create_app  # noqa: F401  (every model module imported)
from vbp_monitoring.models import OWN_STATE, READ_MODELS, PROJECTIONS, Base


def test_every_table_is_a_read_model_or_kept_state():
    projected = {m.__tablename__ for p in PROJECTIONS for m in p.models}
    assert set(Base.metadata.tables) == set(READ_MODELS) | set(OWN_STATE) | projected
    assert not set(READ_MODELS) & set(OWN_STATE)
