"""Receiver setup: frame builders against published frames, and a fake receiver on a pty
that parses the commands, changes its state and answers as u-blox / MediaTek parts do."""

from __future__ import annotations

import os
import select
import struct
import threading
import tty
from functools import reduce

import pytest

from pacer.gps.framer import LineFramer
from pacer.gps.receivers import (
    CLS_ACK,
    CLS_CFG,
    ID_ACK_ACK,
    ID_ACK_NAK,
    ID_CFG_NAV5,
    ID_CFG_PRT,
    ID_CFG_RATE,
    DynModel,
    PmtkAck,
    UbxScanner,
    configure_mediatek,
    configure_ublox,
    parse_pmtk_ack,
    pmtk,
    pmtk_baud,
    pmtk_rate,
    ubx_cfg_nav5,
    ubx_cfg_prt,
    ubx_cfg_rate,
    ubx_frame,
)

serial = pytest.importorskip("serial")


def nmea(body: str) -> bytes:
    return f"${body}*{reduce(lambda a, c: a ^ ord(c), body, 0):02X}\r\n".encode()


# ------------------------------------------------------------------ known frames


def test_builders_match_published_frames() -> None:
    # u-blox 5 Hz and 115200-baud frames as published in u-blox app notes and forums
    assert ubx_cfg_rate(5.0).hex(" ") == "b5 62 06 08 06 00 c8 00 01 00 01 00 de 6a"
    assert ubx_cfg_prt(115200).hex(" ") == (
        "b5 62 06 00 14 00 01 00 00 00 d0 08 00 00 00 c2 01 00 07 00 03 00 00 00 00 00 c0 7e"
    )
    assert pmtk_rate(5.0) == b"$PMTK220,200*2C\r\n"
    assert pmtk(397, 0) == b"$PMTK397,0*23\r\n"
    assert pmtk_baud(115200) == b"$PMTK251,115200*1F\r\n"
    assert (
        pmtk(314, 0, 1, 0, 1, *[0] * 15) == b"$PMTK314,0,1,0,1,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0*28\r\n"
    )


def test_nav5_sets_only_dynamic_model_and_static_hold() -> None:
    (msg,) = UbxScanner().feed(b"$GPGGA,junk\r\n" + ubx_cfg_nav5(DynModel.PEDESTRIAN))
    assert (msg.msg_class, msg.msg_id, len(msg.payload)) == (CLS_CFG, ID_CFG_NAV5, 36)
    mask, dyn = struct.unpack_from("<HB", msg.payload)
    assert mask == 0x0041 and dyn == 3
    assert msg.payload[22] == 0 and struct.unpack_from("<H", msg.payload, 28)[0] == 0


def test_scanner_resyncs_over_noise_and_split_frames() -> None:
    frame = ubx_frame(CLS_ACK, ID_ACK_ACK, bytes((CLS_CFG, ID_CFG_RATE)))
    bad = bytearray(frame)
    bad[-1] ^= 0xFF
    stream = b"\xb5\x62\xff\xff" + bytes(bad) + b"$GPRMC,1*00\r\n" + frame
    sc = UbxScanner()
    got = []
    for i in range(0, len(stream), 3):
        got += sc.feed(stream[i : i + 3])
    assert [(m.msg_class, m.msg_id, m.payload) for m in got] == [
        (CLS_ACK, ID_ACK_ACK, bytes((CLS_CFG, ID_CFG_RATE)))
    ]


def test_pmtk_ack_parser_checks_checksum() -> None:
    assert parse_pmtk_ack(nmea("PMTK001,220,3").decode()) == (220, PmtkAck.OK)
    assert parse_pmtk_ack("$PMTK001,220,3*00") is None
    assert parse_pmtk_ack(nmea("GPGGA,1").decode()) is None


# ------------------------------------------------------------------ fake receiver


