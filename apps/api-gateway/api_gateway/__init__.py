"""api-gateway: authenticates traders, records orders as PENDING, queues them and publishes events."""
