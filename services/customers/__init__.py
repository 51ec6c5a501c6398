"""One customer: search, the detail page, profile history, preferences, consent, refusals."""
