"""The main window's areas, one widget each."""
