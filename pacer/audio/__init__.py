"""pacer.audio: speech synthesis worker, mixer, sinks (ALSA pipe, WAV file, null), metronome.

The runtime uses :class:`pacer.audio.output.AudioOut`; see docs/audio.md.
"""
