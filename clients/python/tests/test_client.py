"""The Python client against a real `pulseboard serve` on loopback."""

import asyncio
import json
import os
import signal
import socket
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import pulseboard  # noqa: E402
from support import REPO, Server, child, free_port  # noqa: E402

SERVER = None


def setUpModule():
    global SERVER
    SERVER = Server()


def tearDownModule():
    SERVER.remove()


def mine(client, server=None):
    """The events this client stored, in log order."""
    return [e for e in (server or SERVER).events() if e.get("id", "").startswith(client.client_id + "-")]


class Errors(list):
    """An on_error that keeps what it was told, for asserting it."""

    def __call__(self, error):
        self.append(error)


class DeliveryTests(unittest.TestCase):
    def test_append_returns_true_and_flush_sees_every_event_stored_in_order(self):
        with pulseboard.Client(SERVER.url) as client:
            for i in range(300):
                self.assertTrue(client.append("costs", "alerts", "budget_warning", {"i": i}, priority="high", source="haiku"))
            self.assertTrue(client.flush(timeout=30))
            stored = mine(client)
            self.assertEqual(list(range(300)), [e["content"]["i"] for e in stored])
            self.assertEqual(("high", "haiku"), (stored[0]["priority"], stored[0]["source"]))
            self.assertEqual(300, client.delivered)

    def test_events_appended_in_a_burst_go_in_few_requests(self):
        # The appending thread keeps the GIL while it appends, so the writer finds the whole burst in the queue.
        before = sys.getswitchinterval()
        sys.setswitchinterval(30)
        try:
            client = pulseboard.Client(SERVER.url, max_batch=512)
            for i in range(1000):
                client.append("velocity", "tasks", "task_completed", {"i": i})
        finally:
            sys.setswitchinterval(before)
        self.assertTrue(client.flush(timeout=30))
        client.close()
        self.assertEqual(1000, len(mine(client)))
        self.assertLessEqual(client.requests, 3)  # 512 + 488, one more if the writer woke at the first append

    def test_append_async_answers_the_seq(self):
        async def main(client):
            return await client.append_async("costs", "alerts", "budget_warning", {"current": 1}, durable=True)

        with pulseboard.Client(SERVER.url) as client:
            outcome = asyncio.run(main(client))
            self.assertTrue(outcome.stored)
            self.assertGreater(outcome.seq, 0)
            self.assertEqual(outcome.seq, mine(client)[0]["seq"])

    def test_an_id_given_twice_is_stored_once(self):
        with pulseboard.Client(SERVER.url) as client:
            client.append("costs", "alerts", "budget_warning", 1, id=client.client_id + "-mine")
            client.append("costs", "alerts", "budget_warning", 2, id=client.client_id + "-mine")
            self.assertTrue(client.flush(timeout=30))
            self.assertEqual([1], [e["content"] for e in mine(client)])

    def test_close_is_idempotent_and_later_appends_are_dropped_and_counted(self):
        client = pulseboard.Client(SERVER.url)
        client.append("costs", "alerts", "budget_warning", 1)
        client.close()
        client.close()
        self.assertFalse(client.append("costs", "alerts", "budget_warning", 2))
        self.assertEqual(1, client.dropped)
        self.assertEqual([1], [e["content"] for e in mine(client)])


class NonBlockingTests(unittest.TestCase):
    def test_append_returns_at_once_against_a_server_that_never_answers_and_a_full_queue_drops(self):
        with socket.socket() as hung:  # accepts connections (the kernel's backlog) and never answers
            hung.bind(("127.0.0.1", 0))
            hung.listen(16)
            url = "http://127.0.0.1:%d" % hung.getsockname()[1]
            with tempfile.TemporaryDirectory() as spool:
                client = pulseboard.Client(url, spool_dir=spool, queue_size=10, timeout=1, max_attempts=1)
                results = [client.append("costs", "alerts", "budget_warning", i) for i in range(100)]
                self.assertTrue(all(results[:10]))
                self.assertGreater(client.dropped, 0)
                self.assertEqual(100, results.count(True) + client.dropped)
                client.close(timeout=30)  # returns once the request timed out and the rest is spooled
                self.assertEqual(results.count(True), client.spooled)  # what was queued is in the spool, none lost


