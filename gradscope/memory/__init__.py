"""Memory: exact byte accounting of live buffers (engine side) and its fold over events."""
