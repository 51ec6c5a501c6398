"""Staff accounts, sign-in, roles and permissions, and the audit trail."""
