"""Marketing IQ: the knowledge-graph service."""
