"""A real `pulseboard serve` for the tests: started on a free loopback port, stopped by its pid."""

import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
CLIENT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def cli():
    """How to run the CLI: $PULSEBOARD_CLI, else the Release build (./test.sh builds it), else the ./pulseboard launcher."""
    if os.environ.get("PULSEBOARD_CLI"):
        return os.environ["PULSEBOARD_CLI"].split()
    built = os.path.join(REPO, "src", "Pulseboard.Cli", "bin", "Release", "net10.0", "pulseboard.dll")
    return ["dotnet", built] if os.path.exists(built) else [os.path.join(REPO, "pulseboard")]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One server process on ``data`` (a fresh folder unless given) and ``port``."""

    def __init__(self, port=None, data=None, tokens=None):
        self.port = port or free_port()
        self.url = "http://127.0.0.1:%d" % self.port
        self.data = data or tempfile.mkdtemp(prefix="pb-py-")
        self._output = open(os.path.join(self.data, "server-output.txt"), "ab")
        extra = []
        if tokens is not None:  # [{"name", "token", "dashboards"}], the server's tokens file
            extra = ["--tokens", os.path.join(self.data, "tokens.json")]
            with open(extra[1], "w") as file:
                json.dump(tokens, file)
        self.process = subprocess.Popen(
            cli() + ["serve", "--data", self.data, "--dashboards", os.path.join(REPO, "dashboards"), "--urls", self.url] + extra,
            stdout=self._output, stderr=subprocess.STDOUT)
        self._wait_healthy()

    def _wait_healthy(self, bound=60):
        deadline = time.monotonic() + bound
        while True:
            if self.process.poll() is not None:
                raise RuntimeError("the server exited with %s before /healthz answered; see %s" % (self.process.returncode, self.data))
            try:
                with urllib.request.urlopen(self.url + "/healthz", timeout=5) as answer:
                    if answer.status == 200:
                        return
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise TimeoutError("the server did not answer /healthz within %d s" % bound)
            time.sleep(0.05)  # polling the server's start-up, bounded: not a wait for the code under test

    def events(self):
        """Every event in the log, in seq order (the files are the log's own, read while it runs)."""
        events = []
        for segment in sorted(glob.glob(os.path.join(self.data, "events", "*.jsonl"))):
            with open(segment, "rb") as file:
                events.extend(json.loads(line) for line in file.read().splitlines() if line.strip())
        return events

    def stop(self):
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(30)
        self._output.close()

    def remove(self):
        self.stop()
        shutil.rmtree(self.data, ignore_errors=True)


def child(script, *args):
    """Starts ``python3 -c script`` with the client importable; stdin and stdout are pipes."""
    env = dict(os.environ, PYTHONPATH=CLIENT)
    return subprocess.Popen([sys.executable, "-c", script] + [str(a) for a in args], env=env, text=True,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
