"""Records of realised care (format, checks, export) and calibration of a scenario to them."""
