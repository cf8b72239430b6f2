/**
 * Connected pairs of UNIX-domain sockets, made by socketpair(2), as {@link java.nio.channels.SocketChannel}s.
 *
 * <p>{@link dev.socketpair.SocketPair} opens a pair; each end is a {@link dev.socketpair.UnixSocketChannel}
 * with the JDK's channel semantics, of any {@link dev.socketpair.SocketType}:
 *
 * {@snippet :
 * try (SocketPair pair = SocketPair.open(SocketType.SEQPACKET)) {
 *     pair.first().write(ByteBuffer.wrap(new byte[] {1, 2, 3}));   // one message
 *     ByteBuffer message = ByteBuffer.allocate(64);
 *     int length = pair.second().read(message);                    // 3: the whole message
 * }
 * }
 *
 * <p>An existing AF_UNIX socket descriptor, inherited or received, becomes a channel with
 * {@link dev.socketpair.UnixSocketChannel#adopt(int)}. A failed system call throws
 * {@link dev.socketpair.ErrnoException}, which names the call and the errno.
 *
 * <p>Descriptors travel with data ({@code SCM_RIGHTS}) and arrive as a
 * {@link dev.socketpair.ReceivedMessage} that owns them until they are taken:
 *
 * {@snippet :
 * carrier.sendAndClose(ByteBuffer.wrap(new byte[] {1}), pair.second());   // or sendDescriptors(data, fd...)
 * try (ReceivedMessage message = peer.receive(ByteBuffer.allocate(16), 1)) {
 *     UnixSocketChannel received = message.adoptChannel(0);
 * }
 * }
 *
 * <p>A {@link java.io.FileDescriptor} travels too, for code that holds files as streams:
 * {@link dev.socketpair.UnixSocketChannel#sendDescriptors(java.nio.ByteBuffer, java.io.FileDescriptor...)}
 * sends it and {@link dev.socketpair.ReceivedMessage#takeFileDescriptor(int)} gives one back for a
 * {@link java.io.FileInputStream} or {@link java.io.FileOutputStream}, where the command line opens
 * {@code java.base/java.io} to this library (the number inside a FileDescriptor is private to
 * {@code java.base}).
 *
 * <p>{@link dev.socketpair.UnixSocketChannel#peerCredentials()} and
 * {@link dev.socketpair.UnixSocketOptions#SO_PASSCRED} give the peer's {@link dev.socketpair.Credentials}.
 *
 * <p>{@link dev.socketpair.ChildProcessBuilder} starts a child process that inherits sockets at chosen
 * descriptor numbers, standard input and output included, which {@link java.lang.ProcessBuilder} cannot:
 *
 * {@snippet :
 * try (SocketPair pair = SocketPair.open()) {
 *     Process child = new ChildProcessBuilder("python3", "-c", "import socket; s = socket.socket(fileno=3); s.send(s.recv(64).upper())")
 *             .place(3, pair.second())     // the child's descriptor 3
 *             .start();
 *     pair.second().close();               // the child has its own copy of this end
 *     pair.first().write(ByteBuffer.wrap("ping".getBytes(StandardCharsets.US_ASCII)));
 *     ByteBuffer reply = ByteBuffer.allocate(64);
 *     pair.first().read(reply);            // "PING"
 *     int status = child.waitFor();        // 0
 * }
 * }
 *
 * <h2>Selectors</h2>
 * Non-blocking channels of this package are multiplexed by a selector of their own, on epoll(7), or on
 * poll(2) where the system has no epoll (the BSDs, macOS), from
 * {@link dev.socketpair.UnixSocketChannel#openSelector()} (or {@code channel.provider().openSelector()}):
 *
 * {@snippet :
 * try (Selector selector = UnixSocketChannel.openSelector();
 *      SocketPair pair = SocketPair.open(SocketType.STREAM, SocketFlag.NONBLOCK, SocketFlag.CLOEXEC)) {
 *     pair.second().register(selector, SelectionKey.OP_READ);
 *     pair.first().write(ByteBuffer.wrap(new byte[] {42}));
 *     selector.select();                                   // 1: pair.second() is readable
 *     for (SelectionKey key : selector.selectedKeys()) {
 *         ((UnixSocketChannel) key.channel()).read(ByteBuffer.allocate(16));
 *     }
 *     selector.selectedKeys().clear();
 * }
 * }
 *
 * <p><b>This package's channels and the JDK's channels cannot share one selector.</b> A selector belongs
 * to one {@link java.nio.channels.spi.SelectorProvider} and takes only that provider's channels: a
 * {@code UnixSocketChannel} registered with {@link java.nio.channels.Selector#open()}'s selector, or a
 * JDK channel registered with this package's, throws {@link java.nio.channels.IllegalSelectorException}.
 * A server that serves both kinds uses two selectors, one for each provider, each selecting in its own
 * thread:
 *
 * {@snippet :
 * Selector jdkSelector = Selector.open();                  // ServerSocketChannel, SocketChannel, ...
 * Selector unixSelector = UnixSocketChannel.openSelector(); // UnixSocketChannel
 * Thread.ofPlatform().start(() -> serve(jdkSelector));     // serve: the usual select loop
 * Thread.ofPlatform().start(() -> serve(unixSelector));
 * // Hand a channel to the selector of its kind: register it from that selector's thread, or call
 * // wakeup() so that the selecting thread sees the new key.
 * }
 *
 * <p>or gives up selectors for virtual threads, one for each connection, each with blocking channels of
 * either kind; a virtual thread waiting in a read or write of this package parks without holding its
 * carrier, as one waiting on a JDK channel does:
 *
 * {@snippet :
 * try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
 *     threads.submit(() -> echo(pair.second()));          // a blocking UnixSocketChannel
 *     threads.submit(() -> echo(server.accept()));        // a blocking JDK SocketChannel
 * }
 * }
 *
 * <p>Native access must be enabled for the module {@code dev.socketpair} (or for {@code ALL-UNNAMED} on
 * the class path).
 */
package dev.socketpair;
