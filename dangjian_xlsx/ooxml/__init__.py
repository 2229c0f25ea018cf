"""The ooxml stage."""
