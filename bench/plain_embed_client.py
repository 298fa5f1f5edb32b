#!/usr/bin/env python3
"""The plainest embedding client, as the yardstick for Lore's embedding pass.

Reads the texts `lore bench embed --export FILE` wrote (already cut to the input limit, in the pass's
order), posts them to an OpenAI-compatible /v1/embeddings endpoint in batches of --batch with --concurrency
requests in flight (a new batch goes as soon as one returns, as Lore does), and prints passages/s. Nothing
is stored. Standard library only; loopback addresses only.

    lore bench embed --kb pg --export /tmp/pg-texts.jsonl
    python3 bench/plain_embed_client.py /tmp/pg-texts.jsonl --url "$LORE_TEST_EMBED_URL" --model all-MiniLM-L6-v2
"""
import argparse
import concurrent.futures
import ipaddress
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def loopback(url):
    host = urllib.parse.urlsplit(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def post(url, model, texts):
    """One request; returns (vectors, refused-as-too-large)."""
    body = json.dumps({"input": texts, "model": model, "encoding_format": "float"}).encode()
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=300) as response:
            data = json.load(response)["data"]
    except urllib.error.HTTPError as error:
        message = error.read().decode(errors="replace")
        if "too large" in message:
            return 0, True
        raise RuntimeError(f"HTTP {error.code}: {message[:200]}")
    if len(data) != len(texts):
        raise RuntimeError(f"{len(data)} vectors for {len(texts)} inputs")
    return len(data), False


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("texts", help="JSON lines of {\"id\", \"text\"} from `lore bench embed --export`")
    parser.add_argument("--url", default=os.environ.get("LORE_TEST_EMBED_URL", "http://127.0.0.1:18082/v1"),
                        help="the embeddings base URL (default $LORE_TEST_EMBED_URL)")
    parser.add_argument("--model", default="", help="the model name sent")
    parser.add_argument("--batch", type=int, default=32, help="texts per request (Lore's default batch_size)")
    parser.add_argument("--concurrency", type=int, default=2, help="requests in flight (Lore's default)")
    args = parser.parse_args()
    if not loopback(args.url):
        sys.exit(f"{args.url}: only loopback servers are allowed")
    endpoint = args.url.rstrip("/") + "/embeddings"

    with open(args.texts, encoding="utf-8") as f:
        texts = [json.loads(line)["text"] for line in f if line.strip()]
    batches = [texts[i:i + args.batch] for i in range(0, len(texts), args.batch)]

    started = time.monotonic()
    embedded = refused = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.concurrency) as pool:
        pending = set()
        queue = iter(batches)
        for batch in queue:
            pending.add(pool.submit(post, endpoint, args.model, batch))
            if len(pending) >= args.concurrency:
                break
        while pending:
            finished, pending = concurrent.futures.wait(pending, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in finished:
                count, too_large = future.result()
                embedded += count
                refused += too_large
                batch = next(queue, None)
                if batch is not None:
                    pending.add(pool.submit(post, endpoint, args.model, batch))
    seconds = time.monotonic() - started
    print(f"plain client:   {embedded} passages in {seconds:.1f} s, {embedded / seconds:.2f} passages/s "
          f"(batch {args.batch}, concurrency {args.concurrency}, {refused} refused as too large)")


if __name__ == "__main__":
    main()
