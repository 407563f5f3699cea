"""nn embedding (being written)."""
__all__: list[str] = []
