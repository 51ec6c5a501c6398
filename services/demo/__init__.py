"""The deterministic demo data generator (customers, cars, visits, surveys, contacts)."""
