"""What a list run prints: call sheets, labels, Excel lists and SMS vendor files (no database)."""
