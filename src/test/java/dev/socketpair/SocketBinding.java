package dev.socketpair;

import java.lang.foreign.GroupLayout;
import dev.socketpair.internal.platform.StructField;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.CLibrary;

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

    private static final CLibrary C = Platform.current().library();
    private static final GroupLayout SOCKADDR_UN = C.struct("sockaddr_un");

    private static final MethodHandle BIND = NativeFunctions.downcall("bind",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final long SUN_PATH_OFFSET =
            SOCKADDR_UN.byteOffset(MemoryLayout.PathElement.groupElement("sun_path"));

    /** The size of {@code sun_path}. */
    static final int SUN_PATH_SIZE = (int) (SOCKADDR_UN.byteSize() - SUN_PATH_OFFSET);

    private SocketBinding() {
    }

    /**
     * Binds {@code fd} to exactly {@code name}: the address length covers the name's bytes and no
     * terminating NUL, which the kernel does not need.
     */
    static void bind(int fd, byte[] name) throws Throwable {
        assertThat(name.length).isLessThanOrEqualTo(SUN_PATH_SIZE);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment address = arena.allocate(SOCKADDR_UN).fill((byte) 0);
            StructField.of(SOCKADDR_UN, "sun_family").set(address, (short) C.constant("AF_UNIX"));
            MemorySegment.copy(name, 0, address, ValueLayout.JAVA_BYTE, SUN_PATH_OFFSET, name.length);
            int r = (int) BIND.invokeExact(fd, address, (int) (SUN_PATH_OFFSET + name.length));
            assertThat(r).as("bind(%d)", fd).isZero();
        }
    }
}
