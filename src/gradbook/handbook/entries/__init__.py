"""One module per handbook question id."""
