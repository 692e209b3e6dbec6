"""The desk's service level screens: the service catalogue (docs/service_levels.md)."""
