"""Views of the assistance app, one module per area."""
