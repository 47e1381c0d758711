"""Mouth shape space (PCA), the audio-to-mouth model, its streaming API and training job."""