class RetryTests(unittest.TestCase):
    def test_a_batch_whose_answer_was_lost_is_sent_again_and_stored_once(self):
        proxy = LosesFirstAnswer(SERVER.port)
        try:
            with pulseboard.Client(proxy.url, first_backoff=0.01) as client:
                for i in range(5):
                    client.append("costs", "alerts", "budget_warning", i)
                self.assertTrue(client.flush(timeout=30))
                self.assertGreaterEqual(client.requests, 2)
                self.assertEqual(list(range(5)), [e["content"] for e in mine(client)])
                self.assertEqual(5, client.delivered)
        finally:
            proxy.close()


class ErrorTests(unittest.TestCase):
    def test_an_invalid_event_is_told_at_once_without_a_round_trip(self):
        errors = Errors()
        with pulseboard.Client(SERVER.url, on_error=errors) as client:
            self.assertFalse(client.append("Costs", "alerts", "budget_warning"))
            self.assertFalse(client.append("costs", "alerts", "budget warning"))
            self.assertFalse(client.append("costs", "alerts", "x", {"big": "x" * 70000}))
            self.assertFalse(client.append("costs", "alerts", "x", {1, 2}))
            self.assertFalse(client.append("costs", "alerts", "x", priority="urgent"))
            self.assertEqual(["dashboard", "action", "", "content", "priority"], [e.field for e in errors])
            self.assertIn('"Costs" is not a slug', str(errors[0]))
            self.assertEqual(5, client.invalid)
            self.assertEqual(0, client.requests)

    def test_the_rules_agree_with_the_servers_samples(self):
        with open(os.path.join(REPO, "tests", "samples", "event-samples.json")) as file:
            samples = json.load(file)
        fields = {"dashboard", "section", "action", "content", "priority", "timestamp", "source", "id"}
        with pulseboard.Client(SERVER.url, on_error=Errors()) as client:
            checked = 0
            for sample in samples:
                event = sample["event"]
                if not isinstance(event, dict) or not set(event) <= fields or not {"dashboard", "section", "action"} <= set(event):
                    continue  # not expressible as append's arguments
                if event.get("timestamp") and sample["valid"] is False and "timestamp" in sample["why"]:
                    continue  # a calendar check (month 13) the server makes and the schema's pattern does not
                queued = client.append(**event)
                self.assertEqual(sample["valid"], queued, sample["why"])
                checked += 1
            self.assertGreater(checked, 20)

    def test_rejected_events_reach_on_error_and_a_throwing_on_error_stops_nothing(self):
        told = Errors()

        def on_error(error):
            told.append(error)
            raise RuntimeError("the listener fails")

        with pulseboard.Client(SERVER.url, on_error=on_error) as client:
            self.assertFalse(client.append("costs", "alerts", "Bad Action"))  # on the caller's thread: not raised
            client.append("costs", "alerts", "budget_warning", 1, timestamp="2026-13-45T00:00:00Z")  # the server refuses it
            client.append("costs", "alerts", "budget_warning", 2)
            self.assertTrue(client.flush(timeout=30))
            client.append("costs", "alerts", "budget_warning", 3)
            self.assertTrue(client.flush(timeout=30))
            self.assertEqual([2, 3], [e["content"] for e in mine(client)])
            self.assertEqual(["action", "timestamp"], [e.field for e in told])
            self.assertIn("2026-13-45", str(told[1]))
            self.assertEqual((1, 2), (client.rejected, client.listener_failures))


    def test_a_batch_the_server_refuses_as_a_whole_is_reported_not_spooled(self):
        errors = Errors()
        with tempfile.TemporaryDirectory() as spool:
            with pulseboard.Client(SERVER.url + "/not-here", spool_dir=spool, on_error=errors) as client:  # a 404
                client.append("costs", "alerts", "budget_warning", 1)
                self.assertTrue(client.flush(timeout=30))
                self.assertEqual((1, 0, 0), (client.failed, client.spooled, client.delivered))
                self.assertIsInstance(errors[0], pulseboard.Refused)
                self.assertEqual(404, errors[0].status)


