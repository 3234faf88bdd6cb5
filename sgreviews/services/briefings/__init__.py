"""Briefings: the editor and workflow, the personal-data check, the library and search,
reading, and reach."""
