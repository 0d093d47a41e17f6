#!/usr/bin/env python3
"""Sends signed Slack Events API requests to a running gateway, like Slack would: each a distinct direct message
(its own event id, user and DM channel) built from webhooks/slack/event_message_im.json, signed at send time;
a request that fails (connection refused or reset, 5xx) is retried with X-Slack-Retry-Num until it is
acknowledged. Used by the fault scripts (bench/faults/) and the soak (bench/soak.sh).

  python3 bench/webhook_driver.py --url http://127.0.0.1:8080 --count 3000 --concurrency 16 --acked acked.txt
  python3 bench/webhook_driver.py --url ... --rate 1000 --duration 600 --concurrency 32   (paced; soak)

SLACK_SIGNING_SECRET comes from the environment. Prints a one-line JSON summary: sent, acknowledged, retries,
achieved rate, and acknowledgement latency percentiles (ms).
"""
import argparse
import hashlib
import hmac
import http.client
import json
import os
import threading
import time
import urllib.parse

SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "webhooks", "slack", "event_message_im.json")


def body_for(template: dict, prefix: str, n: int) -> bytes:
    event = dict(template)
    event["event_id"] = f"{prefix}{n:07d}"
    inner = dict(event["event"])
    inner["user"] = f"U{prefix.upper()[:4]}{n:06d}"
    inner["channel"] = f"D{prefix.upper()[:4]}{n:06d}"
    inner["client_msg_id"] = f"{prefix}-{n}"
    event["event"] = inner
    return json.dumps(event, separators=(",", ":")).encode()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--count", type=int, default=0, help="events to send (0: as many as --rate x --duration)")
    parser.add_argument("--rate", type=float, default=0, help="events per second in total (0: as fast as possible)")
    parser.add_argument("--duration", type=float, default=0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--prefix", default="Ev" + os.urandom(3).hex())
    parser.add_argument("--acked", help="file to write the acknowledged event ids to")
    args = parser.parse_args()
    secret = os.environ["SLACK_SIGNING_SECRET"].encode()
    with open(SAMPLE, "rb") as sample:
        template = json.loads(sample.read())
    count = args.count or int(args.rate * args.duration)
    target = urllib.parse.urlparse(args.url)

    lock = threading.Lock()
    latencies, acked, state = [], [], {"retries": 0, "next": 0}
    started = time.monotonic()

    def take():
        with lock:
            n = state["next"]
            if n >= count:
                return None
            state["next"] = n + 1
        if args.rate:
            # Paced: event n is due at started + n / rate.
            delay = started + n / args.rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        return n

    def worker():
        connection = None
        while True:
            n = take()
            if n is None:
                break
            body = body_for(template, args.prefix, n)
            attempt = 0
            while True:
                timestamp = str(int(time.time()))
                signature = "v0=" + hmac.new(secret, b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256).hexdigest()
                headers = {"Content-Type": "application/json", "X-Slack-Request-Timestamp": timestamp,
                           "X-Slack-Signature": signature}
                if attempt:
                    headers["X-Slack-Retry-Num"] = str(attempt)
                sent_at = time.monotonic()
                try:
                    if connection is None:
                        connection = http.client.HTTPConnection(target.hostname, target.port, timeout=10)
                    connection.request("POST", "/slack/events", body=body, headers=headers)
                    response = connection.getresponse()
                    response.read()
                    status = response.status
                except (OSError, http.client.HTTPException):
                    status = 0
                    if connection is not None:
                        connection.close()
                    connection = None
                if status == 200:
                    with lock:
                        latencies.append((time.monotonic() - sent_at) * 1000)
                        acked.append(f"{args.prefix}{n:07d}")
                    break
                attempt += 1
                with lock:
                    state["retries"] += 1
                time.sleep(min(2.0, 0.1 * attempt))

    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    latencies.sort()

    def percentile(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 2) if latencies else 0.0

    if args.acked:
        with open(args.acked, "w") as out:
            out.write("\n".join(acked) + "\n")
    print(json.dumps({
        "sent": count, "acknowledged": len(acked), "retries": state["retries"], "seconds": round(elapsed, 1),
        "rate": round(len(acked) / elapsed, 1) if elapsed else 0, "p50_ms": percentile(0.50),
        "p99_ms": percentile(0.99), "max_ms": percentile(1.0), "prefix": args.prefix,
    }))


if __name__ == "__main__":
    main()
