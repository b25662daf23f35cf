-- A small on-premise "DMS": customers with SMS/e-mail flags, and orders.
-- Every insert, and every change of personal data, gives the row a new row_version from one
-- counter (like SQL Server's rowversion): the sync agent reads "rows after my mark".
-- Writing the consent flags back does not touch row_version, so nothing echoes.
CREATE TABLE change_counter (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
INSERT INTO change_counter VALUES (1, 0);

CREATE TABLE customers (
    id TEXT PRIMARY KEY,
    customer_no TEXT NOT NULL,
    name TEXT NOT NULL,
    mobile TEXT,
    email TEXT,
    birth_date TEXT,
    street TEXT,
    postal_code TEXT,
    city TEXT,
    sms_ok INTEGER NOT NULL DEFAULT 0,      -- "SMS: Ja/Nei" in the DMS
    email_ok INTEGER NOT NULL DEFAULT 0,    -- "E-post: Ja/Nei"
    consent_changed_at TEXT,
    row_version INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE orders (
    order_no TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers (id),
    kind TEXT NOT NULL DEFAULT 'workshop_order',
    closed_at TEXT NOT NULL,                -- ISO 8601 with offset
    row_version INTEGER NOT NULL DEFAULT 0
);

CREATE TRIGGER customers_inserted AFTER INSERT ON customers BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    UPDATE customers SET row_version = (SELECT value FROM change_counter) WHERE id = NEW.id;
END;

CREATE TRIGGER customers_changed
AFTER UPDATE OF customer_no, name, mobile, email, birth_date, street, postal_code, city
ON customers BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    UPDATE customers SET row_version = (SELECT value FROM change_counter) WHERE id = NEW.id;
END;

CREATE TRIGGER orders_inserted AFTER INSERT ON orders BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    UPDATE orders SET row_version = (SELECT value FROM change_counter)
    WHERE order_no = NEW.order_no;
END;

CREATE TRIGGER orders_changed AFTER UPDATE OF customer_id, kind, closed_at ON orders BEGIN
    UPDATE change_counter SET value = value + 1 WHERE id = 1;
    UPDATE orders SET row_version = (SELECT value FROM change_counter)
    WHERE order_no = NEW.order_no;
END;
