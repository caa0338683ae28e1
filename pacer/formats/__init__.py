"""Reading and writing other tools' files: NMEA logs, accelerometer CSV, GPX, FIT, TCX,
CSV and FIT workouts."""
