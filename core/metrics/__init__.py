"""Quality metrics shared by every evaluation and trainer: one implementation per figure."""
