"""The footpod's D-Bus objects for BlueZ: a GATT application and an LE advertisement. IO edge.

Imported only by :mod:`pacer.ble.footpod` inside its own thread (dbus-fast is a device
library: never loaded by the core or at CLI start). Objects follow BlueZ's
``doc/org.bluez.GattService.rst``, ``org.bluez.GattCharacteristic.rst`` and
``org.bluez.LEAdvertisement.rst``:

``/org/pacer/footpod``                     the application (ObjectManager, by dbus-fast)
``/org/pacer/footpod/service0``            GattService1 0x1814 (Running Speed and Cadence)
``.../service0/char0``                     0x2A53 RSC Measurement, notify
``.../service0/char1``                     0x2A54 RSC Feature, read
``.../service0/char2``                     0x2A5D Sensor Location, read
``.../service0/char3``                     0x2A55 SC Control Point, write + indicate
``/org/pacer/footpod/advertisement0``      LEAdvertisement1 listing 0x1814

Return and argument types carry their D-Bus signatures (``typing.Annotated``, dbus-fast
>= 4 reads them), so this module does not use ``from __future__ import annotations``.
"""

from collections.abc import Callable
from typing import Annotated

from dbus_fast import PropertyAccess
from dbus_fast.annotations import (
    DBusBool,
    DBusBytes,
    DBusDict,
    DBusObjectPath,
    DBusSignature,
    DBusStr,
    DBusUInt16,
)
from dbus_fast.errors import DBusError
from dbus_fast.service import ServiceInterface, dbus_property, method

from pacer.ble.gatt_codec import (
    RSC_FEATURE,
    RSC_MEASUREMENT,
    RSC_SERVICE,
    SC_CONTROL_POINT,
    SENSOR_LOCATION,
    uuid16_to_str,
)

StrList = Annotated[list[str], DBusSignature("as")]
Options = DBusDict  # a{sv}: option name -> Variant

APP_PATH = "/org/pacer/footpod"
SERVICE_PATH = APP_PATH + "/service0"
ADVERTISEMENT_PATH = APP_PATH + "/advertisement0"
GATT_SERVICE_IFACE = "org.bluez.GattService1"
GATT_CHRC_IFACE = "org.bluez.GattCharacteristic1"
LE_ADVERTISEMENT_IFACE = "org.bluez.LEAdvertisement1"
#: Appearance "Running Walking Sensor: On Hip" (GAP Appearance values, category 0x011)
APPEARANCE_RSC_ON_HIP = 0x0443


class GattService(ServiceInterface):
    """org.bluez.GattService1 for the RSC service."""

    def __init__(self, uuid: str) -> None:
        super().__init__(GATT_SERVICE_IFACE)
        self._uuid = uuid

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Primary(self) -> DBusBool:
        return True


class GattCharacteristic(ServiceInterface):
    """org.bluez.GattCharacteristic1 holding a value; notify/indicate through ``Value``.

    Parameters
    ----------
    uuid16 : int
        Assigned number of the characteristic.
    flags : list of str
        BlueZ flags: ``read``, ``write``, ``notify``, ``indicate``.
    read : callable, optional
        Returns the current value for ReadValue.
    write : callable, optional
        Called with the written bytes; returns the bytes to indicate (or None).
    """

    def __init__(self, uuid16: int, flags: list[str], *,
                 read: Callable[[], bytes] | None = None,
                 write: Callable[[bytes], bytes | None] | None = None) -> None:
        super().__init__(GATT_CHRC_IFACE)
        self._uuid = uuid16_to_str(uuid16)
        self._flags = flags
        self._read = read
        self._write = write
        self._value = b""
        self.notifying = False

    @dbus_property(access=PropertyAccess.READ)
    def UUID(self) -> DBusStr:
        return self._uuid

    @dbus_property(access=PropertyAccess.READ)
    def Service(self) -> DBusObjectPath:
        return SERVICE_PATH

    @dbus_property(access=PropertyAccess.READ)
    def Flags(self) -> StrList:
        return self._flags

    @dbus_property(access=PropertyAccess.READ)
    def Value(self) -> DBusBytes:
        return self._value

    @dbus_property(access=PropertyAccess.READ)
    def Notifying(self) -> DBusBool:
        return self.notifying

    @method()
    def ReadValue(self, options: Options) -> DBusBytes:
        if self._read is None:
            raise DBusError("org.bluez.Error.NotPermitted", "read not permitted")
        self._value = self._read()
        return self._value

    @method()
    def WriteValue(self, value: DBusBytes, options: Options) -> None:
        if self._write is None:
            raise DBusError("org.bluez.Error.NotPermitted", "write not permitted")
        if "indicate" in self._flags and not self.notifying:
            # RSCS: a control point write without indications enabled is refused
            raise DBusError("org.bluez.Error.ImproperlyConfigured",
                            "client characteristic configuration improperly configured")
        answer = self._write(bytes(value))
        if answer is not None:
            self.send(answer)

    @method()
    def StartNotify(self) -> None:
        if not self.notifying:
            self.notifying = True
            self.emit_properties_changed({"Notifying": True})

    @method()
    def StopNotify(self) -> None:
        if self.notifying:
            self.notifying = False
            self.emit_properties_changed({"Notifying": False})

    def send(self, value: bytes) -> bool:
        """Notify or indicate ``value`` (bluetoothd forwards PropertiesChanged on Value)."""
        self._value = bytes(value)
        if not self.notifying:
            return False
        self.emit_properties_changed({"Value": self._value})
        return True


class Advertisement(ServiceInterface):
    """org.bluez.LEAdvertisement1: connectable, 0x1814 in the service UUIDs."""

    def __init__(self, local_name: str, appearance: int = APPEARANCE_RSC_ON_HIP) -> None:
        super().__init__(LE_ADVERTISEMENT_IFACE)
        self._local_name = local_name
        self._appearance = appearance
        self.released = False

    @dbus_property(access=PropertyAccess.READ)
    def Type(self) -> DBusStr:
        return "peripheral"

    @dbus_property(access=PropertyAccess.READ)
    def ServiceUUIDs(self) -> StrList:
        return [uuid16_to_str(RSC_SERVICE)]

    @dbus_property(access=PropertyAccess.READ)
    def LocalName(self) -> DBusStr:
        return self._local_name

    @dbus_property(access=PropertyAccess.READ)
    def Appearance(self) -> DBusUInt16:
        return self._appearance

    @dbus_property(access=PropertyAccess.READ)
    def Discoverable(self) -> DBusBool:
        return True

    @method()
    def Release(self) -> None:
        self.released = True


def characteristics(read_feature: Callable[[], bytes], read_location: Callable[[], bytes],
                    control_point: Callable[[bytes], bytes | None]
                    ) -> dict[str, GattCharacteristic]:
    """The four RSC characteristics by object path."""
    return {
        SERVICE_PATH + "/char0": GattCharacteristic(RSC_MEASUREMENT, ["notify"]),
        SERVICE_PATH + "/char1": GattCharacteristic(RSC_FEATURE, ["read"], read=read_feature),
        SERVICE_PATH + "/char2": GattCharacteristic(SENSOR_LOCATION, ["read"],
                                                    read=read_location),
        SERVICE_PATH + "/char3": GattCharacteristic(SC_CONTROL_POINT, ["write", "indicate"],
                                                    write=control_point),
    }
