package dev.socketpair.bench;

import dev.socketpair.SocketPair;
import dev.socketpair.SocketType;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * An end that is nothing but a descriptor and plain downcalls to the C library's read(2) and write(2),
 * each capturing errno as any library must: the least a Java program pays to move bytes through FFM,
 * without channel semantics (no locks, no close or interrupt handling, no blocking-mode logic). The
 * distance from C to this end is what FFM costs; the distance from this end to the library's is what
 * the library adds.
 */
final class PlainFfmEnd implements End {

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CAPTURE.varHandle(StructLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKETPAIR = function("socketpair", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
    private static final MethodHandle READ = function("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle WRITE = function("write",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
    private static final MethodHandle CLOSE = function("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final int fd;
    private final MemorySegment outgoing;
    private final MemorySegment incoming;
    private final MemorySegment errno;
    private boolean closed;

    private PlainFfmEnd(int fd, long messageSize, long readSize, Arena arena) {
        this.fd = fd;
        this.outgoing = AlignedBuffers.segment(arena, messageSize).fill((byte) 7);
        this.incoming = AlignedBuffers.segment(arena, readSize);
        this.errno = arena.allocate(CAPTURE);
    }

    private static MethodHandle function(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor,
                Linker.Option.captureCallState("errno"));
    }

    /** Two blocking ends of a new pair of {@code type}, their memory in {@code arena}. */
    static Variant.Connection open(SocketType type, long messageSize, long readSize, Arena arena) throws IOException {
        MemorySegment fds = arena.allocate(ValueLayout.JAVA_INT, 2);
        MemorySegment errno = arena.allocate(CAPTURE);
        int r;
        try {
            r = (int) SOCKETPAIR.invokeExact(errno, SocketPair.AF_UNIX, type.value(), 0, fds);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (r < 0) {
            throw new IOException("socketpair: errno " + (int) ERRNO.get(errno, 0L));
        }
        return new Variant.Connection(
                new PlainFfmEnd(fds.getAtIndex(ValueLayout.JAVA_INT, 0), messageSize, readSize, arena),
                new PlainFfmEnd(fds.getAtIndex(ValueLayout.JAVA_INT, 1), messageSize, readSize, arena));
    }

    @Override
    public void writeMessage() throws IOException {
        long size = outgoing.byteSize();
        long done = 0;
        while (done < size) {
            done += check("write", write(done == 0 ? outgoing : outgoing.asSlice(done), size - done));
        }
    }

    @Override
    public long readOnce() throws IOException {
        long n = check("read", read(incoming, incoming.byteSize()));
        return n == 0 ? -1 : n;
    }

    @Override
    public void readMessage() throws IOException {
        long size = Math.min(outgoing.byteSize(), incoming.byteSize());
        long got = 0;
        while (got < size) {
            long n = check("read", read(got == 0 ? incoming : incoming.asSlice(got), size - got));
            if (n == 0) {
                throw new IOException("end of stream");
            }
            got += n;
        }
    }

    private long write(MemorySegment from, long length) {
        try {
            return (long) WRITE.invokeExact(errno, fd, from, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private long read(MemorySegment into, long length) {
        try {
            return (long) READ.invokeExact(errno, fd, into, length);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private long check(String call, long result) throws IOException {
        if (result < 0) {
            throw new IOException(call + ": errno " + (int) ERRNO.get(errno, 0L));
        }
        return result;
    }

    @Override
    public long messageSize() {
        return outgoing.byteSize();
    }

    @Override
    public void close() throws IOException {
        // Closed once: a connection closes an end that a benchmark's tear-down may have closed already.
        if (closed) {
            return;
        }
        closed = true;
        try {
            int r = (int) CLOSE.invokeExact(errno, fd);
            if (r < 0) {
                throw new IOException("close: errno " + (int) ERRNO.get(errno, 0L));
            }
        } catch (IOException e) {
            throw e;
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }
}
