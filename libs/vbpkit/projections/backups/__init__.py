"""Backup view projection: the backups the insurer designated for failing winning products
(CAT-13), as a service that routes or reports on them keeps them (CON-7 volume transfer)."""

from vbpkit.projections.backups.handlers import HANDLERS
from vbpkit.projections.backups.models import BackupView
from vbpkit.projections.base import Projection

Backups = Projection(name="backup_view", models=(BackupView,), handlers=HANDLERS)

__all__ = ["BackupView", "Backups"]
