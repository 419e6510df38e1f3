"""Delivery: HTTP API, Lambda entry points, settings and the command line."""
