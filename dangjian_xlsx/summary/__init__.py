"""The summary stage."""
