"""Dialogs: small, modal forms for one edit each."""
