-- The network: switches, customers' switch ports, subnets and the history of MACs (Carbon
-- CLN_SWITCH_*, UserSide ip_add / ip_subnet_add / set_mac_by_ip / get_mac_history).
-- Kept in step with ../postgres/0005_network.sql.

-- A record is one address (prefix NULL) or a subnet (ip = its first address, prefix = its
-- length); a MAC-only record has no ip. ip_lo/ip_hi are the first and last address as a sort
-- key ('4' + 8 hex digits or '6' + 32): records never overlap, so the one record with the
-- greatest ip_lo at or below an address is the only one that can hold it. Written by the
-- store; rows from before this migration are keyed when the database is first opened.
ALTER TABLE customer_ips ADD COLUMN prefix INTEGER;
ALTER TABLE customer_ips ADD COLUMN ip_lo TEXT;
ALTER TABLE customer_ips ADD COLUMN ip_hi TEXT;
CREATE INDEX customer_ips_lo ON customer_ips (ip_lo) WHERE ip_lo IS NOT NULL;
-- 0 until the rows made before the keys are keyed (on the first open after this migration)
INSERT INTO counters (name, value) VALUES ('ip_keys', 0);

CREATE TABLE switches (
    id              INTEGER PRIMARY KEY,
    name            TEXT    NOT NULL UNIQUE,
    ip              TEXT    NOT NULL UNIQUE,
    ip_key          TEXT    NOT NULL,
    model           TEXT    NOT NULL DEFAULT '',
    snmp_community  TEXT    NOT NULL DEFAULT '',
    ssh_password    TEXT    NOT NULL DEFAULT '',
    telnet_password TEXT    NOT NULL DEFAULT '',
    house_id        INTEGER REFERENCES houses(id),
    ports           INTEGER NOT NULL CHECK (ports BETWEEN 1 AND 1024),
    -- serves every customer of its house that has no port of its own (UPDATE_HOME_FLAG)
    serves_house    INTEGER NOT NULL DEFAULT 0,
    created_at      TEXT    NOT NULL
);
CREATE INDEX switches_house ON switches (house_id);
CREATE INDEX switches_by_ip_key ON switches (ip_key);
CREATE UNIQUE INDEX switches_serving ON switches (house_id) WHERE serves_house = 1;

-- Which customer is on which switch port: one port per customer, one customer per port.
CREATE TABLE switch_ports (
    switch_id   INTEGER NOT NULL REFERENCES switches(id),
    port        INTEGER NOT NULL CHECK (port > 0),
    customer_id INTEGER NOT NULL UNIQUE REFERENCES customers(id) ON DELETE CASCADE,
    bound_at    TEXT    NOT NULL,
    PRIMARY KEY (switch_id, port)
);

CREATE TABLE mac_history (
    id          INTEGER PRIMARY KEY,
    customer_id INTEGER NOT NULL REFERENCES customers(id) ON DELETE CASCADE,
    ip          TEXT,
    mac_before  TEXT,
    mac_after   TEXT,
    operator_id INTEGER REFERENCES operators(id),
    changed_at  TEXT    NOT NULL
);
CREATE INDEX mac_history_customer ON mac_history (customer_id, id);
