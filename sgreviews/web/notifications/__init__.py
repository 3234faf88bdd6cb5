"""Notifications, notification settings, the calendar feed, snoozes and the reminder log."""
