#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# A unix-socket forwarder: LISTEN -> TARGET (the Docker engine's socket). The e2e test points one
# peer's CORE_VM_ENDPOINT here and kills/restarts the proxy to take "the Docker engine" away from
# that peer and bring it back, without stopping the shared engine other tests use.
#   sockproxy.py LISTEN_SOCKET TARGET_SOCKET
import os, socket, sys, threading

listen, target = sys.argv[1], sys.argv[2]
if os.path.exists(listen):
    os.unlink(listen)
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(listen)
srv.listen(64)


def pump(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


while True:
    c, _ = srv.accept()
    u = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        u.connect(target)
    except OSError:
        c.close()
        continue
    threading.Thread(target=pump, args=(c, u), daemon=True).start()
    threading.Thread(target=pump, args=(u, c), daemon=True).start()
