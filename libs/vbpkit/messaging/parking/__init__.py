"""Parked events: what a consumer sets aside instead of blocking its partition forever
(issue 7 item 7). The inbox parks; ops list and retry through every service's
``/parked-events`` routes; ``/health`` counts them."""
