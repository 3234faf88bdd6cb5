"""Work queues: what waits for a person's decision (issue 20). ``queues`` reads the
secretariat's and the chair's queues for their "Your work" home page."""
