"""The parts of serving the app, one role each; serving.py puts them together."""
