# RSS probe: one echo client that sends continuously and never reads.
# usage: python3 rss_probe.py BINARY BACKEND SECONDS [extra serve flags...]
import json, socket, subprocess, sys, time

binary, backend, secs = sys.argv[1], sys.argv[2], float(sys.argv[3])
srv = subprocess.Popen([binary, "serve", "--protocol", "echo", "--backend", backend,
                        "--listen", "127.0.0.1:0", "--headless"] + sys.argv[4:],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
addr = json.loads(srv.stdout.readline())["text"]
host, port = addr.rsplit(":", 1)
# drain the trace so the pipe never blocks the server
import threading
threading.Thread(target=lambda: [None for _ in srv.stdout], daemon=True).start()

def rss():
    for line in open(f"/proc/{srv.pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
print(f"{backend}: RSS at start {rss()} MB")
c = socket.create_connection((host, int(port)))
c.setblocking(False)
chunk = b"x" * 65536
sent, t0, peak = 0, time.time(), 0
while time.time() - t0 < secs:
    try:
        sent += c.send(chunk)
    except BlockingIOError:
        time.sleep(0.01)
    peak = max(peak, rss())
print(f"{backend}: sent {sent/2**20:.1f} MiB in {secs:.0f} s, peak RSS {peak} MB, RSS now {rss()} MB")
c.close()
time.sleep(1.0)
print(f"{backend}: RSS 1 s after the client left {rss()} MB")
srv.terminate()
_, err = srv.communicate(timeout=10)
print(err.decode().strip())
