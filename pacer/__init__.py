"""pacer: an open, phone-free audio pacing coach for runners."""

__version__ = "0.1.0"
