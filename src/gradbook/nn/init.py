"""Weight initialisation (being written)."""
