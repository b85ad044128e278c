#!/usr/bin/env python3
"""The attacks of PROTOCOL.md "Limits per client", each against a freshly started node with the default
settings, with the node's resident memory (VmRSS) before and after. Prints a Markdown table.

    bench/client-bounds.py                      # builds src/Service in Release and measures it
    SERVICE_DLL=/path/Switchboard.Service.dll bench/client-bounds.py   # another build, for comparison

Only the standard library; everything on 127.0.0.1.
"""
import base64, json, os, socket, struct, subprocess, sys, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PORT = int(os.environ.get("BENCH_PORT", "18095"))


def frame(opcode, payload=b"", fin=True):
    head = bytes([(0x80 if fin else 0) | opcode])
    n = len(payload)
    head += bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n)
    mask = os.urandom(4)
    return head + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload))


def connect(query, rcvbuf=0):
    s = socket.socket()
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.connect(("127.0.0.1", PORT))
    key = base64.b64encode(os.urandom(16)).decode()
    s.sendall((f"GET /ws?{query} HTTP/1.1\r\nHost: 127.0.0.1:{PORT}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
    head = b""
    while b"\r\n\r\n" not in head:
        head += s.recv(1)
    assert b" 101 " in head.split(b"\r\n")[0], head
    return s


def read_frames(s, count, buffer=b""):
    """Reads count server frames; returns them as (opcode, payload) and the bytes left over."""
    frames = []
    while len(frames) < count:
        while len(buffer) < 2 or len(buffer) < header_and_length(buffer)[0] + header_and_length(buffer)[1]:
            chunk = s.recv(65536)
            if not chunk:
                return frames, buffer
            buffer += chunk
        h, n = header_and_length(buffer)
        frames.append((buffer[0] & 0x0F, buffer[h:h + n]))
        buffer = buffer[h + n:]
    return frames, buffer


def header_and_length(b):
    n = b[1] & 0x7F
    if n == 126:
        return (4, struct.unpack(">H", b[2:4])[0]) if len(b) >= 4 else (4, 1 << 30)
    if n == 127:
        return (10, struct.unpack(">Q", b[2:10])[0]) if len(b) >= 10 else (10, 1 << 30)
    return 2, n


def stats():
    with urllib.request.urlopen(f"http://127.0.0.1:{PORT}/ws/stats") as r:
        return json.load(r)


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        kb = next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    return kb / 1024


def wait_until(condition, seconds=60):
    give_up = time.time() + seconds
    while time.time() < give_up:
        try:
            if condition():
                return True
        except OSError:
            pass
        time.sleep(0.1)
    return False


def joins(s):
    n = 50_000
    s.sendall(b"".join(frame(1, json.dumps({"type": "join", "group": f"g{i}", "id": i}).encode()) for i in range(n)))
    answers, _ = read_frames(s, n)
    refused = sum(1 for _, p in answers if b"too_many_groups" in p)
    return f"{n:,} `join` frames", f"{len(answers):,} answered, {refused:,} `too_many_groups`; node `groups` = {stats()['groups']}"


def pings(s):
    n = 300_000
    s.sendall(b"".join(frame(9, struct.pack(">I", i)) for i in range(n)))
    s.sendall(frame(1, b'{"type":"ping"}'))
    wait_until(lambda: stats()["messages_in"] == 1)
    return f"{n:,} pings, never reading", f"`control_frames_queued` = {stats().get('control_frames_queued', 'n/a')}"


def fragments(s):
    n = 200_000
    s.sendall(frame(1, b"{", fin=False))
    try:
        s.sendall(frame(0, b"", fin=False) * n)
    except OSError:
        pass
    closed = wait_until(lambda: stats()["connections"] == 1, seconds=20)
    return f"{n:,} empty continuation frames", ("closed with 1009" if closed else "still open after 20 s")


def run(service, attack):
    node = subprocess.Popen(["dotnet", service, "--urls", f"http://127.0.0.1:{PORT}"], cwd=os.path.dirname(service),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        assert wait_until(lambda: urllib.request.urlopen(f"http://127.0.0.1:{PORT}/ws/health").status == 200)
        bystander = connect("user_id=bystander")
        read_frames(bystander, 1)
        time.sleep(1)
        before = rss_mb(node.pid)
        attacker = connect(f"user_id={attack.__name__}", rcvbuf=4096 if attack is pings else 0)
        read_frames(attacker, 1)
        what, outcome = attack(attacker)
        time.sleep(2)
        after = rss_mb(node.pid)
        bystander.sendall(frame(1, b'{"type":"ping","id":1}'))
        serving = [p for _, p in read_frames(bystander, 2)[0]] == [b'{"type":"pong"}', b'{"type":"ack","id":1}']
        return what, outcome, before, after, serving
    finally:
        node.kill()
        node.wait()


def main():
    service = os.environ.get("SERVICE_DLL")
    if not service:
        subprocess.run(["dotnet", "build", "src/Service", "-c", "Release", "-nologo", "-v", "quiet", "-clp:ErrorsOnly"],
                       cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        service = os.path.join(ROOT, "src/Service/bin/Release/net10.0/Switchboard.Service.dll")
    print("| attack | outcome | RSS before | RSS after | node still serves |")
    print("|---|---|---|---|---|")
    for attack in (joins, pings, fragments):
        what, outcome, before, after, serving = run(service, attack)
        print(f"| {what} | {outcome} | {before:.0f} MB | {after:.0f} MB (+{after - before:.0f}) | {'yes' if serving else 'no'} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
