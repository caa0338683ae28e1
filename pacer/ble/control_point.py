"""SC Control Point (0x2A55) of the Running Speed and Cadence service. Pure.

A watch writes a request (op code + parameter); the sensor answers with an indication
``0x10, request op code, response value[, response parameter]``. Some Garmin watches will
not pair with a footpod that lacks this characteristic, so pacer's footpod carries it and
answers: Set Cumulative Value (total distance restarts from the value written), Update
Sensor Location and Request Supported Sensor Locations; calibration is refused as
"op code not supported", which the RSC service allows.
"""

from __future__ import annotations

import enum
import struct
from dataclasses import dataclass

from pacer.ble.gatt_codec import DISTANCE_UNITS_PER_M, SensorLocation, payload_error
from pacer.errors import InputError

_WHAT = "SC control point 0x2A55"


class OpCode(enum.IntEnum):
    """SC Control Point op codes."""

    SET_CUMULATIVE_VALUE = 0x01
    START_SENSOR_CALIBRATION = 0x02
    UPDATE_SENSOR_LOCATION = 0x03
    REQUEST_SUPPORTED_SENSOR_LOCATIONS = 0x04
    RESPONSE_CODE = 0x10


class ResponseValue(enum.IntEnum):
    """SC Control Point response values."""

    SUCCESS = 0x01
    OP_CODE_NOT_SUPPORTED = 0x02
    INVALID_PARAMETER = 0x03
    OPERATION_FAILED = 0x04


@dataclass(frozen=True)
class ControlPointRequest:
    """A request written to the control point.

    Attributes
    ----------
    op_code : int
        The op code as written (may be one pacer does not know).
    total_distance_m : float or None
        For Set Cumulative Value: the new total distance, m (sent in 1/10 m).
    sensor_location : int or None
        For Update Sensor Location: the location value as written.
    raw_parameter : bytes
        The parameter bytes as written.
    """

    op_code: int
    total_distance_m: float | None = None
    sensor_location: int | None = None
    raw_parameter: bytes = b""


@dataclass(frozen=True)
class ControlPointResponse:
    """A control point indication: the request's op code, a result and a parameter."""

    request_op_code: int
    response_value: ResponseValue
    supported_locations: tuple[SensorLocation, ...] = ()


def encode_request(op_code: OpCode, *, total_distance_m: float | None = None,
                   sensor_location: SensorLocation | None = None) -> bytes:
    """Encode a request as a watch writes it (for tests and for configuring real pods)."""
    body = b""
    if op_code is OpCode.SET_CUMULATIVE_VALUE:
        if total_distance_m is None or not 0 <= total_distance_m * DISTANCE_UNITS_PER_M < 2**32:
            raise InputError(f"{_WHAT}: set cumulative value needs 0 <= total_distance_m "
                             f"< 429496729.6, got {total_distance_m}")
        body = struct.pack("<I", int(round(total_distance_m * DISTANCE_UNITS_PER_M)))
    elif op_code is OpCode.UPDATE_SENSOR_LOCATION:
        if sensor_location is None:
            raise InputError(f"{_WHAT}: update sensor location needs a sensor_location")
        body = bytes([int(sensor_location)])
    return bytes([int(op_code)]) + body


def decode_request(payload: bytes) -> ControlPointRequest:
    """Decode a written request. Unknown op codes decode (the answer says unsupported);
    a known op code with a parameter of the wrong length raises.

    Raises
    ------
    InputError
        Empty payload, or a parameter of the wrong length for its op code.
    """
    data = bytes(payload)
    if not data:
        raise payload_error(_WHAT, data, "empty request")
    op, param = data[0], data[1:]
    if op == OpCode.SET_CUMULATIVE_VALUE:
        if len(param) != 4:
            raise payload_error(_WHAT, data,
                                f"set cumulative value takes 4 bytes, got {len(param)}")
        units = struct.unpack("<I", param)[0]
        return ControlPointRequest(op, total_distance_m=units / DISTANCE_UNITS_PER_M,
                                   raw_parameter=param)
    if op == OpCode.UPDATE_SENSOR_LOCATION:
        if len(param) != 1:
            raise payload_error(_WHAT, data,
                                f"update sensor location takes 1 byte, got {len(param)}")
        return ControlPointRequest(op, sensor_location=param[0], raw_parameter=param)
    if op in (OpCode.REQUEST_SUPPORTED_SENSOR_LOCATIONS, OpCode.START_SENSOR_CALIBRATION):
        if param:
            raise payload_error(_WHAT, data, f"op code 0x{op:02x} takes no parameter")
    return ControlPointRequest(op, raw_parameter=param)