class TokenTests(unittest.TestCase):
    def test_a_token_is_sent_as_a_bearer_and_a_missing_or_narrow_one_is_reported(self):
        token = "t" * 32
        server = Server(tokens=[{"name": "agents", "token": token, "dashboards": ["costs"]}])
        try:
            errors = Errors()
            with pulseboard.Client(server.url, token=token, on_error=errors) as client:
                client.append("costs", "alerts", "budget_warning", 1)
                self.assertTrue(client.flush(timeout=30))
                client.append("velocity", "tasks", "task_completed", 2)  # outside the token's dashboards: 403
                self.assertTrue(client.flush(timeout=30))
                self.assertEqual([1], [e["content"] for e in mine(client, server)])
                self.assertEqual([403], [e.status for e in errors])
            with pulseboard.Client(server.url, on_error=errors) as anonymous:
                anonymous.append("costs", "alerts", "budget_warning", 3)
                self.assertTrue(anonymous.flush(timeout=30))
                self.assertEqual([403, 401], [e.status for e in errors])
                self.assertIn("Authorization: Bearer", str(errors[1]))
        finally:
            server.remove()


class SpoolTests(unittest.TestCase):
    def setUp(self):
        self.spool = tempfile.mkdtemp(prefix="pb-spool-")

    def test_a_down_server_spools_and_gets_everything_in_order_when_it_is_back(self):
        port = free_port()
        client = pulseboard.Client("http://127.0.0.1:%d" % port, spool_dir=self.spool, first_backoff=0.05)
        for i in range(20):
            client.append("costs", "alerts", "budget_warning", i)
        self.assertTrue(client._wait_for(lambda: client.spooled == 20, 30))
        server = Server(port)
        try:
            client.append("costs", "alerts", "budget_warning", 20)
            self.assertTrue(client.flush(timeout=60))
            stored = mine(client, server)
            self.assertEqual(list(range(21)), [e["content"] for e in stored])
            self.assertIn("timestamp", stored[0])  # stamped when spooled: it says when it happened
            client.close()
            self.assertFalse(os.path.exists(os.path.join(self.spool, "spool.ndjson")))
        finally:
            server.remove()

    def test_the_next_process_with_the_same_spool_sends_what_the_last_one_left_first(self):
        script = """if True:
            import sys, pulseboard
            client = pulseboard.Client(sys.argv[1], spool_dir=sys.argv[2], client_id=sys.argv[3])
            for i in range(10):
                client.append("costs", "alerts", "budget_warning", i)
            client.close(timeout=30)
            print(client.spooled)"""
        earlier = child(script, "http://127.0.0.1:%d" % free_port(), self.spool, "earlier-%d" % os.getpid())
        out, err = earlier.communicate(timeout=60)
        self.assertEqual("10", out.strip(), err)
        with pulseboard.Client(SERVER.url, spool_dir=self.spool) as client:
            client.append("costs", "alerts", "budget_warning", 10)
            self.assertTrue(client.flush(timeout=60))
            ours = [e["content"] for e in SERVER.events() if e.get("id", "").startswith(("earlier-%d-" % os.getpid(), client.client_id))]
            self.assertEqual(list(range(11)), ours)

    def test_a_full_spool_drops_the_oldest_and_counts_them(self):
        errors = Errors()
        client = pulseboard.Client("http://127.0.0.1:%d" % free_port(), spool_dir=self.spool, spool_max_bytes=2000,
                                   on_error=errors, max_batch=5)
        for i in range(60):
            client.append("costs", "alerts", "budget_warning", i)
        self.assertTrue(client._wait_for(lambda: client.spooled == 60, 30))
        self.assertLessEqual(os.path.getsize(os.path.join(self.spool, "spool.ndjson")), 2000)
        self.assertGreater(client.spool_dropped, 0)
        self.assertTrue(any(isinstance(e, pulseboard.SpoolFull) for e in errors))
        client.close(timeout=0)
        with pulseboard.Client(SERVER.url, spool_dir=self.spool) as after:
            self.assertTrue(after.flush(timeout=60))
        kept = [e["content"] for e in SERVER.events() if e.get("id", "").startswith(client.client_id + "-")]
        self.assertEqual(list(range(60 - len(kept), 60)), kept)  # the newest, in order
        self.assertEqual(60, len(kept) + client.spool_dropped)


