"""The accountability dashboard: aggregates, small-cell suppression, the page and the exports."""
