"""Running Djemaa on one machine beyond one process (deploy/scaleout.py)."""
