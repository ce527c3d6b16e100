"""Variables the dashboard tests need and the suite's settings do not install."""
