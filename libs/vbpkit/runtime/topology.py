"""The four services, in the order facts flow between them (DESIGN §2): catalog's facts feed
contracts, contracts' feed settlement, and all three feed monitoring. Each produces one topic
(``vbp.<service>``) and has one database. Whatever lists the services — topics and the order a
fetch applies them in, the gateway's routes and merged documents, the launcher — reads this."""

SERVICES: tuple[str, ...] = ("catalog", "contracts", "settlement", "monitoring")
