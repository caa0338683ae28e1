"""GATT payloads: known answers from the Bluetooth field layouts, round trips, malformed input."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pacer.ble import control_point as cp
from pacer.ble.gatt_codec import (
    HeartRateMeasurement,
    RscFeature,
    RscMeasurement,
    SensorLocation,
    decode_heart_rate,
    decode_rsc_feature,
    decode_rsc_measurement,
    decode_sensor_location,
    encode_heart_rate,
    encode_rsc_feature,
    encode_rsc_measurement,
    uuid16_to_str,
)
from pacer.errors import InputError


def test_uuid16_expands_on_the_base_uuid() -> None:
    assert uuid16_to_str(0x180D) == "0000180d-0000-1000-8000-00805f9b34fb"


# --- Heart Rate Measurement 0x2A37: flags | HR (u8 or u16) | energy u16 | RR u16...
@pytest.mark.parametrize("payload, expected", [
    (bytes([0x00, 72]), HeartRateMeasurement(72)),
    (bytes([0x01, 0x2C, 0x01]), HeartRateMeasurement(300)),          # 16-bit format
    (bytes([0x06, 150]), HeartRateMeasurement(150, True, True)),      # contact detected
    (bytes([0x04, 150]), HeartRateMeasurement(150, True, False)),     # supported, lost
    (bytes([0x02, 150]), HeartRateMeasurement(150, False, None)),     # bit1 alone: no info
    (bytes([0x08, 140, 0x34, 0x12]), HeartRateMeasurement(140, energy_expended_kj=0x1234)),
    (bytes([0x10, 160, 0x00, 0x04, 0x00, 0x02]),                      # 1024 -> 1 s, 512
     HeartRateMeasurement(160, rr_intervals_s=(1.0, 0.5))),
    (bytes([0x1F, 0xA0, 0x00, 0x0A, 0x00, 0x80, 0x01]),               # everything, 16-bit
     HeartRateMeasurement(160, True, True, 10, (384 / 1024,))),
    (bytes([0x10, 60]), HeartRateMeasurement(60)),                    # RR flag, no interval
])
def test_heart_rate_known_answers(payload: bytes, expected: HeartRateMeasurement) -> None:
    assert decode_heart_rate(payload) == expected


@pytest.mark.parametrize("payload, problem", [
    (b"", "empty"),
    (bytes([0x01, 0x50]), "needs 3"),
    (bytes([0x08, 140, 0x01]), "energy"),
    (bytes([0x10, 140, 0x01, 0x02, 0x03]), "2 bytes each"),
    (bytes([0x00, 140, 0x01]), "after the last field"),
])
def test_malformed_heart_rate_raises_one_line_input_error(payload: bytes, problem: str) -> None:
    with pytest.raises(InputError, match=problem) as exc:
        decode_heart_rate(payload)
    assert isinstance(exc.value, ValueError)
    assert "0x2A37" in str(exc.value) and "\n" not in str(exc.value)


rr_s = st.integers(0, 0xFFFF).map(lambda u: u / 1024)


@given(st.builds(
    HeartRateMeasurement,
    heart_rate_bpm=st.integers(0, 0xFFFF),
    sensor_contact_supported=st.booleans(),
    sensor_contact_detected=st.booleans(),
    energy_expended_kj=st.none() | st.integers(0, 0xFFFF),
    rr_intervals_s=st.lists(rr_s, max_size=9).map(tuple),
))
def test_heart_rate_round_trip(m: HeartRateMeasurement) -> None:
    back = decode_heart_rate(encode_heart_rate(m))
    detected = m.sensor_contact_detected if m.sensor_contact_supported else None
    assert back == HeartRateMeasurement(m.heart_rate_bpm, m.sensor_contact_supported, detected,
                                        m.energy_expended_kj, m.rr_intervals_s)


@given(st.binary(max_size=24))
def test_any_bytes_decode_or_raise_input_error(data: bytes) -> None:
    for decode in (decode_heart_rate, decode_rsc_measurement, decode_rsc_feature,
                   decode_sensor_location, cp.decode_request, cp.decode_response):
        try:
            decode(data)
        except InputError:
            pass


# --- RSC Measurement 0x2A53: flags | speed u16 1/256 m/s | cadence u8 1/min |
#     stride u16 1/100 m | distance u32 1/10 m
def test_rsc_known_answer_all_fields() -> None:
    m = RscMeasurement(speed_mps=4.0, cadence_spm=180, stride_length_m=1.33,
                       total_distance_m=1234.5, running=True)
    assert encode_rsc_measurement(m) == bytes(
        [0x07, 0x00, 0x04, 180, 0x85, 0x00, 0x39, 0x30, 0x00, 0x00])
    assert decode_rsc_measurement(encode_rsc_measurement(m)) == m


def test_rsc_known_answer_speed_and_cadence_only_walking() -> None:
    m = RscMeasurement(speed_mps=1.5, cadence_spm=110, running=False)
    assert encode_rsc_measurement(m) == bytes([0x00, 0x80, 0x01, 110])


def test_rsc_flags_follow_the_fields_given() -> None:
    assert encode_rsc_measurement(RscMeasurement(3.0, 170, stride_length_m=1.0))[0] == 0x05
    assert encode_rsc_measurement(RscMeasurement(3.0, 170, total_distance_m=5.0))[0] == 0x06


@given(speed=st.integers(0, 0xFFFF), cadence=st.integers(0, 255),
       stride=st.none() | st.integers(0, 0xFFFF), dist=st.none() | st.integers(0, 2**32 - 1),
       running=st.booleans())
def test_rsc_round_trip_in_wire_units(speed: int, cadence: int, stride: int | None,
                                      dist: int | None, running: bool) -> None:
    m = RscMeasurement(speed / 256, cadence, None if stride is None else stride / 100,
                       None if dist is None else dist / 10, running)
    assert decode_rsc_measurement(encode_rsc_measurement(m)) == m


@pytest.mark.parametrize("m, problem", [
    (RscMeasurement(-0.1, 170), "speed"),
    (RscMeasurement(256.0, 170), "speed"),
    (RscMeasurement(3.0, 256), "cadence"),
    (RscMeasurement(3.0, 170, stride_length_m=700.0), "stride"),
    (RscMeasurement(float("nan"), 170), "finite"),
])
def test_rsc_encode_refuses_values_that_do_not_fit(m: RscMeasurement, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        encode_rsc_measurement(m)


@pytest.mark.parametrize("payload", [b"", bytes([0x00, 1, 2]), bytes([0x01, 0, 4, 170]),
                                     bytes([0x02, 0, 4, 170, 1, 2, 3]), bytes([0, 0, 4, 170, 9])])
def test_rsc_decode_refuses_length_that_flags_do_not_announce(payload: bytes) -> None:
    with pytest.raises(InputError, match="0x2A53"):
        decode_rsc_measurement(payload)


def test_rsc_feature_and_sensor_location() -> None:
    feats = RscFeature.STRIDE_LENGTH | RscFeature.TOTAL_DISTANCE | RscFeature.RUNNING_STATUS
    assert encode_rsc_feature(feats) == b"\x07\x00"
    assert decode_rsc_feature(b"\x1f\x00") == RscFeature(0x1F)
    assert decode_sensor_location(b"\x03") is SensorLocation.HIP
    assert int(SensorLocation.CHEST) == 14 and int(SensorLocation.IN_SHOE) == 2
    with pytest.raises(InputError, match="unknown location 17"):
        decode_sensor_location(b"\x11")
    with pytest.raises(InputError, match="expected 2"):
        decode_rsc_feature(b"\x01")


# --- SC Control Point 0x2A55
def test_control_point_set_cumulative_value() -> None:
    req = cp.encode_request(cp.OpCode.SET_CUMULATIVE_VALUE, total_distance_m=100.0)
    assert req == bytes([0x01, 0xE8, 0x03, 0x00, 0x00])
    resp, state = cp.handle_request(req, cp.FootpodState(), session_distance_m=40.0)
    assert cp.encode_response(resp) == bytes([0x10, 0x01, 0x01])
    assert state.distance_offset_m == pytest.approx(60.0)


def test_control_point_supported_locations_and_update() -> None:
    state = cp.FootpodState()
    resp, _ = cp.handle_request(b"\x04", state, session_distance_m=0.0)
    assert cp.encode_response(resp) == bytes([0x10, 0x04, 0x01, 3, 2, 1, 0])
    assert cp.decode_response(cp.encode_response(resp)) == resp
    resp, new = cp.handle_request(b"\x03\x02", state, session_distance_m=0.0)
    assert resp.response_value is cp.ResponseValue.SUCCESS
    assert new.sensor_location is SensorLocation.IN_SHOE
    resp, same = cp.handle_request(b"\x03\x0e", state, session_distance_m=0.0)
    assert resp.response_value is cp.ResponseValue.INVALID_PARAMETER and same == state


@pytest.mark.parametrize("payload, answer", [
    (b"\x02", bytes([0x10, 0x02, 0x02])),           # calibration: not supported
    (b"\x7f", bytes([0x10, 0x7F, 0x02])),           # unknown op code
    (b"\x01\x00", bytes([0x10, 0x01, 0x03])),       # cut parameter: invalid parameter
    (b"\x04\x00", bytes([0x10, 0x04, 0x03])),
])
def test_control_point_always_answers(payload: bytes, answer: bytes) -> None:
    resp, _ = cp.handle_request(payload, cp.FootpodState(), session_distance_m=0.0)
    assert cp.encode_response(resp) == answer


def test_control_point_response_decode_errors() -> None:
    with pytest.raises(InputError, match="response code"):
        cp.decode_response(bytes([0x01, 0x01, 0x01]))
    with pytest.raises(InputError, match="at least 3"):
        cp.decode_response(b"\x10\x01")
