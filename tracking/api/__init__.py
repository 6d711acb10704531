"""The public REST API (/api/v1/): every app's data for a business's own tools, behind
per-business tokens. It stands at the top of the one-way order: it may import every app, and
only the project's wiring (tracking/site/urls.py) imports it."""
