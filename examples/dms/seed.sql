-- Seed data for the example DMS. The legacy flags say "Ja" for some: that is not consent
-- (GDPR); samtykke starts everyone at "unknown" and the agent writes the real answers back.
INSERT INTO customers (id, customer_no, name, mobile, email, birth_date, street, postal_code, city, sms_ok, email_ok) VALUES
    ('C-1001', '1001', 'Kari Nordmann', '912 34 567', 'kari@example.no', '1980-05-17', 'Storgata 1', '9008', 'Tromsø', 1, 0),
    ('C-1002', '1002', 'Ola Hansen', '+47 934 56 789', 'ola.hansen@example.no', '1975-11-02', 'Fjordveien 2', '9010', 'Tromsø', 0, 1),
    ('C-1003', '1003', 'Nordmann, Per', '22 33 44 55', 'per@example.no', NULL, 'Sjøgata 3', '8006', 'Bodø', 0, 0),
    ('C-1004', '1004', 'Ingrid Berg', '41 23 45 67', '', '1990-01-31', 'Kirkegata 4', '9405', 'Harstad', 1, 1),
    ('C-1005', '1005', 'Jonas Lie', 'ukjent', 'jonas.lie@example', '17.05.1985', '', '', '', 0, 0),
    ('C-1006', '1006', '<script>alert(1)</script>', '98 76 54 32', 'x@example.no', '2012-06-01', 'Skolegata 6', '9008', 'Tromsø', 0, 0);

INSERT INTO orders (order_no, customer_id, kind, closed_at) VALUES
    ('WO-5001', 'C-1001', 'workshop_order', '2026-09-14T10:30:00+02:00'),
    ('WO-5002', 'C-1002', 'workshop_order', '2026-10-01T08:15:00+02:00'),
    ('VS-7001', 'C-1002', 'vehicle_sale', '2025-03-20T14:00:00+01:00'),
    ('PS-9001', 'C-1004', 'parts_sale', '2026-11-02T12:00:00+01:00'),
    ('WO-5003', 'C-1006', 'workshop_order', '2026-08-08T09:00:00+02:00');
