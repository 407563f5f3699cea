"""nn loss (being written)."""
__all__: list[str] = []
