"""Load generator of the benchmarks: POSTs a numbered series of requests at a loopback server.

    python bench/loadgen.py PLAN.json OUT.jsonl

Runs in its own process so that the bench process polling the database does not share its
interpreter lock. ``PLAN.json`` (written by ``bench/harness.py``) holds::

    {"host": "127.0.0.1", "port": 8000, "concurrency": 16, "count": 2000, "tag": "hb1a2b",
     "rate": 0, "time_limit_s": 300, "timeout_s": 30,
     "targets": [{"kind": "webhook", "path": "/webhooks/<uuid>", "body": {...}},
                 {"kind": "shopify", "path": "/shopify/webhooks", "body": {...},
                  "secret": "...", "topic": "orders/create", "domain": "bench.myshopify.com"}]}

Request ``i`` (0 ≤ i < count) goes to ``targets[i % len(targets)]`` with the target's body plus
``"bench_id": "<tag>-<i>"``, so every request can be found again in the server's data. Shopify
targets are signed like Shopify does (base64 HMAC-SHA256 of the body in
``X-Shopify-Hmac-Sha256``) with a unique ``X-Shopify-Webhook-Id`` and ``X-Shopify-Event-Id``.
``concurrency`` threads each keep one keep-alive connection. ``rate`` > 0 paces request ``i`` to
start at ``i / rate`` seconds (an open loop); 0 sends as fast as the threads get answers. No
request is retried. The run stops issuing requests after ``time_limit_s``.

Writes one JSON line per request issued: ``i``, ``kind``, ``bench_id``, ``t`` (send time, Unix
seconds), ``lat`` (seconds until the whole answer was read), ``status`` (0 when no answer came),
``err`` (the exception class and text when no answer came, else null) and ``rid`` (the
``x-request-id`` answer header, or null). Only the loopback range is accepted as a host.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import http.client
import ipaddress
import json
import sys
import threading
import time
from pathlib import Path


def signed_headers(target: dict, body: bytes, bench_id: str) -> dict[str, str]:
    """The headers of one request to ``target``: JSON, plus Shopify's for a ``shopify`` target."""
    headers = {"Content-Type": "application/json", "User-Agent": "hub-bench-loadgen"}
    if target["kind"] == "shopify":
        digest = hmac.new(target["secret"].encode(), body, hashlib.sha256).digest()
        headers.update(
            {
                "X-Shopify-Hmac-Sha256": base64.b64encode(digest).decode(),
                "X-Shopify-Topic": target["topic"],
                "X-Shopify-Shop-Domain": target["domain"],
                "X-Shopify-Webhook-Id": f"webhook-{bench_id}",
                "X-Shopify-Event-Id": f"event-{bench_id}",
                "X-Shopify-API-Version": "2026-07",
                "X-Shopify-Triggered-At": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            }
        )
    return headers


class Load:
    """The shared state of one load run: the next request number and the records made so far."""

    def __init__(self, plan: dict):
        self.plan = plan
        self.next_index = 0
        self.lock = threading.Lock()
        self.records: list[dict] = []
        self.started = time.monotonic()
        self.bodies = [json.dumps(target["body"]) for target in plan["targets"]]

    def take(self) -> int | None:
        """The next request number, or None when the count or the time limit is reached."""
        with self.lock:
            index = self.next_index
            if index >= self.plan["count"]:
                return None
            if time.monotonic() - self.started > self.plan["time_limit_s"]:
                return None
            self.next_index += 1
            return index

    def request(self, index: int) -> tuple[str, dict[str, str], bytes, str, str]:
        """Path, headers, body, kind and bench id of request ``index``."""
        targets = self.plan["targets"]
        target = targets[index % len(targets)]
        bench_id = f"{self.plan['tag']}-{index}"
        template = self.bodies[index % len(targets)]
        if template == "{}":
            body = json.dumps({"bench_id": bench_id}).encode()
        else:
            # Splicing the id in front of the template's text keeps bodies distinct without re-encoding 15 kB.
            body = ('{"bench_id": ' + json.dumps(bench_id) + ", " + template[1:]).encode()
        return target["path"], signed_headers(target, body, bench_id), body, target["kind"], bench_id


def worker(load: Load) -> None:
    """Issue requests until none is left, over one keep-alive connection (reopened after errors)."""
    plan = load.plan
    connection = http.client.HTTPConnection(plan["host"], plan["port"], timeout=plan["timeout_s"])
    while (index := load.take()) is not None:
        if plan["rate"] > 0:
            delay = load.started + index / plan["rate"] - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        path, headers, body, kind, bench_id = load.request(index)
        record = {"i": index, "kind": kind, "bench_id": bench_id, "status": 0, "err": None, "rid": None}
        sent = time.time()
        clock = time.perf_counter()
        try:
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            record["status"] = response.status
            record["rid"] = response.getheader("x-request-id")
        except (OSError, http.client.HTTPException) as exc:
            record["err"] = f"{type(exc).__name__}: {exc}"
            connection.close()
        record["t"] = sent
        record["lat"] = time.perf_counter() - clock
        with load.lock:
            load.records.append(record)
    connection.close()


def run(plan: dict) -> list[dict]:
    """Run the load ``plan`` (see the module docstring) and return its records, in request order."""
    if not ipaddress.ip_address(plan["host"]).is_loopback:
        raise SystemExit(f"loadgen: {plan['host']} is not a loopback address; refusing to send load there")
    load = Load(plan)
    threads = [threading.Thread(target=worker, args=(load,), daemon=True) for _ in range(plan["concurrency"])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(load.records, key=lambda record: record["i"])


def main() -> None:
    """Read the plan named by the first argument, run it, write the records to the second."""
    if len(sys.argv) != 3:
        raise SystemExit(__doc__.splitlines()[2].strip())
    plan = json.loads(Path(sys.argv[1]).read_text())
    records = run(plan)
    with open(sys.argv[2], "w") as out:
        for record in records:
            out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    main()