def encode_response(response: ControlPointResponse) -> bytes:
    """Encode the indication: ``0x10, request op code, response value[, locations...]``."""
    out = bytes([OpCode.RESPONSE_CODE, response.request_op_code & 0xFF,
                 int(response.response_value)])
    return out + bytes(int(loc) for loc in response.supported_locations)


def decode_response(payload: bytes) -> ControlPointResponse:
    """Decode a control point indication (what a watch receives).

    Raises
    ------
    InputError
        Shorter than 3 bytes, not a response op code, an unknown response value, or
        unknown sensor locations in the parameter.
    """
    data = bytes(payload)
    if len(data) < 3:
        raise payload_error(_WHAT, data, f"a response takes at least 3 bytes, got {len(data)}")
    if data[0] != OpCode.RESPONSE_CODE:
        raise payload_error(_WHAT, data, f"op code 0x{data[0]:02x} is not the response code 0x10")
    try:
        value = ResponseValue(data[2])
        locations = tuple(SensorLocation(b) for b in data[3:])
    except ValueError as exc:
        raise payload_error(_WHAT, data, str(exc)) from None
    if locations and data[1] != OpCode.REQUEST_SUPPORTED_SENSOR_LOCATIONS:
        raise payload_error(_WHAT, data, "only a supported-locations response carries locations")
    return ControlPointResponse(data[1], value, locations)


@dataclass(frozen=True)
class FootpodState:
    """What the control point can change on pacer's footpod.

    Attributes
    ----------
    distance_offset_m : float
        Added to pacer's session distance to give the RSC total distance, m.
    sensor_location : SensorLocation
        The location reported by 0x2A5D.
    supported_locations : tuple of SensorLocation
        Locations a watch may choose from.
    """

    distance_offset_m: float = 0.0
    sensor_location: SensorLocation = SensorLocation.HIP
    supported_locations: tuple[SensorLocation, ...] = (
        SensorLocation.HIP, SensorLocation.IN_SHOE, SensorLocation.TOP_OF_SHOE,
        SensorLocation.OTHER)


def handle_request(payload: bytes, state: FootpodState, *,
                   session_distance_m: float) -> tuple[ControlPointResponse, FootpodState]:
    """Answer one control point write.

    Parameters
    ----------
    payload : bytes
        The bytes the watch wrote.
    state : FootpodState
        The footpod's state before the write.
    session_distance_m : float
        pacer's distance at the time of the write, m (Set Cumulative Value makes the
        reported total equal the written value from now on).

    Returns
    -------
    (ControlPointResponse, FootpodState)
        The indication to send and the state after the write. A malformed parameter
        answers "invalid parameter" instead of raising: a watch must always get a reply.
    """
    if not payload:
        return ControlPointResponse(0, ResponseValue.OP_CODE_NOT_SUPPORTED), state
    try:
        req = decode_request(payload)
    except InputError:
        return ControlPointResponse(payload[0], ResponseValue.INVALID_PARAMETER), state
    ok = ResponseValue.SUCCESS
    if req.op_code == OpCode.SET_CUMULATIVE_VALUE and req.total_distance_m is not None:
        offset_m = req.total_distance_m - session_distance_m
        new = FootpodState(offset_m, state.sensor_location, state.supported_locations)
        return ControlPointResponse(req.op_code, ok), new
    if req.op_code == OpCode.UPDATE_SENSOR_LOCATION:
        if req.sensor_location not in [int(loc) for loc in state.supported_locations]:
            return ControlPointResponse(req.op_code, ResponseValue.INVALID_PARAMETER), state
        new = FootpodState(state.distance_offset_m, SensorLocation(req.sensor_location or 0),
                           state.supported_locations)
        return ControlPointResponse(req.op_code, ok), new
    if req.op_code == OpCode.REQUEST_SUPPORTED_SENSOR_LOCATIONS:
        return ControlPointResponse(req.op_code, ok, state.supported_locations), state
    return ControlPointResponse(req.op_code, ResponseValue.OP_CODE_NOT_SUPPORTED), state
