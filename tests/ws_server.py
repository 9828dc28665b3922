#!/usr/bin/python3
"""A websocket bridge for tests/e2e_net.sh, on 127.0.0.1 only.

Serves the bytes of FILE to every client that connects, cut into messages
of CHUNK bytes, the way MODE says (FILE - is standard input, read as it
comes and each read sent as one binary message, to one client: make bench
serves the simulator at the BMS's cadence so):
  binary      binary messages
  text        text messages, each byte as the character of that code
  fragmented  binary messages sent as several frames each
  ping        binary messages, a ping before each, waiting for its pong
  close       binary messages, then the close handshake (code 1000)
  404         answers the upgrade with HTTP 404
  badaccept   answers 101 with a wrong Sec-WebSocket-Accept
Prints "port N" once listening, and what happened, one line at a time.
Uses Debian's python3-websockets.
"""
import argparse
import asyncio
import http
import os
import sys

import websockets


def say(text):
    print(text, flush=True)


async def serve_stream(ws, data, mode, chunk):
    pongs = 0
    for i in range(0, len(data), chunk):
        part = data[i:i + chunk]
        if mode == "ping":
            waiter = await ws.ping()
            await asyncio.wait_for(waiter, 5)
            pongs += 1
        if mode == "text":
            await ws.send(part.decode("latin-1"))
        elif mode == "fragmented":
            await ws.send([part[j:j + 7] for j in range(0, len(part), 7)])
        else:
            await ws.send(part)
    say("sent %d bytes" % len(data))
    if mode == "ping":
        say("pongs %d" % pongs)
    if mode == "close":
        await ws.close(1000, "done")
        rcvd = ws.close_rcvd
        say("close answered %s" % (rcvd.code if rcvd else "never"))
        return
    await ws.wait_closed()


async def serve_stdin(ws, chunk):
    loop = asyncio.get_running_loop()
    sent = 0
    while True:
        part = await loop.run_in_executor(None, os.read, 0, chunk)
        if not part:
            break
        await ws.send(part)
        sent += len(part)
    say("sent %d bytes" % sent)
    await ws.wait_closed()


async def bad_accept(reader, writer):
    await reader.readuntil(b"\r\n\r\n")
    writer.write(b"HTTP/1.1 101 Switching Protocols\r\n"
                 b"Upgrade: websocket\r\nConnection: Upgrade\r\n"
                 b"Sec-WebSocket-Accept: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")
    await writer.drain()
    say("answered a wrong accept")
    await asyncio.sleep(30)
    writer.close()


async def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--file", required=True)
    ap.add_argument("--mode", default="binary")
    ap.add_argument("--chunk", type=int, default=100)
    ap.add_argument("--port", type=int, default=0)
    args = ap.parse_args()
    data = None
    if args.file != "-":
        with open(args.file, "rb") as f:
            data = f.read()

    if args.mode == "badaccept":
        server = await asyncio.start_server(bad_accept, "127.0.0.1",
                                            args.port)
    else:
        async def handler(ws, path=None):
            say("client connected")
            try:
                if data is None:
                    await serve_stdin(ws, args.chunk)
                else:
                    await serve_stream(ws, data, args.mode, args.chunk)
            except websockets.ConnectionClosed as e:
                say("client went away %s" % e)

        def refuse(path, headers):
            say("refused with 404")
            return (http.HTTPStatus.NOT_FOUND, [], b"no such path\n")

        server = await websockets.serve(
            handler, "127.0.0.1", args.port, compression=None,
            process_request=refuse if args.mode == "404" else None)
    port = server.sockets[0].getsockname()[1]
    say("port %d" % port)
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
