"""``tuicloud-sim``: serve simcloud on 127.0.0.1 until interrupted."""

from __future__ import annotations

import argparse
import gc
import signal
import ssl
import sys
import threading
from pathlib import Path

from tuicloud.simcloud import Faults, SimConfig, latency, run_simcloud


def _non_negative_int(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError("must be >= 0")
    return value


def _rate(text: str) -> float:
    value = float(text)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The command line of tuicloud-sim."""
    parser = argparse.ArgumentParser(
        prog="tuicloud-sim",
        description="A simulated OpenStack (Keystone, Nova, Glance, Cinder, Neutron, Placement) "
                    "on 127.0.0.1.")
    parser.add_argument("--port", type=_non_negative_int, default=0,
                        help="port on 127.0.0.1 (0 = a free port)")
    parser.add_argument("--servers", type=_non_negative_int, default=50)
    parser.add_argument("--volumes", type=_non_negative_int, default=20)
    parser.add_argument("--images", type=_non_negative_int, default=10)
    parser.add_argument("--objects", type=_non_negative_int, default=0,
                        help="generated objects in a container named 'many' (no files)")
    parser.add_argument("--seed", type=int, default=42, help="seed for the generated data")
    parser.add_argument("--build-delay", type=float, default=2.0,
                        help="seconds a new server stays in BUILD")
    parser.add_argument("--clouds-yaml", type=Path,
                        help="write a clouds.yaml with clouds 'simcloud' and 'simcloud-admin'")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds added to every request")
    parser.add_argument("--costs", choices=("fast", "measured"), default="fast",
                        help="'measured': answer as slowly as the rig's services do (per request "
                             "and per listed item, see simcloud/latency.py); 'fast': at once")
    parser.add_argument("--error-rate", type=_rate, default=0.0,
                        help="fraction of requests answered 500/503")
    parser.add_argument("--churn", type=_rate, default=0.0,
                        help="fraction of ACTIVE servers flipped to/from rebooting per interval")
    parser.add_argument("--churn-interval", type=float, default=5.0,
                        help="seconds between churn steps")
    parser.add_argument("--token-ttl", type=float, default=3600.0,
                        help="token lifetime in seconds")
    parser.add_argument("--tls-cert", type=Path, metavar="PEM",
                        help="serve HTTPS with this certificate (needs --tls-key)")
    parser.add_argument("--tls-key", type=Path, metavar="PEM",
                        help="the private key of --tls-cert")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run until SIGINT/SIGTERM."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if (args.tls_cert is None) != (args.tls_key is None):
        parser.error("--tls-cert and --tls-key go together")
    tls = (args.tls_cert, args.tls_key) if args.tls_cert else None
    config = SimConfig(servers=args.servers, volumes=args.volumes, images=args.images,
                       objects=args.objects, seed=args.seed, build_delay=args.build_delay)
    faults = Faults(latency={"*": args.latency} if args.latency else {},
                    error_rate=args.error_rate, token_ttl=args.token_ttl)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with run_simcloud(config, faults, port=args.port, clouds_yaml=args.clouds_yaml,
                          tls=tls) as sim:
            if args.costs == "measured":
                latency.install(sim.cloud, latency.measured())
            if args.churn:
                sim.cloud.service("compute").start_churn(args.churn, args.churn_interval)
            # The made-up cloud (50,000 servers: a million objects) lives as long as the
            # process: out of the collector's sight, a full collection no longer walks it,
            # which stalled an answer by ~0.1 s every second of a long list.
            gc.freeze()
            print(sim.auth_url, flush=True)
            if args.clouds_yaml:
                print(f"clouds.yaml written to {args.clouds_yaml}", file=sys.stderr, flush=True)
            try:
                stop.wait()
            except KeyboardInterrupt:
                pass
    except ssl.SSLError as exc:
        print(f"tuicloud-sim: cannot use the TLS certificate or key: {exc.reason or exc}",
              file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"tuicloud-sim: cannot serve on 127.0.0.1:{args.port}: {exc.strerror or exc}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
