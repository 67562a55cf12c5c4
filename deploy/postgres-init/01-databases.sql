-- Run once by the postgres image, on an empty data volume only, as POSTGRES_USER.
-- Each app owns its database (and migrates it itself at start-up); none shares tables.
CREATE DATABASE vbp_catalog;
CREATE DATABASE vbp_contracts;
CREATE DATABASE vbp_settlement;
CREATE DATABASE vbp_monitoring;
CREATE DATABASE vbp_gateway;
