"""The search across the whole record (issue 20): ``config`` (synonyms and the spelling
fallback from config/search.toml), ``query`` (what a search looks for, in each engine's
syntax), ``documents`` (the text each kind is found by), ``engine`` (running it, scoped
by access) and ``results`` (what the page shows of each hit)."""
