#!/usr/bin/env python3
"""Pre-signs unique Slack Events API requests for bench/slack-events.lua (wrk cannot compute HMAC in Lua).

The body is webhooks/slack/event_message_im.json with its event_id replaced by PREFIX + a number, so every
request is a distinct event that the gateway really stores. Writes, into OUT_DIR:
  body.prefix, body.suffix  the body's bytes before and after the event id
  <name>.ids                one "event_id signature" line per request (timestamp in <name>.ts)
All requests share one timestamp (now), which the gateway accepts for five minutes.

  python3 bench/slack_events_gen.py OUT_DIR NAME PREFIX COUNT   (SLACK_SIGNING_SECRET in the environment)
"""
import hashlib
import hmac
import os
import sys
import time

SAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "webhooks", "slack", "event_message_im.json")
MARKER = b'"event_id":"Ev0MSGIM0001"'


def main() -> None:
    out_dir, name, prefix, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    secret = os.environ["SLACK_SIGNING_SECRET"].encode()
    with open(SAMPLE, "rb") as sample:
        body = sample.read().strip()
    if body.count(MARKER) != 1:
        sys.exit(f"{SAMPLE}: expected exactly one {MARKER.decode()}")
    head, tail = body.split(MARKER)
    head += b'"event_id":"'
    tail = b'"' + tail
    with open(os.path.join(out_dir, "body.prefix"), "wb") as f:
        f.write(head)
    with open(os.path.join(out_dir, "body.suffix"), "wb") as f:
        f.write(tail)
    timestamp = str(int(time.time()))
    base = b"v0:" + timestamp.encode() + b":" + head
    width = len(str(count))
    lines = []
    for n in range(count):
        event_id = f"{prefix}{n:0{width}d}"
        mac = hmac.new(secret, base + event_id.encode() + tail, hashlib.sha256).hexdigest()
        lines.append(f"{event_id} v0={mac}\n")
    with open(os.path.join(out_dir, f"{name}.ids"), "w") as f:
        f.writelines(lines)
    with open(os.path.join(out_dir, f"{name}.ts"), "w") as f:
        f.write(timestamp + "\n")


if __name__ == "__main__":
    main()
