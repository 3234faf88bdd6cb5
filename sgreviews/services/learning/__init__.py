"""Learning that recurs (issue 23): similar earlier findings and the links people confirm,
recurrence across reviews and years, the crosswalk to the national theme lists, and the
quality hints on drafted actions."""
