"""The admin dashboard: its context, live body, value rendering and extra panels."""
