"""The deterministic demo data generator (customers, cars, visits, surveys, contacts)."""

# Every account the demo adds signs in with this password (README.md says so); accounts the
# database already had keep theirs. Here, not in generator.py, so the CLI's help can name it
# without loading the generator's name and pinyin tables.
DEMO_PASSWORD = "demo123"
