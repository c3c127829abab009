package dev.pledge.testinfra;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jboss.logging.Logger;

/**
 * A TCP proxy on a loopback port in front of a real server, that a test can {@link #cut()} (every
 * connection closed, new ones refused) and {@link #restore()}, or {@link #freeze()} (nothing answers, nothing
 * closes) and {@link #thaw()}: a database or broker outage for one service, while the real server and the
 * other services carry on.
 */
public final class TcpProxy implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(TcpProxy.class);

    private final String targetHost;
    private final int targetPort;
    private final int port;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private volatile ServerSocket server;
    private volatile boolean frozen;

    public TcpProxy(String targetHost, int targetPort) {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        try {
            this.port = TestKafka.freePort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        restore();
    }

    public int port() {
        return port;
    }

    /** Closes every connection and refuses new ones. */
    public synchronized void cut() {
        try {
            if (server != null) {
                server.close();
                server = null;
            }
        } catch (IOException e) {
            // closing anyway
        }
        open.forEach(TcpProxy::closeQuietly);
        open.clear();
        LOG.infof("proxy :%d to %s:%d cut", port, targetHost, targetPort);
    }

    /**
     * Holds every byte in both directions, connections left open and new ones accepted: a server stopped
     * with SIGSTOP (or a partition that drops packets), as its clients see it. {@link #thaw()} sends what was held.
     */
    public void freeze() {
        frozen = true;
        LOG.infof("proxy :%d to %s:%d frozen", port, targetHost, targetPort);
    }

    public void thaw() {
        frozen = false;
        LOG.infof("proxy :%d to %s:%d thawed", port, targetHost, targetPort);
    }

    /** Accepts connections again, on the same port. */
    public synchronized void restore() {
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress("127.0.0.1", port));
            server = s;
            Thread accept = new Thread(() -> accept(s), "proxy-" + port);
            accept.setDaemon(true);
            accept.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + port, e);
        }
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket client = s.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                open.add(client);
                open.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                return; // cut
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16384];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    while (frozen) {
                        Thread.sleep(5);
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException e) {
                // one side closed
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "proxy-pump-" + port);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        cut();
    }
}
