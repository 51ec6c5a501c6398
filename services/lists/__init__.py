"""List runs (名单): routing, exclusions, callers, storage, re-printing and outcomes back."""