class SpoolLockTests(unittest.TestCase):
    def test_the_spool_lock_is_not_held_while_a_drain_waits_on_the_server(self):
        # A client drains a spool left by an earlier run into a server that never answers. Meanwhile the spool's
        # lock is free (another process appending to the folder does not wait for the network), and what is
        # appended then is kept: the next client delivers the earlier events and the appended one, in order.
        import fcntl
        spool = tempfile.mkdtemp(prefix="pb-lock-")
        prefix = "drainlock-%d" % os.getpid()
        line = '{"id":"%s-%d","dashboard":"costs","section":"alerts","action":"budget_warning","content":%d}\n'
        with open(os.path.join(spool, "spool.ndjson"), "w") as file:
            file.write("".join(line % (prefix, i, i) for i in range(3)))
        with socket.socket() as hung:  # accepts connections (the kernel's backlog) and never answers
            hung.bind(("127.0.0.1", 0))
            hung.listen(16)
            client = pulseboard.Client("http://127.0.0.1:%d" % hung.getsockname()[1], spool_dir=spool, timeout=60,
                                       max_attempts=1)
            try:
                deadline = time.monotonic() + 30
                while client.requests < 1 and time.monotonic() < deadline:  # the drain's request is under way
                    time.sleep(0.005)  # a bounded wait on a condition, as support.Server waits for /healthz
                self.assertEqual(1, client.requests)
                with open(os.path.join(spool, "spool.lock"), "a") as lock:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)  # raises BlockingIOError when held
                    fcntl.flock(lock, fcntl.LOCK_UN)
                other = pulseboard._spool.Spool(spool, 1 << 20)
                self.assertEqual(0, other.append([(line % (prefix, 3, 3)).encode()]))
            finally:
                hung.close()  # the request fails: the drain ends with the spool as it was, plus the append
                client.close(timeout=30)
        with pulseboard.Client(SERVER.url, spool_dir=spool) as after:
            self.assertTrue(after.flush(timeout=60))
        self.assertEqual([0, 1, 2, 3], [e["content"] for e in SERVER.events() if e.get("id", "").startswith(prefix + "-")])
        self.assertFalse(os.path.exists(os.path.join(spool, "spool.ndjson")))

    def test_what_was_sent_goes_from_the_spool_and_what_others_did_meanwhile_stays(self):
        spool = tempfile.mkdtemp(prefix="pb-lock-")
        lines = [b'{"id":"x-%d"}\n' % i for i in range(6)]
        cases = [  # what another process does while the drain sends: the spool left afterwards
            (lambda s: s.append([lines[4]]), lines[4]),  # appends
            (lambda s: s._replace(b"".join(lines[1:4])), b""),  # dropped the oldest line to make room
            (lambda s: s._replace(b"".join(lines[3:4] + lines[4:6])), b"".join(lines[4:6])),  # both, and more
        ]
        for meanwhile, left in cases:
            other = pulseboard._spool.Spool(spool, 1 << 20)
            other._replace(b"".join(lines[:4]))
            sent = []

            def send(chunk, count, meanwhile=meanwhile, other=other):
                meanwhile(other)
                sent.append(chunk)

            self.assertTrue(pulseboard._spool.Spool(spool, 1 << 20).drain(send))
            self.assertEqual([b"".join(lines[:4])], sent)
            self.assertEqual(left, pulseboard._spool._read(other.path))  # b"" when the file is gone


