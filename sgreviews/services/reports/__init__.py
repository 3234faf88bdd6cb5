"""The yearly report: its sentences from the data, and its formats (Markdown, HTML, PDF,
Word)."""
