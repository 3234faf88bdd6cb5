"""What the record said on a given day: event dates, reviews and actions as at a date."""