class ProcessTests(unittest.TestCase):
    def test_interpreter_exit_flushes_what_was_queued(self):
        script = """if True:
            import sys, pulseboard
            client = pulseboard.Client(sys.argv[1], client_id=sys.argv[2])
            for i in range(50):
                client.append("costs", "alerts", "budget_warning", i)"""
        client_id = "atexit-%d" % os.getpid()
        process = child(script, SERVER.url, client_id)
        _, err = process.communicate(timeout=60)
        self.assertEqual(0, process.returncode, err)
        self.assertEqual(list(range(50)), [e["content"] for e in SERVER.events() if e.get("id", "").startswith(client_id + "-")])

    def test_kill_9_loses_only_the_events_not_yet_spooled(self):
        # The child spools 5 events (server down), then queues 3 more while this test holds the spool's lock, so
        # its writer cannot spool them; then it is killed. The next client delivers exactly the 5.
        import fcntl
        spool = tempfile.mkdtemp(prefix="pb-kill-")
        script = """if True:
            import sys, pulseboard
            client = pulseboard.Client(sys.argv[1], spool_dir=sys.argv[2], client_id=sys.argv[3])
            for i in range(5):
                client.append("costs", "alerts", "budget_warning", i)
            assert client._wait_for(lambda: client.spooled == 5, 30)
            print("spooled", flush=True)
            sys.stdin.readline()
            for i in range(5, 8):
                client.append("costs", "alerts", "budget_warning", i)
            print("queued", flush=True)
            sys.stdin.readline()"""
        client_id = "killed-%d" % os.getpid()
        process = child(script, "http://127.0.0.1:%d" % free_port(), spool, client_id)
        try:
            self.assertEqual("spooled", process.stdout.readline().strip())
            with open(os.path.join(spool, "spool.lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                process.stdin.write("go\n")
                process.stdin.flush()
                self.assertEqual("queued", process.stdout.readline().strip())
                os.kill(process.pid, signal.SIGKILL)
                process.wait(30)
            with pulseboard.Client(SERVER.url, spool_dir=spool) as client:
                self.assertTrue(client.flush(timeout=60))
            self.assertEqual(list(range(5)), [e["content"] for e in SERVER.events() if e.get("id", "").startswith(client_id + "-")])
        finally:
            if process.poll() is None:
                os.kill(process.pid, signal.SIGKILL)
            process.wait(30)
            for pipe in (process.stdin, process.stdout, process.stderr):
                pipe.close()


class LosesFirstAnswer:
    """A loopback proxy to the server that forwards the first request, lets the server store it, and closes the
    connection instead of passing on the answer; every later request goes through whole."""

    def __init__(self, port):
        self._target = port
        self._listener = socket.socket()
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self.url = "http://127.0.0.1:%d" % self._listener.getsockname()[1]
        self._first = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                downstream, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(downstream,), daemon=True).start()

    def _serve(self, downstream):
        with downstream, socket.create_connection(("127.0.0.1", self._target)) as upstream:
            while True:
                request = _read_http(downstream)
                if request is None:
                    return
                upstream.sendall(request)
                answer = _read_http(upstream)
                if self._first:
                    self._first = False
                    return  # the server stored the batch; the client never hears of it
                downstream.sendall(answer)

    def close(self):
        self._listener.close()


def _read_http(sock):
    """One HTTP/1.1 message with a Content-Length or a chunked body, as bytes; None at end of stream."""
    data = b""
    while b"\r\n\r\n" not in data:
        part = sock.recv(65536)
        if not part:
            return None
        data += part
    head, _, body = data.partition(b"\r\n\r\n")
    headers = head.decode("latin-1").lower()
    if "transfer-encoding: chunked" in headers:
        while not body.endswith(b"0\r\n\r\n"):
            body += sock.recv(65536)
    else:
        length = int(headers.split("content-length:")[1].split("\r\n")[0]) if "content-length:" in headers else 0
        while len(body) < length:
            body += sock.recv(65536)
    return head + b"\r\n\r\n" + body


if __name__ == "__main__":
    unittest.main()
