"""The round stage."""
