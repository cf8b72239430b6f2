package dev.socketpair;

import dev.socketpair.internal.libc.Libc;
import dev.socketpair.internal.libc.sockaddr_un;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Binds a socket to a name of any bytes with bind(2), which the library does not bind: a path of up to
 * all 108 bytes of {@code sun_path}, bytes that are not valid UTF-8, a Linux abstract name. The JDK's
 * own channels refuse most of these.
 */
final class SocketBinding {

    private static final MethodHandle BIND = NativeFunctions.downcall("bind",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final long SUN_PATH_OFFSET =
            sockaddr_un.layout().byteOffset(MemoryLayout.PathElement.groupElement("sun_path"));

    /** The size of {@code sun_path}. */
    static final int SUN_PATH_SIZE = (int) (sockaddr_un.layout().byteSize() - SUN_PATH_OFFSET);

    private SocketBinding() {
    }

    /**
     * Binds {@code fd} to exactly {@code name}: the address length covers the name's bytes and no
     * terminating NUL, which the kernel does not need.
     */
    static void bind(int fd, byte[] name) throws Throwable {
        assertThat(name.length).isLessThanOrEqualTo(SUN_PATH_SIZE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = sockaddr_un.allocate(arena).fill((byte) 0);
            sockaddr_un.sun_family(address, (short) Libc.AF_UNIX());
            MemorySegment.copy(name, 0, address, ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, name.length);
            int r = (int) BIND.invokeExact(fd, address, (int) (SUN_PATH_OFFSET + name.length));
            assertThat(r).as("bind(%d)", fd).isZero();
        }
    }
}
