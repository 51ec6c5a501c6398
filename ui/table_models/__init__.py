"""Qt item models over Revisit's services: ids first, rows fetched by the page."""
