"""Database plumbing: engine, sessions, upgrades, backups, bulk writing, settings, errors."""
