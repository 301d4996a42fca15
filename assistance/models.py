"""Programs, applications and grants: arrive with the assistance issue."""
