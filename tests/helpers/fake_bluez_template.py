"""python-dbusmock template: a fake bluetoothd that behaves, for pacer's Bluetooth edge.

python-dbusmock's ``bluez5`` template (adapters, devices, advertising manager) extended
with what pacer talks to, shaped as BlueZ exposes it:

* a GATT sensor (``AddGattSensor``; a heart-rate strap advertises 0x180D and notifies
  0x2A37, an RSC footpod 0x1814 / 0x2A53): a Device1 advertising its service whose Connect
  resolves a GattService1 with one notifying GattCharacteristic1 at BlueZ's object paths
  (``.../dev_XX/service000c/char000d``); the test pushes values with ``NotifyValue`` and
  drops or blocks the link with ``DropLink`` / ``SetReachable``;
* GattManager1.RegisterApplication which, like bluetoothd, reads the application back
  from its owner with ObjectManager.GetManagedObjects before answering, and refuses an
  application without a GattService1;
* LEAdvertisingManager1.RegisterAdvertisement which reads the advertisement's
  properties from its owner (Properties.GetAll on org.bluez.LEAdvertisement1).

Tests reach the registered objects through ``GetGattApplications`` and
``GetAdvertisements`` (owner bus name, object path) and then talk to them over D-Bus as
a watch would through bluetoothd. Runs in the dbusmock process (dbus-python, GLib loop).
"""

# ruff: noqa: F403, F405

import ctypes
import ctypes.util

import dbus
import dbus.service
from dbusmock import mockobject
from dbusmock.templates import bluez5
from dbusmock.templates.bluez5 import *  # the mock methods come along with the module

BUS_NAME = "org.bluez"
MAIN_OBJ = "/"
SYSTEM_BUS = True
IS_OBJECT_MANAGER = True

GATT_SERVICE_IFACE = "org.bluez.GattService1"
GATT_CHRC_IFACE = "org.bluez.GattCharacteristic1"
GATT_MANAGER_IFACE = "org.bluez.GattManager1"
OM_IFACE = "org.freedesktop.DBus.ObjectManager"


ADVERTISING_INTERVAL_MS = 200

# dbusmock runs GLib's main loop through ctypes (no PyGObject): a GLib timeout makes every
# reachable, unconnected device advertise while its adapter is discovering, as real ones do
_glib = ctypes.CDLL(ctypes.util.find_library("glib-2.0") or "libglib-2.0.so.0")
_SOURCE_FUNC = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p)
_glib.g_timeout_add.argtypes = [ctypes.c_uint, _SOURCE_FUNC, ctypes.c_void_p]
_glib.g_timeout_add.restype = ctypes.c_uint


@_SOURCE_FUNC
def _advertising_tick(_data):
    for obj in list(mockobject.objects.values()):
        dev = obj.props.get(DEVICE_IFACE)
        if not dev or not getattr(obj, "reachable", True) or dev["Connected"]:
            continue
        adapter = mockobject.objects.get(str(dev["Adapter"]))
        if adapter is not None and adapter.props[ADAPTER_IFACE]["Discovering"]:
            _advertise(obj)
    return 1  # keep the timeout


def load(mock, parameters):
    bluez5.load(mock, parameters)
    _glib.g_timeout_add(ADVERTISING_INTERVAL_MS, _advertising_tick, None)


def _emit_changed(obj, iface, changed):
    obj.props.setdefault(iface, {}).update(changed)
    obj.EmitSignal(dbus.PROPERTIES_IFACE, "PropertiesChanged", "sa{sv}as", [iface, changed, []])


def _interfaces_added(path, interfaces):
    mockobject.objects["/"].EmitSignal(OM_IFACE, "InterfacesAdded", "oa{sa{sv}}",
                                       [dbus.ObjectPath(path), interfaces])


def _device(address):
    for path, obj in mockobject.objects.items():
        props = obj.props.get(DEVICE_IFACE, {})
        if str(props.get("Address", "")).upper() == address.upper():
            return path, obj
    raise dbus.exceptions.DBusException(f"no device {address}", name="org.bluez.Mock.NoSuchDevice")


def _advertise(device):
    """What a scanning adapter sees when a device advertises: fresh RSSI and UUIDs."""
    props = device.props[DEVICE_IFACE]
    # bluez5's AddDevice stores these two as arrays; bluetoothd sends dictionaries
    _emit_changed(device, DEVICE_IFACE, {
        "RSSI": dbus.Int16(-60), "UUIDs": props["UUIDs"],
        "ManufacturerData": dbus.Dictionary({}, signature="qv"),
        "ServiceData": dbus.Dictionary({}, signature="sv")})


# --- adapter: GATT and advertising managers that know their caller -----------------------

