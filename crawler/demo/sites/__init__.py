"""One module per replica site; each exposes build() -> ReplicaSite. Order here fixes port order in the server."""
