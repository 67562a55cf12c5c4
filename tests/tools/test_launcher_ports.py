"""Issue 23, item 6: ``make run`` or ``make demo`` while another platform holds a port says so —
which port, for what, and which variable moves it — before anything starts, in one line (it
once ended a 40-line traceback with "the API key is unknown or revoked"); and the demo says a
first start takes minutes only on a first start."""

from __future__ import annotations

import socket
import subprocess
import sys

from vbptools.embedded import free_port_block
from vbptools.launcher import PlatformSettings, demo_banner, ports_taken


def test_a_free_set_of_ports_is_fine_and_a_taken_one_is_named_with_its_variable(tmp_path):
    first = free_port_block(6)
    settings = PlatformSettings(data_dir=tmp_path, gateway_port=first, first_service_port=first + 1,
                                kafka_port=first + 5)
    assert ports_taken(settings) is None
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", first + 2))
        holder.listen()
        said = ports_taken(settings)
    assert said is not None and f"port {first + 2} (contracts)" in said and "VBP_FIRST_SERVICE_PORT" in said


def test_the_launcher_stops_at_once_with_one_line(tmp_path):
    first = free_port_block(6)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", first))
        holder.listen()
        done = subprocess.run([sys.executable, "-m", "vbptools.launcher"], capture_output=True, text=True, timeout=60,
                              env={"PATH": "/usr/bin:/bin", "VBP_GATEWAY_PORT": str(first),
                                   "VBP_FIRST_SERVICE_PORT": str(first + 1), "VBP_KAFKA_PORT": str(first + 5),
                                   "VBP_DATA_DIR": str(tmp_path / "data")})
    assert done.returncode == 1, done
    assert done.stderr.strip() == (f"vbp: port {first} (the gateway) on 127.0.0.1 is taken — is the platform already "
                                   "running (make run or make demo)? Stop it, or set VBP_GATEWAY_PORT to another port")
    assert "Traceback" not in done.stdout + done.stderr and not (tmp_path / "data").exists()


def test_the_demo_says_a_first_start_takes_minutes_only_on_a_first_start(tmp_path):
    assert "a first start takes a few minutes" in demo_banner(tmp_path)
    (tmp_path / "demo-keys.json").write_text("{}")
    assert "first start" not in demo_banner(tmp_path) and "told before" in demo_banner(tmp_path)
