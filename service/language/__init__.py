"""Thread understanding: what the customer feels, asks and already said, and its language data."""
