"""What the supervisor reads: the week's contact activity and, later, the dashboard."""
