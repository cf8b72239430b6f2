package dev.socketpair;

import dev.socketpair.internal.FileDescriptorNumbers;
import dev.socketpair.internal.OwnedDescriptors;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;

/**
 * What one {@link UnixSocketChannel#receive} received: the length of the data, the descriptors that came
 * with it, the sender's credentials if the socket asked for them, and whether anything was cut off.
 *
 * <p>The descriptors are open in this process, close-on-exec, and owned by this object until they are
 * given away: {@link #takeDescriptor} hands one over as a number the caller must close,
 * {@link #takeFileDescriptor} as a {@link FileDescriptor} the caller closes through a stream made from it,
 * {@link #adoptChannel} turns one that is an AF_UNIX socket into a {@link UnixSocketChannel}, and
 * {@link #close()} closes every one still held. Use it in a try-with-resources statement:
 *
 * {@snippet :
 * try (ReceivedMessage message = channel.receive(buffer, 1)) {
 *     if (message.descriptorCount() == 1) {
 *         UnixSocketChannel other = message.adoptChannel(0);   // now other's to close
 *     }
 * }                                                          // closes whatever was not taken
 * }
 *
 * <p>A message that becomes unreachable without being closed has the descriptors it still holds closed
 * by a {@link Cleaner}, as an unreachable channel has its own. Until then the library counts them as its
 * own: {@link UnixSocketChannel#adopt} refuses them, and {@link #adoptChannel} is the way to make one a
 * channel.
 *
 * <p>Safe for use by multiple threads: each descriptor is given away or closed exactly once.
 *
 * @see <a href="https://man7.org/linux/man-pages/man7/unix.7.html">unix(7)</a>
 */
public final class ReceivedMessage implements AutoCloseable {

    /** Marks a slot whose descriptor was given away or closed. */
    private static final int GONE = -1;

    private final int length;
    private final boolean truncated;
    private final boolean controlTruncated;
    private final Credentials credentials;
    private final Held held;
    // Null when nothing was received: there is nothing to clean.
    private final Cleaner.Cleanable cleanable;

    /**
     * Takes ownership of {@code descriptors}, just installed by recvmsg(2): from now on only this
     * message, its cleaner, or whoever takes one closes them.
     */
    ReceivedMessage(int length, boolean truncated, boolean controlTruncated, int[] descriptors,
                    Credentials credentials) {
        this.length = length;
        this.truncated = truncated;
        this.controlTruncated = controlTruncated;
        this.credentials = credentials;
        this.held = new Held(descriptors);
        for (int fd : descriptors) {
            OwnedDescriptors.register(fd, held.owner);
        }
        this.cleanable = descriptors.length == 0 ? null : Cleaning.CLEANER.register(this, held);
    }

    /** The cleaner's thread starts with the first message that holds descriptors. */
    private static final class Cleaning {
        static final Cleaner CLEANER = Cleaner.create();
    }

    /**
     * The descriptors still held, which the cleaner closes if the message is dropped; never refers back
     * to the message. Every change to a slot happens under this object's lock, so that the cleaner
     * closes only what has not been given away.
     */
    private static final class Held implements Runnable {
        final OwnedDescriptors.Owner owner = new OwnedDescriptors.Owner("a ReceivedMessage");
        // Guarded by this.
        final int[] descriptors;

        Held(int[] descriptors) {
            this.descriptors = descriptors;
        }

        /** Closes every descriptor not given away; close(2) releases one even when it reports an error. */
        @Override
        public synchronized void run() {
            for (int i = 0; i < descriptors.length; i++) {
                if (descriptors[i] != GONE) {
                    OwnedDescriptors.close(descriptors[i], owner);
                    descriptors[i] = GONE;
                }
            }
        }
    }

    /**
     * Returns the length of what was received: for STREAM the number of bytes read; for DGRAM and
     * SEQPACKET the length of the message, which is larger than the bytes stored in the buffer when the
     * message was {@linkplain #truncated() truncated}. Returns -1 at end of stream.
     *
     * @return the length in bytes, or -1 at end of stream
     */
    public int length() {
        return length;
    }

    /**
     * Returns whether a DGRAM or SEQPACKET message was longer than the buffer, so that its end was
     * discarded ({@code MSG_TRUNC}); {@link #length()} is its real length, so a receive with a buffer
     * that large would have taken it whole.
     *
     * @return true if part of the message was discarded
     */
    public boolean truncated() {
        return truncated;
    }

    /**
     * Returns whether more descriptors (or other ancillary data) arrived than this receive accepted
     * ({@code MSG_CTRUNC}, or more descriptors than the receive's limit). Descriptors that did not fit
     * were closed; none is left open without an owner.
     *
     * @return true if ancillary data was discarded
     */
    public boolean controlTruncated() {
        return controlTruncated;
    }

    /**
     * Returns the number of descriptors received and accepted, whether still held or already given away.
     *
     * @return the number of descriptors, at most the limit the receive was given
     */
    public int descriptorCount() {
        return held.descriptors.length;
    }

    /**
     * Returns a received descriptor's number without giving it away: it remains this object's to close,
     * and names the received file only while this message is open and reachable.
     *
     * @param index which descriptor, from 0, in the order they were sent
     * @return the descriptor number
     * @throws IndexOutOfBoundsException if {@code index} is not less than {@link #descriptorCount()}
     * @throws IllegalStateException     if the descriptor was given away or closed
     */
    public int descriptor(int index) {
        synchronized (held) {
            return held(index);
        }
    }

