"""Revisit's front ends: the Qt desktop (ui/*) and the command line (ui/cli)."""
