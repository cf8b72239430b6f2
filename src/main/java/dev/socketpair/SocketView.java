package dev.socketpair;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import java.net.SocketImpl;
import java.net.SocketOption;
import java.net.StandardSocketOptions;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The {@link Socket} that {@link UnixSocketChannel#socket()} returns: a view of one end, as the JDK's
 * {@code sun.nio.ch.SocketAdaptor} is of its socket channels, for code written against {@code Socket}
 * (JDBC socket factories, {@link javax.net.ssl.SSLSocketFactory#createSocket(Socket, String, int, boolean)}).
 *
 * <h2>Streams and timeouts</h2>
 * {@link #getInputStream()} and {@link #getOutputStream()} read and write the channel as
 * {@link UnixSocketChannel#newInputStream()} and {@link UnixSocketChannel#newOutputStream()} do, and
 * block in the same way; they throw {@link java.nio.channels.IllegalBlockingModeException} while the
 * channel is in non-blocking mode. A read waits at most {@link #getSoTimeout()} milliseconds (0: without
 * limit) for its first byte and then throws {@link java.net.SocketTimeoutException}, leaving the socket
 * as it was: a later read gets what arrives. Writes have no timeout. Closing either stream closes the
 * channel.
 *
 * <h2>Addresses</h2>
 * {@link #getLocalSocketAddress()} and {@link #getRemoteSocketAddress()} are the channel's
 * {@link UnixDomainSocketAddress}es, read when the view is made, and still given once it is closed, as
 * {@link Socket} says (null if the channel was closed before, or the name cannot be read). A
 * UNIX-domain socket has no IP address or port, so the methods that return them answer as
 * {@link Socket} does where it has none: {@link #getInetAddress()} null, {@link #getPort()} 0,
 * {@link #getLocalPort()} -1, {@link #getLocalAddress()} the wildcard address.
 *
 * <h2>Options</h2>
 * Options are the channel's: buffer sizes are {@code SO_SNDBUF} and {@code SO_RCVBUF}, the linger interval
 * {@code SO_LINGER}. Options of TCP or IP ({@code TCP_NODELAY}, {@code SO_KEEPALIVE}, {@code SO_OOBINLINE},
 * {@code IP_TOS}, {@code SO_REUSEADDR}) throw {@link UnsupportedOperationException}, as they do on the
 * JDK's UNIX-domain socket channels, and so does urgent data.
 *
 * <h2>Threads</h2>
 * The view is safe for use by multiple threads, as its channel is. It holds no state of its own but the
 * read timeout.
 */
final class SocketView extends Socket {

    private final UnixSocketChannel channel;

    // The read timeout in milliseconds, 0 for none; read by each read of the input stream.
    private volatile int timeout;

    // The channel's names, read while it is open: a socket's name and its peer's never change, and
    // Socket's addresses stay readable once it is closed.
    private final SocketAddress localAddress;
    private final SocketAddress remoteAddress;

    private SocketView(UnixSocketChannel channel) throws SocketException {
        // No implementation: every method of Socket that would use one is overridden.
        super((SocketImpl) null);
        this.channel = channel;
        this.localAddress = address(channel, false);
        this.remoteAddress = address(channel, true);
    }

    /** The channel's local or remote address, or null if it is closed or the name cannot be read. */
    private static SocketAddress address(UnixSocketChannel channel, boolean remote) {
        try {
            return remote ? channel.getRemoteAddress() : channel.getLocalAddress();
        } catch (IOException e) {
            return null;
        }
    }

    /** {@return a new view of {@code channel}} */
    static SocketView of(UnixSocketChannel channel) {
        try {
            return new SocketView(channel);
        } catch (SocketException e) {
            throw new AssertionError("Socket without an implementation refused", e);
        }
    }

    /**
     * Always throws: the end is connected to its peer for its whole life.
     *
     * @throws IllegalArgumentException if {@code remote} is null
     * @throws SocketException          "Unsupported address type" if {@code remote} is not a
     *                                  {@link UnixDomainSocketAddress}, else "Socket is closed" if
     *                                  the channel is closed, otherwise "Already connected"
     */
    @Override
    public void connect(SocketAddress remote) throws IOException {
        connect(remote, 0);
    }

    /**
     * Always throws, as {@link #connect(SocketAddress)}.
     *
     * @throws IllegalArgumentException if {@code remote} is null or {@code timeout} negative
     * @throws SocketException          "Unsupported address type" if {@code remote} is not a
     *                                  {@link UnixDomainSocketAddress}, else "Socket is closed" if
     *                                  the channel is closed, otherwise "Already connected"
     */
    @Override
    public void connect(SocketAddress remote, int timeout) throws IOException {
        if (remote == null) {
            throw new IllegalArgumentException("connect: The address can't be null");
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("connect: timeout can't be negative");
        }
        if (!(remote instanceof UnixDomainSocketAddress)) {
            throw new SocketException("Unsupported address type");
        }
        throw new SocketException(channel.isOpen() ? "Already connected" : "Socket is closed");
    }

    /**
     * Always throws: the end is bound from birth.
     *
     * @throws SocketException "Socket is closed" if the channel is closed, otherwise "Already bound"
     */
    @Override
    public void bind(SocketAddress local) throws IOException {
        throw new SocketException(channel.isOpen() ? "Already bound" : "Socket is closed");
    }

    /** {@return null: a UNIX-domain socket has no IP address} */
    @Override
    public InetAddress getInetAddress() {
        return null;
    }

    /** {@return the wildcard address, as {@link Socket} answers for a socket bound to no IP address} */
    @Override
    public InetAddress getLocalAddress() {
        return new InetSocketAddress(0).getAddress();
    }

    /** {@return 0: a UNIX-domain socket has no port} */
    @Override
    public int getPort() {
        return 0;
    }

    /** {@return -1: a UNIX-domain socket has no port} */
    @Override
    public int getLocalPort() {
        return -1;
    }

    /**
     * {@return the channel's {@link UnixSocketChannel#getRemoteAddress() remote address}}, also once the
     * socket is closed; null if the channel was closed before this view was made, or the name could not
     * be read.
     */
    @Override
    public SocketAddress getRemoteSocketAddress() {
        return remoteAddress;
    }

    /**
     * {@return the channel's {@link UnixSocketChannel#getLocalAddress() local address}}, also once the
     * socket is closed; null if the channel was closed before this view was made, or the name could not
     * be read.
     */
    @Override
    public SocketAddress getLocalSocketAddress() {
        return localAddress;
    }

    /** {@return the channel this socket is a view of} */
    @Override
    public SocketChannel getChannel() {
        return channel;
    }

    /**
     * Returns a stream that reads the channel, waiting at most {@link #getSoTimeout()} for the first byte
     * of each read; see the class description. Each call returns a new stream over the same channel.
     *
     * @throws SocketException "Socket is closed" if the channel is closed, "Socket input is shutdown" if
     *                         its input has been shut down
     */
    @Override
    public InputStream getInputStream() throws IOException {
        ensureOpen();
        if (channel.isInputShutdown()) {
            throw new SocketException("Socket input is shutdown");
        }
        return new SocketInputStream(channel, () -> TimeUnit.MILLISECONDS.toNanos(timeout));
    }

    /**
     * Returns a stream that writes to the channel, blocking until every byte is written; see the class
     * description. Each call returns a new stream over the same channel.
     *
     * @throws SocketException "Socket is closed" if the channel is closed, "Socket output is shutdown" if
     *                         its output has been shut down
     */
    @Override
    public OutputStream getOutputStream() throws IOException {
        ensureOpen();
        if (channel.isOutputShutdown()) {
            throw new SocketException("Socket output is shutdown");
        }
        return new SocketOutputStream(channel);
    }

    /**
     * Always throws: {@code TCP_NODELAY} is an option of TCP.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setTcpNoDelay(boolean on) throws SocketException {
        setSocketOption(StandardSocketOptions.TCP_NODELAY, on);
    }

    /**
     * Always throws: {@code TCP_NODELAY} is an option of TCP.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public boolean getTcpNoDelay() throws SocketException {
        return getSocketOption(StandardSocketOptions.TCP_NODELAY);
    }

    /**
     * Sets the channel's {@code SO_LINGER}: off, or on with {@code linger} seconds.
     *
     * @throws IllegalArgumentException if {@code on} and {@code linger} is negative
     * @throws SocketException          "Socket is closed" if the channel is closed, or if setsockopt(2)
     *                                  fails
     */
    @Override
    public void setSoLinger(boolean on, int linger) throws SocketException {
        if (on && linger < 0) {
            throw new IllegalArgumentException("invalid value for SO_LINGER");
        }
        setSocketOption(StandardSocketOptions.SO_LINGER, on ? linger : -1);
    }

    /**
     * {@return the channel's {@code SO_LINGER}: -1 while lingering is off, else the interval in seconds}
     *
     * @throws SocketException "Socket is closed" if the channel is closed, or if getsockopt(2) fails
     */
    @Override
    public int getSoLinger() throws SocketException {
        return getSocketOption(StandardSocketOptions.SO_LINGER);
    }

    /**
     * Always throws: a UNIX-domain socket has no urgent data.
     *
     * @throws SocketException "Socket is closed" if the channel is closed
     * @throws UnsupportedOperationException otherwise
     */
    @Override
    public void sendUrgentData(int data) throws IOException {
        ensureOpen();
        throw new UnsupportedOperationException("urgent data not supported");
    }

    /**
     * Always throws: {@code SO_OOBINLINE} is an option of TCP.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setOOBInline(boolean on) throws SocketException {
        throw noOutOfBandData();
    }

    /**
     * Always throws: {@code SO_OOBINLINE} is an option of TCP.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public boolean getOOBInline() throws SocketException {
        throw noOutOfBandData();
    }

    private static UnsupportedOperationException noOutOfBandData() {
        return new UnsupportedOperationException("'SO_OOBINLINE' not supported");
    }

    /**
     * Sets how long a read of the input stream waits for its first byte, in milliseconds (0: without
     * limit); reads already waiting keep the timeout they began with.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     * @throws SocketException          "Socket is closed" if the channel is closed
     */
    @Override
    public void setSoTimeout(int timeout) throws SocketException {
        ensureOpen();
        if (timeout < 0) {
            throw new IllegalArgumentException("timeout < 0");
        }
        this.timeout = timeout;
    }

    /**
     * {@return the read timeout in milliseconds, 0 for none}
     *
     * @throws SocketException "Socket is closed" if the channel is closed
     */
    @Override
    public int getSoTimeout() throws SocketException {
        ensureOpen();
        return timeout;
    }

    /**
     * Sets the channel's {@code SO_SNDBUF}; the kernel may adjust it.
     *
     * @throws IllegalArgumentException if {@code size} is not positive
     * @throws SocketException          "Socket is closed" if the channel is closed, or if setsockopt(2)
     *                                  fails
     */
    @Override
    public void setSendBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid send size");
        }
        setSocketOption(StandardSocketOptions.SO_SNDBUF, size);
    }

    /**
     * {@return the channel's {@code SO_SNDBUF}}
     *
     * @throws SocketException "Socket is closed" if the channel is closed, or if getsockopt(2) fails
     */
    @Override
    public int getSendBufferSize() throws SocketException {
        return getSocketOption(StandardSocketOptions.SO_SNDBUF);
    }

    /**
     * Sets the channel's {@code SO_RCVBUF}; the kernel may adjust it.
     *
     * @throws IllegalArgumentException if {@code size} is not positive
     * @throws SocketException          "Socket is closed" if the channel is closed, or if setsockopt(2)
     *                                  fails
     */
    @Override
    public void setReceiveBufferSize(int size) throws SocketException {
        if (size <= 0) {
            throw new IllegalArgumentException("Invalid receive size");
        }
        setSocketOption(StandardSocketOptions.SO_RCVBUF, size);
    }

    /**
     * {@return the channel's {@code SO_RCVBUF}}
     *
     * @throws SocketException "Socket is closed" if the channel is closed, or if getsockopt(2) fails
     */
    @Override
    public int getReceiveBufferSize() throws SocketException {
        return getSocketOption(StandardSocketOptions.SO_RCVBUF);
    }

    /**
     * Always throws: {@code SO_KEEPALIVE} is an option of TCP.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setKeepAlive(boolean on) throws SocketException {
        setSocketOption(StandardSocketOptions.SO_KEEPALIVE, on);
    }

    /**
     * Always throws: {@code SO_KEEPALIVE} is an option of TCP.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public boolean getKeepAlive() throws SocketException {
        return getSocketOption(StandardSocketOptions.SO_KEEPALIVE);
    }

    /**
     * Always throws: {@code IP_TOS} is an option of IP.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setTrafficClass(int tc) throws SocketException {
        setSocketOption(StandardSocketOptions.IP_TOS, tc);
    }

    /**
     * Always throws: {@code IP_TOS} is an option of IP.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public int getTrafficClass() throws SocketException {
        return getSocketOption(StandardSocketOptions.IP_TOS);
    }

    /**
     * Always throws: {@code SO_REUSEADDR} is an option of IP.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public void setReuseAddress(boolean on) throws SocketException {
        setSocketOption(StandardSocketOptions.SO_REUSEADDR, on);
    }

    /**
     * Always throws: {@code SO_REUSEADDR} is an option of IP.
     *
     * @throws UnsupportedOperationException always
     */
    @Override
    public boolean getReuseAddress() throws SocketException {
        return getSocketOption(StandardSocketOptions.SO_REUSEADDR);
    }

    /** Does nothing, as {@link Socket#setPerformancePreferences} does. */
    @Override
    public void setPerformancePreferences(int connectionTime, int latency, int bandwidth) {
    }

    /**
     * Closes the channel, as {@link UnixSocketChannel#close()} does.
     *
     * @throws IOException if close(2) fails
     */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    /**
     * Shuts down the channel's input, as {@link UnixSocketChannel#shutdownInput()} does.
     *
     * @throws SocketException "Socket is closed" if the channel is closed, or if shutdown(2) fails
     */
    @Override
    public void shutdownInput() throws IOException {
        try {
            channel.shutdownInput();
        } catch (IOException e) {
            throw socketException(e);
        }
    }

    /**
     * Shuts down the channel's output, as {@link UnixSocketChannel#shutdownOutput()} does.
     *
     * @throws SocketException "Socket is closed" if the channel is closed, or if shutdown(2) fails
     */
    @Override
    public void shutdownOutput() throws IOException {
        try {
            channel.shutdownOutput();
        } catch (IOException e) {
            throw socketException(e);
        }
    }

    @Override
    public String toString() {
        return "Socket[" + channel + "]";
    }

    /** {@return whether the channel is open: an end is connected from birth until closed} */
    @Override
    public boolean isConnected() {
        return channel.isConnected();
    }

    /** {@return true: an end is bound from birth} */
    @Override
    public boolean isBound() {
        return true;
    }

    /** {@return whether the channel is closed} */
    @Override
    public boolean isClosed() {
        return !channel.isOpen();
    }

    /** {@return whether the channel's input has been shut down} */
    @Override
    public boolean isInputShutdown() {
        return channel.isInputShutdown();
    }

    /** {@return whether the channel's output has been shut down} */
    @Override
    public boolean isOutputShutdown() {
        return channel.isOutputShutdown();
    }

    /**
     * Sets an option of the channel, as {@link UnixSocketChannel#setOption} does.
     *
     * @return this socket
     * @throws UnsupportedOperationException if the channel does not support the option
     * @throws IOException                   as {@link UnixSocketChannel#setOption} throws it
     */
    @Override
    public <T> Socket setOption(SocketOption<T> name, T value) throws IOException {
        channel.setOption(name, value);
        return this;
    }

    /**
     * {@return an option of the channel, as {@link UnixSocketChannel#getOption} reads it}
     *
     * @throws UnsupportedOperationException if the channel does not support the option
     * @throws IOException                   as {@link UnixSocketChannel#getOption} throws it
     */
    @Override
    public <T> T getOption(SocketOption<T> name) throws IOException {
        return channel.getOption(name);
    }

    /** {@return the channel's {@link UnixSocketChannel#supportedOptions() options}} */
    @Override
    public Set<SocketOption<?>> supportedOptions() {
        return channel.supportedOptions();
    }

    private void ensureOpen() throws SocketException {
        if (!channel.isOpen()) {
            throw new SocketException("Socket is closed");
        }
    }

    /** Sets an option of the channel, as {@link Socket}'s setters do: an I/O failure is a {@link SocketException}. */
    private <T> void setSocketOption(SocketOption<T> name, T value) throws SocketException {
        try {
            channel.setOption(name, value);
        } catch (IOException e) {
            throw socketException(e);
        }
    }

    /** Reads an option of the channel, as {@link Socket}'s getters do: an I/O failure is a {@link SocketException}. */
    private <T> T getSocketOption(SocketOption<T> name) throws SocketException {
        try {
            return channel.getOption(name);
        } catch (IOException e) {
            throw socketException(e);
        }
    }

    /**
     * {@return {@code e} as the JDK's socket adaptor reports it}: a {@link SocketException} as it is, a
     * closed channel as "Socket is closed", any other failure as a {@link SocketException} with its message
     * and {@code e} as the cause.
     */
    private static SocketException socketException(IOException e) {
        if (e instanceof SocketException se) {
            return se;
        }
        SocketException translated = new SocketException(e instanceof ClosedChannelException ? "Socket is closed" : e.getMessage());
        translated.initCause(e);
        return translated;
    }
}
