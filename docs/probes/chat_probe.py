# Two chat members: A sends escape sequences, B prints exactly what it receives.
# usage: chat_probe.py BINARY [TRACE.jsonl]
import json, socket, subprocess, sys, time
binary = sys.argv[1]
out = open(sys.argv[2] if len(sys.argv) > 2 else "/dev/null", "w")  # where to keep the trace
srv = subprocess.Popen([binary, "serve", "--protocol", "chat", "--listen", "127.0.0.1:0", "--headless"],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
first = srv.stdout.readline()
out.write(first.decode())
host, port = json.loads(first)["text"].rsplit(":", 1)
import threading
threading.Thread(target=lambda: [out.write(l.decode()) for l in srv.stdout], daemon=True).start()
a = socket.create_connection((host, int(port))); a.recv(4096)
b = socket.create_connection((host, int(port))); b.settimeout(2)
time.sleep(0.3)
nasty = [b"\x1b[2J\x1b[H cleared your screen", b"\x1b]0;pwned\x07 retitled your window",
         b"\x1b[?1049h alternate screen", b"ding\x07\x07\x07",
         b"\r* 10.9.9.9:4242 joined", b"hello\r10.9.9.9:4242: I am someone else",
         b"\xc2\x9b2J one-byte CSI", b"\xe2\x80\xaegnp.exe", b"bad utf-8 \xff\xfe", b"caf\xc3\xa9 \xe2\x9c\x93 ok"]
a.sendall(b"\n".join(nasty) + b"\n")
got = b""
try:
    while got.count(b"\n") < len(nasty) + 2:
        d = b.recv(65536)
        if not d: break
        got += d
except socket.timeout:
    pass
sys.stdout.buffer.write(got); sys.stdout.flush()
a.close(); b.close()
time.sleep(0.3)
srv.terminate()
print(srv.communicate(timeout=10)[1].decode().strip())
