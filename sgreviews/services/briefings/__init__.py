"""Briefings: writing them and their workflow (workflow), the personal-data check (flags,
personal_data), finding them (library, search, public_access), reading them (reading,
sections) and who they reached (reach)."""
