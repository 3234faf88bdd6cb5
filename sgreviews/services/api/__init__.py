"""The JSON API's reading: pages of reviews, findings, actions and clocks, and the
dashboard's figures, as plain JSON-ready records. Every list is narrowed by the policy's
SQL forms (``reviews_visible_to``, ``findings_visible_to``, ``actions_visible_to``), so
a token sees exactly what its user sees in the browser."""
