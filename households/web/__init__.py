"""The edges of every page: error pages, request guards, response headers."""
