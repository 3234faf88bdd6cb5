"""National reviews tabled (issue 18, item 5): the register of national reviews a
partnership considered at its board or a subgroup and what it did as a result
(``register``), read by the yearly report (``services/reports/tabled.py``)."""
