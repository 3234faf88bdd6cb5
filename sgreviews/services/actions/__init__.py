"""SMART actions: writing and reading them, evidence, RAG ratings, the Master Action
Plan and action plans as spreadsheets."""
