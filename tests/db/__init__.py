"""db tests."""
