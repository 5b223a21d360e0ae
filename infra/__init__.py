"""Provisioning and local-run tooling (not shipped in the Lambda package)."""
