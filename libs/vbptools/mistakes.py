"""The ``vbp`` command line's mistakes: one line saying what to do, and its exit status (issue 23,
item 5)."""

REFUSED, ROWS_REFUSED, UNREADABLE, UNREACHABLE, USAGE = 1, 2, 3, 4, 64  # exit statuses


class Stop(Exception):
    """A mistake the user can mend: ``message`` (one line, what to do) and the exit status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status
