"""Segments: saved filters compiled to SQL, derived fields and templates (docs/segments.md)."""
