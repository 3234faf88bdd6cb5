"""The administrators' audit-trail viewer."""
