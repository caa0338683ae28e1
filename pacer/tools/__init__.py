"""Tools for the device: the doctor (device checks) and the bench (pipeline cost)."""
