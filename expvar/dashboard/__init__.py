"""The admin dashboard: view-model data, value rendering, extra panels and views."""
