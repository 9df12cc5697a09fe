# N chat members connect as fast as they can (and never read); then one more
# client times how long its welcome line takes. Also reports the server's CPU.
# usage: welcome_wait.py BINARY BACKEND N [serve flags...]
import json, os, socket, subprocess, sys, threading, time
binary, backend, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
srv = subprocess.Popen([binary, "serve", "--protocol", "chat", "--backend", backend,
                        "--listen", "127.0.0.1:0", "--headless"] + sys.argv[4:],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
host, port = json.loads(srv.stdout.readline())["text"].rsplit(":", 1)
threading.Thread(target=lambda: [None for _ in srv.stdout], daemon=True).start()
tick = os.sysconf("SC_CLK_TCK")
def cpu():
    f = open(f"/proc/{srv.pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / tick
c0 = cpu()
t0 = time.time()
members = [socket.create_connection((host, int(port))) for _ in range(n)]
t1 = time.time()
w = socket.create_connection((host, int(port)))
w.settimeout(600)
line = w.makefile("rb").readline()
t2 = time.time()
print(f"{backend}: {n} members connected in {t1-t0:.2f} s; the next client waited {(t2-t1)*1000:.2f} ms for {line.decode().strip()!r}; server CPU so far {cpu()-c0:.2f} s")
time.sleep(2)
print(f"{backend}: server CPU 2 s later {cpu()-c0:.2f} s")
for s in members: s.close()
w.close()
srv.terminate()
print(srv.communicate(timeout=60)[1].decode().strip())
