"""Avatar kinds: one registry entry per family, looked up by every command and GUI panel."""
