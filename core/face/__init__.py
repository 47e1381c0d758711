"""Face tracking, mesh topology and semantic regions, pose, crops, prepared clips."""
