"""``pacer sensors scan`` and ``pacer sensors pair [ADDRESS]``: Bluetooth heart-rate straps.

``scan`` lists straps advertising the Heart Rate service (0x180D), strongest first.
``pair`` remembers one (the given address, or the strongest one a scan finds) in
``sensors.toml`` beside the user config; ``pacer run`` connects to it. docs/bluetooth.md.
bleak is imported inside ``run`` only.
"""

from __future__ import annotations

import argparse

from pacer.cli.argtypes import positive_float


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "sensors",
        help="find and pair Bluetooth heart-rate straps",
        description="Scan for Bluetooth LE heart-rate straps (service 0x180D) and remember "
        "one for pacer run. Needs BlueZ (bluetoothd) and the bluetooth extra "
        "(pip install 'pacer[bluetooth]'). See docs/bluetooth.md.",
    )
    sub = parser.add_subparsers(dest="sensors_command", metavar="ACTION", required=True)
    for name, text in (("scan", "list heart-rate straps in range, strongest first"),
                       ("pair", "remember a strap (ADDRESS, or the strongest one found)")):
        p = sub.add_parser(name, help=text, description=text)
        if name == "pair":
            p.add_argument("address", nargs="?", metavar="ADDRESS",
                           help="the strap's address, e.g. C0:FF:EE:00:18:0D")
        p.add_argument("--timeout", type=positive_float, default=10.0, metavar="S",
                       help="how long to scan, s (default: 10)")
        p.add_argument("--adapter", default=None, metavar="NAME",
                       help="Bluetooth adapter, e.g. hci0 (default: BlueZ's default)")
    parser.set_defaults(func=run)


def _bleak_missing() -> bool:
    import importlib.util

    return importlib.util.find_spec("bleak") is None


def run(args: argparse.Namespace) -> int:
    from pacer.ble.pairing import PairedStrap, normalise_address, remember_strap
    from pacer.errors import DeviceError

    address = getattr(args, "address", None)
    if args.sensors_command == "pair" and address:
        path = remember_strap(PairedStrap(normalise_address(address)))
        print(f"paired {normalise_address(address)} (saved in {path})")
        return 0
    if _bleak_missing():
        raise DeviceError("bleak is not installed: pip install 'pacer[bluetooth]'")
    from pacer.ble.strap import scan_heart_rate_straps

    found = scan_heart_rate_straps(args.timeout, args.adapter)
    if args.sensors_command == "scan":
        if not found:
            print(f"no heart-rate strap seen in {args.timeout:g} s "
                  "(wet the strap's electrodes and put it on: most only advertise when worn)")
            return 1
        for s in found:
            rssi = f"{s.rssi_dbm} dBm" if s.rssi_dbm is not None else "?"
            print(f"{s.address}  {rssi:>8}  {s.name}")
        return 0
    if not found:
        raise DeviceError(f"no heart-rate strap seen in {args.timeout:g} s: wear it and retry")
    best = found[0]
    path = remember_strap(PairedStrap(best.address, best.name))
    print(f"paired {best.address} {best.name} (saved in {path})")
    return 0
