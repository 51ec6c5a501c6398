"""Bringing a dealer's data in: DMS exports and spreadsheets, mapped, normalised, matched."""