def _manager_methods():
    """GattManager1 / LEAdvertisingManager1 methods that know their caller (the sender)."""

    @dbus.service.method(GATT_MANAGER_IFACE, in_signature="oa{sv}", out_signature="",
                         sender_keyword="sender", async_callbacks=("ok", "err"))
    def RegisterApplication(adapter, app_path, options, sender=None, ok=None, err=None):
        def got(objects):
            services = [p for p, ifs in objects.items() if GATT_SERVICE_IFACE in ifs]
            if not services:
                err(dbus.exceptions.DBusException(
                    "No object received", name="org.bluez.Error.Failed"))
                return
            adapter.gatt_apps[(str(sender), str(app_path))] = objects
            ok()

        adapter.connection.call_async(
            sender, app_path, OM_IFACE, "GetManagedObjects", "", (), got,
            lambda e: err(dbus.exceptions.DBusException(str(e), name="org.bluez.Error.Failed")))

    @dbus.service.method(GATT_MANAGER_IFACE, in_signature="o", out_signature="",
                         sender_keyword="sender")
    def UnregisterApplication(adapter, app_path, sender=None):
        if adapter.gatt_apps.pop((str(sender), str(app_path)), None) is None:
            raise dbus.exceptions.DBusException("Does Not Exist",
                                                name="org.bluez.Error.DoesNotExist")

    @dbus.service.method(LE_ADVERTISING_MANAGER_IFACE, in_signature="oa{sv}", out_signature="",
                         sender_keyword="sender", async_callbacks=("ok", "err"))
    def RegisterAdvertisement(adapter, adv_path, options, sender=None, ok=None, err=None):
        def got(props):
            if str(props.get("Type", "")) not in ("peripheral", "broadcast"):
                err(dbus.exceptions.DBusException("Invalid Type",
                                                  name="org.bluez.Error.InvalidArguments"))
                return
            adapter.adverts[(str(sender), str(adv_path))] = props
            ok()

        adapter.connection.call_async(
            sender, adv_path, dbus.PROPERTIES_IFACE, "GetAll", "s",
            (LE_ADVERTISEMENT_IFACE,), got,
            lambda e: err(dbus.exceptions.DBusException(str(e), name="org.bluez.Error.Failed")))

    @dbus.service.method(LE_ADVERTISING_MANAGER_IFACE, in_signature="o", out_signature="",
                         sender_keyword="sender")
    def UnregisterAdvertisement(adapter, adv_path, sender=None):
        if adapter.adverts.pop((str(sender), str(adv_path)), None) is None:
            raise dbus.exceptions.DBusException("Does Not Exist",
                                                name="org.bluez.Error.DoesNotExist")

    return [(GATT_MANAGER_IFACE, RegisterApplication, "oa{sv}"),
            (GATT_MANAGER_IFACE, UnregisterApplication, "o"),
            (LE_ADVERTISING_MANAGER_IFACE, RegisterAdvertisement, "oa{sv}"),
            (LE_ADVERTISING_MANAGER_IFACE, UnregisterAdvertisement, "o")]


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature="ss", out_signature="s")
def AddAdapter(self, device_name, system_name):
    path = bluez5.AddAdapter(self, device_name, system_name)
    adapter = mockobject.objects[path]
    adapter.gatt_apps, adapter.adverts = {}, {}
    adapter.props.setdefault(GATT_MANAGER_IFACE, {})
    for iface, fn, in_sig in _manager_methods():
        adapter.methods.setdefault(iface, {})[fn.__name__] = (in_sig, "", "", fn)
    return path


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature="", out_signature="a(so)")
def GetGattApplications(self):
    return [(s, dbus.ObjectPath(p)) for o in list(mockobject.objects.values())
            for (s, p) in getattr(o, "gatt_apps", {})]


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature="", out_signature="a(so)")
def GetAdvertisements(self):
    return [(s, dbus.ObjectPath(p)) for o in list(mockobject.objects.values())
            for (s, p) in getattr(o, "adverts", {})]


# --- a sensor with one notifying characteristic (strap, footpod) -------------------------

