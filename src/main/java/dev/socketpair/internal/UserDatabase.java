package dev.socketpair.internal;

import dev.socketpair.internal.platform.CLibrary;
import dev.socketpair.internal.platform.Platform;
import dev.socketpair.internal.platform.StructField;
import dev.socketpair.internal.platform.Structs;

import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemorySegment;
import java.nio.charset.Charset;
import java.util.Optional;

/**
 * The names the system's user and group databases give to numeric ids, through getpwuid_r(3) and
 * getgrgid_r(3): whatever sources the C library consults (files, NSS modules, directory services).
 *
 * <p>A lookup may block for as long as those sources take to answer. Each call uses memory of its own;
 * safe for use by multiple threads.
 */
public final class UserDatabase {

    private static final CLibrary C = Platform.current().library();
    private static final int ERANGE = C.errno("ERANGE");
    /** The buffer for an entry's strings starts at this size and doubles while the call says ERANGE. */
    private static final long FIRST_BUFFER = 1024;
    /** An entry whose strings need more than this is treated as no entry. */
    private static final long LARGEST_BUFFER = 1 << 20;

    private UserDatabase() {
    }

    /**
     * Returns the name of a user id, decoded with {@code charset}: nothing if the database has no entry
     * for it, the entry's name is empty, or the lookup fails (as the JDK's own lookups fall back to the
     * number then).
     */
    public static Optional<String> userName(int uid, Charset charset) {
        return name(uid, charset, Structs.UserDatabase.PASSWD, Structs.UserDatabase.PW_NAME, Syscalls::getpwuid_r);
    }

    /** Returns the name of a group id, decoded with {@code charset}, as {@link #userName} does for users. */
    public static Optional<String> groupName(int gid, Charset charset) {
        return name(gid, charset, Structs.UserDatabase.GROUP, Structs.UserDatabase.GR_NAME, Syscalls::getgrgid_r);
    }

    /** getpwuid_r(3) or getgrgid_r(3), as {@link Syscalls} wraps them. */
    @FunctionalInterface
    private interface Lookup {
        int find(int id, MemorySegment entry, MemorySegment buffer, long size, MemorySegment result);
    }

    private static Optional<String> name(int id, Charset charset, GroupLayout entryLayout, StructField nameField,
                                         Lookup lookup) {
        for (long size = FIRST_BUFFER; size <= LARGEST_BUFFER; size *= 2) {
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment entry = arena.allocate(entryLayout);
                MemorySegment buffer = arena.allocate(size);
                MemorySegment result = arena.allocate(C.cPointer());
                int r = lookup.find(id, entry, buffer, size, result);
                if (r == -ERANGE) {
                    continue;
                }
                if (r < 0 || result.get(C.cPointer(), 0).equals(MemorySegment.NULL)) {
                    return Optional.empty();
                }
                // The entry's strings live in the buffer given (POSIX): read the name from there, by
                // its offset, rather than through a pointer of unknown extent.
                long offset = nameField.getAddress(entry).address() - buffer.address();
                if (offset < 0 || offset >= size) {
                    return Optional.empty();
                }
                String name = buffer.getString(offset, charset);
                return name.isEmpty() ? Optional.empty() : Optional.of(name);
            }
        }
        return Optional.empty();
    }
}
