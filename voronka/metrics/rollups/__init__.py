"""Daily rollups of the metric engine: what is stored (models.py), how it is read (read.py), kept (build.py)."""
