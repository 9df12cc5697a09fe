# Many echo clients that send and never read. usage: rss_many_long.py BINARY BACKEND CLIENTS SECONDS [serve flags...]
import json, socket, subprocess, sys, threading, time
binary, backend, n, secs = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
srv = subprocess.Popen([binary, "serve", "--protocol", "echo", "--backend", backend,
                        "--listen", "127.0.0.1:0", "--headless"] + sys.argv[5:],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
host, port = json.loads(srv.stdout.readline())["text"].rsplit(":", 1)
threading.Thread(target=lambda: [None for _ in srv.stdout], daemon=True).start()
def rss():
    for line in open(f"/proc/{srv.pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) // 1024
start = rss()
socks = []
for _ in range(n):
    s = socket.create_connection((host, int(port)))
    s.setblocking(False)
    socks.append(s)
chunk, sent, peak, t0 = b"x" * 65536, 0, 0, time.time()
while time.time() - t0 < secs:
    for s in list(socks):
        try:
            sent += s.send(chunk)
        except BlockingIOError:
            pass
        except OSError:
            socks.remove(s)  # reset by the server
    peak = max(peak, rss())
print(f"{backend}, {n} clients: RSS at start {start} MB, peak {peak} MB after {sent/2**20:.0f} MiB sent; {n-len(socks)} clients reset")
for s in socks:
    s.close()
for wait in (1, 10, 30, 130, 150):
    time.sleep(wait - (0 if wait == 1 else {10: 1, 30: 10, 130: 30, 150: 130}[wait]))
    print(f"{backend}: RSS {wait} s after the clients left {rss()} MB")
srv.terminate()
print(srv.communicate(timeout=20)[1].decode().strip())
