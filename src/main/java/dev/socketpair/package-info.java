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
 * <p>Native access must be enabled for the module {@code dev.socketpair} (or for {@code ALL-UNNAMED} on
 * the class path).
 */
package dev.socketpair;
