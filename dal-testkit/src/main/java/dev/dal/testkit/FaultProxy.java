package dev.dal.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.netcrusher.core.reactor.NioReactor;
import org.netcrusher.tcp.TcpCrusher;
import org.netcrusher.tcp.TcpCrusherBuilder;

/**
 * A TCP proxy on the loopback interface between a store and its server, which the kit's fault
 * contracts use to make the network misbehave: {@link #stall()} stops every byte in both directions
 * without closing anything (a frozen link), {@link #reset()} breaks every open connection at once
 * (RST, as a crashed middlebox would), {@link #refuse()} stops accepting so new connections are
 * refused, and {@link #heal()} ends whatever fault is on. Built on NetCrusher.
 *
 * <p>Only loopback addresses are ever used: the proxy listens on {@code 127.0.0.1} and forwards to
 * the server the provider names, which is a test server on this machine.
 */
public final class FaultProxy implements AutoCloseable {
    private final NioReactor reactor;
    private final TcpCrusher crusher;

    private FaultProxy(NioReactor reactor, TcpCrusher crusher) {
        this.reactor = reactor;
        this.crusher = crusher;
    }

    /**
     * Starts a proxy on a free loopback port.
     *
     * @param server where the traffic goes
     * @return the running proxy
     */
    public static FaultProxy to(InetSocketAddress server) {
        try {
            NioReactor reactor = new NioReactor(10);
            TcpCrusher crusher = TcpCrusherBuilder.builder()
                    .withReactor(reactor)
                    .withBindAddress("127.0.0.1", freePort())
                    .withConnectAddress(server)
                    .withLingerMs(0)
                    .withTcpNoDelay(true)
                    .buildAndOpen();
            return new FaultProxy(reactor, crusher);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** @return the address a store connects to instead of its server */
    public InetSocketAddress address() {
        return crusher.getBindAddress();
    }

    /** @return the port a store connects to instead of its server's */
    public int port() {
        return address().getPort();
    }

    /** Stops all traffic on every connection, open or new, without closing any. */
    public synchronized void stall() {
        if (!crusher.isOpen()) {
            crusher.open();
        }
        crusher.freeze();
    }

    /** Breaks every open connection; new ones are accepted again. */
    public synchronized void reset() {
        if (crusher.isOpen()) {
            if (crusher.isFrozen()) {
                crusher.unfreeze();
            }
            crusher.closeAllPairs();
        }
    }

    /** Closes every connection and stops listening, so that new connections are refused. */
    public synchronized void refuse() {
        if (crusher.isOpen()) {
            crusher.close();
        }
    }

    /** Ends any fault: the proxy listens again and passes traffic. Connections broken by a fault stay broken. */
    public synchronized void heal() {
        if (!crusher.isOpen()) {
            crusher.open();
        } else if (crusher.isFrozen()) {
            crusher.unfreeze();
        }
    }

    /** @return how many client connections pass through the proxy now */
    public int openConnections() {
        return crusher.isOpen() ? crusher.getClientTotalCount() : 0;
    }

    @Override
    public synchronized void close() {
        if (crusher.isOpen()) {
            crusher.close();
        }
        reactor.close();
    }
}
