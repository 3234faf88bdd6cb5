"""The working-day calendar: administrator-managed extra closure days."""
