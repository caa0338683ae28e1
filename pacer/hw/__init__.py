"""pacer.hw -- the hardware edge: accelerometer drivers, sampler, controls, fakes.

* :mod:`pacer.hw.i2c` opens ``/dev/i2c-N`` and turns bus failures into one-line errors.
* :mod:`pacer.hw.mpu6050`, :mod:`pacer.hw.adxl345`, :mod:`pacer.hw.adxl335` are the
  drivers (protocol in :mod:`pacer.hw.accel`); :mod:`pacer.hw.probe` finds and opens them.
* :mod:`pacer.hw.sampler` drains a driver's FIFO in bursts and emits calibrated
  ``AccelBlock`` records; :mod:`pacer.hw.rate` is its pure rate regression.
* :mod:`pacer.hw.fakes` holds register-level fakes of every chip for tests and simulation;
  :mod:`pacer.hw.fakes.wiring` wires them (fake chip on a wedgeable fake bus, a pty for the
  simulated receiver) for ``pacer sim --realtime``, ``run --fake-hardware`` and ``doctor``.

Device libraries (smbus2, gpiozero) are imported lazily, inside the functions that need
them. See docs/accelerometer.md.
"""
