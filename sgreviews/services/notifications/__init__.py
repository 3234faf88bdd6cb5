"""In-app notifications: each person's inbox and its unread count, their notification
settings, and their calendar feed of due dates."""
