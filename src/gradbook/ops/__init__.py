"""Differentiable primitives, one family per module; each op's forward and backward sit together."""
