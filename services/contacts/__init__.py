"""Contact work: the caller's follow-up queue and recording a call."""
