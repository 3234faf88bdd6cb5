"""Reviews: the lifecycle from notification to publication, reading reviews, their
findings, and the closure days behind their clocks."""