def _sensor_connect(device):
    if not getattr(device, "reachable", True):
        raise dbus.exceptions.DBusException("le-connection-abort-by-local",
                                            name="org.bluez.Error.Failed")
    if device.props[DEVICE_IFACE]["Connected"]:
        raise dbus.exceptions.DBusException("Already Connected",
                                            name="org.bluez.Error.AlreadyConnected")
    device.connected = True
    _emit_changed(device, DEVICE_IFACE, {"Connected": dbus.Boolean(True)})
    svc_path = device.path + "/service000c"
    chrc_path = svc_path + "/char000d"
    if chrc_path not in mockobject.objects:
        svc = {"UUID": device.gatt_uuids[0], "Device": dbus.ObjectPath(device.path),
               "Primary": dbus.Boolean(True), "Includes": dbus.Array([], signature="o"),
               "Handle": dbus.UInt16(0x0C)}
        device.AddObject(svc_path, GATT_SERVICE_IFACE, svc, [])
        _interfaces_added(svc_path, {GATT_SERVICE_IFACE: svc})
        chrc = {"UUID": device.gatt_uuids[1], "Service": dbus.ObjectPath(svc_path),
                "Value": dbus.Array([], signature="y"), "Notifying": dbus.Boolean(False),
                "Flags": dbus.Array(["notify"], signature="s"), "Handle": dbus.UInt16(0x0D),
                "MTU": dbus.UInt16(23)}
        device.AddObject(chrc_path, GATT_CHRC_IFACE, chrc, [
            ("StartNotify", "", "", _start_notify),
            ("StopNotify", "", "", _stop_notify),
            ("ReadValue", "a{sv}", "ay", lambda c, _o: c.props[GATT_CHRC_IFACE]["Value"]),
        ])
        _interfaces_added(chrc_path, {GATT_CHRC_IFACE: chrc})
    device.sensor_chrc = mockobject.objects[chrc_path]
    _emit_changed(device, DEVICE_IFACE, {"ServicesResolved": dbus.Boolean(True)})


def _sensor_disconnect(device):
    if not device.props[DEVICE_IFACE]["Connected"]:
        raise dbus.exceptions.DBusException("Not Connected", name="org.bluez.Error.NotConnected")
    _link_down(device)


def _link_down(device):
    device.connected = False
    chrc = getattr(device, "sensor_chrc", None)
    if chrc is not None and chrc.props[GATT_CHRC_IFACE]["Notifying"]:
        _emit_changed(chrc, GATT_CHRC_IFACE, {"Notifying": dbus.Boolean(False)})
    _emit_changed(device, DEVICE_IFACE, {"ServicesResolved": dbus.Boolean(False)})
    _emit_changed(device, DEVICE_IFACE, {"Connected": dbus.Boolean(False)})


def _start_notify(chrc):
    _emit_changed(chrc, GATT_CHRC_IFACE, {"Notifying": dbus.Boolean(True)})


def _stop_notify(chrc):
    _emit_changed(chrc, GATT_CHRC_IFACE, {"Notifying": dbus.Boolean(False)})


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature="sssss", out_signature="s")
def AddGattSensor(self, adapter_name, address, name, service_uuid, characteristic_uuid):
    """A sensor advertising ``service_uuid`` that notifies ``characteristic_uuid``."""
    path = bluez5.AddDevice(self, adapter_name, address, name)
    device = mockobject.objects[path]
    device.gatt_uuids = (service_uuid, characteristic_uuid)
    device.props[DEVICE_IFACE]["UUIDs"] = dbus.Array([service_uuid], signature="s")
    device.props[DEVICE_IFACE]["Icon"] = dbus.String("")
    device.reachable = True
    device.AddMethod(DEVICE_IFACE, "Connect", "", "", _sensor_connect)
    device.AddMethod(DEVICE_IFACE, "Disconnect", "", "", _sensor_disconnect)
    adapter = mockobject.objects[str(device.props[DEVICE_IFACE]["Adapter"])]
    if adapter.props[ADAPTER_IFACE]["Discovering"]:
        _advertise(device)
    return path


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature="say", out_signature="b")
def NotifyValue(self, address, payload):
    """Send one notification from the sensor; False when nobody is subscribed."""
    _path, device = _device(address)
    chrc = getattr(device, "sensor_chrc", None)
    if chrc is None or not device.props[DEVICE_IFACE]["Connected"] \
            or not chrc.props[GATT_CHRC_IFACE]["Notifying"]:
        return False
    _emit_changed(chrc, GATT_CHRC_IFACE, {"Value": dbus.Array(payload, signature="y")})
    return True


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature="s", out_signature="")
def DropLink(self, address):
    """The sensor went out of range: the link drops as bluetoothd reports it."""
    _path, device = _device(address)
    if device.props[DEVICE_IFACE]["Connected"]:
        _link_down(device)


@dbus.service.method(BLUEZ_MOCK_IFACE, in_signature="sb", out_signature="")
def SetReachable(self, address, reachable):
    """Whether the sensor answers connections and is seen by a scan."""
    _path, device = _device(address)
    device.reachable = bool(reachable)
    adapter = mockobject.objects[str(device.props[DEVICE_IFACE]["Adapter"])]
    if reachable and adapter.props[ADAPTER_IFACE]["Discovering"]:
        _advertise(device)
