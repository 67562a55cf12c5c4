"""Local tools around the platform, apart from the kit: the launcher (``make run``), the
embedded PostgreSQL and Kafka-protocol broker, the ``vbp`` command line and the demo story.
No service imports them; their dependencies are the ``local`` extra, not a service image's."""
