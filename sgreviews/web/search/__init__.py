"""The search across the whole record (issue 20)."""
