"""The review lifecycle screens."""
