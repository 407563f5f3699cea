"""nn container (being written)."""
__all__: list[str] = []
