"""The seeds' innovations, each switched on by its config section."""
