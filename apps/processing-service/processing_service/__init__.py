"""processing-service: consumes the orders queue, executes at the venue, records and publishes the result."""
