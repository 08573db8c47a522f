"""Reference population: calibration, households, identities and life events."""
