"""HTTP: the FastAPI app (Open311, staff REST API, server-rendered pages)."""
