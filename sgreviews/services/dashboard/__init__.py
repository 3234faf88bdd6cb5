"""The chair's dashboard: figures and tables by period, the home pages' overview,
budgets and the log of challenge."""
