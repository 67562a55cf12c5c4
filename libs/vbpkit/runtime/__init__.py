"""A service as it runs: its composition root (``service_app``), settings, clock, supervised
background loops and scheduled checks."""
