"""What each configuration key accepts beyond its type: the allowed values and the
inclusive numeric ranges per (section, key), in the key's own units (Hz, pins, bpm...).

:func:`pacer.config.load_config` checks them after the types, with the file and line;
docs/configuration.md lists them (a test compares).
"""

from __future__ import annotations

from pacer.config_heart_rate import HEART_RATE_RANGE_BPM

__all__ = ["CHOICES", "RANGES"]

#: allowed values per (section, key); checked after types, with the file and line
CHOICES: dict[tuple[str, str], tuple[object, ...]] = {
    ("gps", "receiver"): ("auto", "ublox", "mediatek", "nmea"),
    ("gps", "baudrate"): (4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800),
    ("gps", "set_baudrate"): (None, 9600, 19200, 38400, 57600, 115200, 230400, 460800),
    ("accel", "chip"): ("mpu6050", "adxl345", "adxl335", "none"),
    ("accel", "range_g"): (2, 4, 8, 16),
    ("audio", "engine"): ("pyttsx3", "espeak", "none"),
    ("audio", "metronome"): ("off", "fixed", "adaptive", "locked"),
    ("coach", "profile"): ("track", "tempo", "race", "minimal"),
    ("coach", "units"): ("km", "mi"),
    ("heart_rate", "method"): ("karvonen", "percent_max"),
}
#: inclusive numeric ranges per (section, key)
RANGES: dict[tuple[str, str], tuple[float, float]] = {
    ("gps", "rate_hz"): (0.1, 20.0),
    ("accel", "i2c_bus"): (0, 255),
    ("accel", "address"): (0x03, 0x77),
    ("accel", "rate_hz"): (10.0, 1000.0),
    ("accel", "int_pin"): (0, 27),
    ("controls", "start_pin"): (0, 27),
    ("controls", "stop_pin"): (0, 27),
    ("controls", "led_pin"): (0, 27),
    ("controls", "buzzer_pin"): (0, 27),
    ("controls", "hold_s"): (0.3, 10.0),
    ("controls", "bounce_ms"): (0.0, 500.0),
    ("audio", "rate_wpm"): (80, 450),
    ("audio", "volume"): (0.0, 1.0),
    ("coach", "lane"): (1, 9),
    ("session", "max_bytes"): (1_000_000, 10**15),
    ("heart_rate", "max_bpm"): HEART_RATE_RANGE_BPM,
    ("heart_rate", "resting_bpm"): HEART_RATE_RANGE_BPM,
}
