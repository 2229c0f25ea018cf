"""The aggregate stage."""