class FakeReceiver:
    """A receiver on a pty master: streams NMEA, parses and answers setup commands."""

    def __init__(self, kind: str, nak: frozenset[int] = frozenset()) -> None:
        self.kind, self.nak = kind, nak
        self.master, slave = os.openpty()
        tty.setraw(slave)
        self.path = os.ttyname(slave)
        self._slave = slave
        self.rate_ms = 1000
        self.dyn_model: int | None = None
        self.static_hold_cm_s: int | None = None
        self.baud = 9600
        self.sentences: str | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._stop.set()
        self._thread.join()
        os.close(self.master)
        os.close(self._slave)

    def _answer_ubx(self, m) -> bytes:  # type: ignore[no-untyped-def]
        ok = m.msg_id not in self.nak
        if m.msg_id == ID_CFG_RATE and len(m.payload) == 6 and ok:
            self.rate_ms = struct.unpack_from("<H", m.payload)[0]
        elif m.msg_id == ID_CFG_NAV5 and len(m.payload) == 36 and ok:
            mask, dyn = struct.unpack_from("<HB", m.payload)
            if mask & 1:
                self.dyn_model = dyn
            if mask & 0x40:
                self.static_hold_cm_s = m.payload[22]
        elif m.msg_id == ID_CFG_PRT and len(m.payload) == 20:
            self.baud = struct.unpack_from("<I", m.payload, 8)[0]
            return b""  # switches at once; the ACK goes out at the new speed and is lost
        else:
            ok = False
        return ubx_frame(CLS_ACK, ID_ACK_ACK if ok else ID_ACK_NAK, bytes((CLS_CFG, m.msg_id)))

    def _answer_pmtk(self, line: str) -> bytes:
        body = line[1:].split("*")[0].split(",")
        cmd = int(body[0][4:])
        if cmd == 251:
            self.baud = int(body[1])
            return b""
        if cmd == 220:
            self.rate_ms = int(body[1])
        elif cmd == 314:
            self.sentences = ",".join(body[1:])
        flag = 3 if cmd in (220, 314, 386) else 1  # an MT3339: PMTK397 is unsupported
        return nmea(f"PMTK001,{cmd},{flag}")

    def _run(self) -> None:
        scanner, framer = UbxScanner(), LineFramer()
        k = 0
        while not self._stop.wait(0.02):
            out = nmea(f"GPRMC,1200{k % 60:02d}.00,A,4404.1306,N,12118.8515,W,0.1,0,130415,,,A")
            k += 1
            try:
                while select.select([self.master], [], [], 0)[0]:
                    data = os.read(self.master, 4096)
                    if self.kind == "ublox":
                        for m in scanner.feed(data):
                            out += self._answer_ubx(m)
                    elif self.kind == "mtk":
                        for line in framer.feed(data):
                            if line.startswith("$PMTK"):
                                out += self._answer_pmtk(line)
                os.write(self.master, out)
            except OSError:
                return


@pytest.fixture
def port_to():
    opened = []

    def make(rx: FakeReceiver):
        p = serial.Serial(rx.path, 9600, timeout=0.02)
        opened.append((p, rx))
        return p

    yield make
    for p, rx in opened:
        p.close()
        rx.close()


def test_ublox_setup_is_acknowledged_and_takes_effect(port_to) -> None:
    rx = FakeReceiver("ublox")
    results = configure_ublox(port_to(rx), rate_hz=5.0, baudrate=115200)
    assert [(r.name, r.acked) for r in results] == [
        ("UBX-CFG-RATE", True),
        ("UBX-CFG-NAV5", True),
        ("UBX-CFG-PRT", True),
    ]
    assert (rx.rate_ms, rx.dyn_model, rx.static_hold_cm_s, rx.baud) == (200, 3, 0, 115200)


def test_ublox_nak_is_reported(port_to) -> None:
    rx = FakeReceiver("ublox", nak=frozenset({ID_CFG_NAV5}))
    results = configure_ublox(port_to(rx), rate_hz=5.0)
    assert [(r.acked, r.detail) for r in results] == [(True, "ACK"), (False, "NAK")]
    assert rx.dyn_model is None


def test_mediatek_setup_checks_each_pmtk001(port_to) -> None:
    rx = FakeReceiver("mtk")
    results = configure_mediatek(port_to(rx), rate_hz=5.0, baudrate=115200)
    assert [(r.name, r.acked, r.detail) for r in results] == [
        ("PMTK314", True, "OK"),
        ("PMTK220", True, "OK"),
        ("PMTK397", False, "UNSUPPORTED"),
        ("PMTK386", True, "OK"),
        ("PMTK251", True, "NMEA at 115200 baud"),
    ]
    assert (rx.rate_ms, rx.baud) == (200, 115200)
    assert rx.sentences is not None and rx.sentences.startswith("0,1,0,1,")


def test_plain_nmea_receiver_gives_no_answers(port_to) -> None:
    rx = FakeReceiver("plain")
    port = port_to(rx)
    results = configure_ublox(port, rate_hz=5.0, baudrate=115200, timeout_s=0.3)
    assert [r.acked for r in results] == [None, None, None]
    assert "skipped" in results[-1].detail and port.baudrate == 9600  # port not moved away


def test_probing_a_mediatek_as_ublox_first_leaves_it_configurable(port_to) -> None:
    rx = FakeReceiver("mtk")
    port = port_to(rx)
    assert [r.acked for r in configure_ublox(port, baudrate=115200, timeout_s=0.3)] == [
        None,
        None,
        None,
    ]
    results = configure_mediatek(port, rate_hz=5.0, baudrate=115200)
    assert results[-1].acked is True and (rx.rate_ms, rx.baud) == (200, 115200)