    /** The descriptor in slot {@code index}; the caller holds {@link #held}'s lock. */
    private int held(int index) {
        Objects.checkIndex(index, held.descriptors.length);
        int fd = held.descriptors[index];
        if (fd == GONE) {
            throw new IllegalStateException("descriptor " + index + " was given away or closed");
        }
        return fd;
    }

    /**
     * Gives a received descriptor away: from now on the caller owns it and must close it (or hand it to
     * something that will), and {@link #close()} leaves it alone.
     *
     * @param index which descriptor, from 0, in the order they were sent
     * @return the descriptor number
     * @throws IndexOutOfBoundsException if {@code index} is not less than {@link #descriptorCount()}
     * @throws IllegalStateException     if the descriptor was given away or closed
     */
    public int takeDescriptor(int index) {
        synchronized (held) {
            int fd = held(index);
            held.descriptors[index] = GONE;
            OwnedDescriptors.release(fd, held.owner);
            return fd;
        }
    }

    /**
     * Gives a received descriptor away as a {@link FileDescriptor}, for {@code new FileInputStream(fd)},
     * {@code new FileOutputStream(fd)} or any other API that takes one: as with {@link #takeDescriptor},
     * the caller owns it from then on and {@link #close()} leaves it alone. The descriptor may be of any
     * kind (a file, a pipe end, a socket); a stream reads or writes it with read(2) and write(2).
     *
     * {@snippet :
     * try (ReceivedMessage message = channel.receive(buffer, 1);
     *      FileInputStream in = new FileInputStream(message.takeFileDescriptor(0))) {
     *     in.readAllBytes();
     * }                                   // in.close() closed the received descriptor
     * }
     *
     * <p>The caller closes the descriptor by closing a stream made from it: {@link FileInputStream#close()}
     * closes the number and sets the FileDescriptor's to -1, and closes every other stream made from the
     * same FileDescriptor. Nothing else closes it. The JDK registers a {@link Cleaner} only for files it
     * opens itself, not for a FileDescriptor handed to a stream's constructor, so a FileDescriptor (or a
     * stream made from it) dropped without a close leaves the descriptor open for as long as the process
     * runs, as a number from {@link #takeDescriptor} does. (The JDK never closes numbers 0 to 2, which
     * the process's standard streams use: closing a stream over one of them points the number at
     * {@code /dev/null} instead.)
     *
     * <p>The number inside a FileDescriptor is private to {@code java.base}: setting it needs
     * {@code java.base/java.io} opened to this library, with
     * {@code --add-opens java.base/java.io=dev.socketpair} on the module path or
     * {@code --add-opens java.base/java.io=ALL-UNNAMED} on the class path. Without it this method throws
     * {@link UnsupportedOperationException}, whose message names the option, and the descriptor stays
     * held here. The operation is unavailable in this JVM as configured, for as long as it runs, whatever
     * state the message is in: hence {@code UnsupportedOperationException}, not the
     * {@code IllegalStateException} of a state that a later call could find changed.
     *
     * @param index which descriptor, from 0, in the order they were sent
     * @return a new FileDescriptor holding the descriptor
     * @throws IndexOutOfBoundsException     if {@code index} is not less than {@link #descriptorCount()}
     * @throws IllegalStateException         if the descriptor was given away or closed
     * @throws UnsupportedOperationException if {@code java.base/java.io} is not open to this library
     * @see UnixSocketChannel#sendDescriptors(java.nio.ByteBuffer, FileDescriptor...)
     */
    public FileDescriptor takeFileDescriptor(int index) {
        synchronized (held) {
            FileDescriptor taken = FileDescriptorNumbers.fileDescriptor(held(index));
            takeDescriptor(index);
            return taken;
        }
    }

    /**
     * Gives a received descriptor away as a channel, as {@link UnixSocketChannel#adopt} does: the channel
     * owns it from then on. If this throws, the descriptor is still held here.
     *
     * @param index which descriptor, from 0, in the order they were sent
     * @return a channel that owns the descriptor
     * @throws IndexOutOfBoundsException if {@code index} is not less than {@link #descriptorCount()}
     * @throws IllegalStateException     if the descriptor was given away or closed
     * @throws IllegalArgumentException  if the descriptor is a socket of another domain than AF_UNIX
     * @throws ErrnoException            if it is not a socket ({@code ENOTSOCK})
     * @throws IOException               if some other I/O error occurs
     */
    public UnixSocketChannel adoptChannel(int index) throws IOException {
        synchronized (held) {
            UnixSocketChannel channel = UnixSocketChannel.adopt(held(index), held.owner);
            held.descriptors[index] = GONE;
            return channel;
        }
    }

    /**
     * Returns the credentials the message was sent with: present when the receiving socket has
     * {@link UnixSocketOptions#SO_PASSCRED} set (the kernel then attaches them to every message, whether
     * the sender sent them with {@link UnixSocketChannel#sendCredentials} or not). Always empty where the
     * system sends no credentials with messages (see {@link UnixSocketChannel#sendCredentials}).
     *
     * @return the sender's credentials, or empty
     */
    public Optional<Credentials> credentials() {
        return Optional.ofNullable(credentials);
    }

    /**
     * Closes every received descriptor not given away. Closing again has no effect. A descriptor is
     * released by close(2) even when the call reports an error, so this never throws.
     */
    @Override
    public void close() {
        if (cleanable != null) {
            cleanable.clean();
        }
    }

    @Override
    public String toString() {
        String descriptors;
        synchronized (held) {
            descriptors = Arrays.toString(held.descriptors);
        }
        return "ReceivedMessage[length=" + length + (truncated ? " truncated" : "")
                + (controlTruncated ? " control-truncated" : "") + " descriptors=" + descriptors
                + (credentials != null ? " " + credentials : "") + ']';
    }
}
