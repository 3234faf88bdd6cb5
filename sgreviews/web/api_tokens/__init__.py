"""The "API tokens" page: a signed-in user's personal access tokens for the JSON API."""
