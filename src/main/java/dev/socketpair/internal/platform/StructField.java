package dev.socketpair.internal.platform;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SequenceLayout;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;

/**
 * One scalar member of a C struct, found by name in the running system's layout, read and written as a
 * {@code long} whatever its width there: {@code msg_controllen} is a {@code size_t} on glibc and a
 * {@code socklen_t} followed by padding on musl, {@code cmsg_len} likewise, and {@code epoll_event}'s
 * {@code data} sits at offset 4 on x86-64 and 8 on aarch64. Code above the platform seam names the
 * member; the layout brings the offset, the width and the alignment.
 *
 * <p>A record, so that a field held in a {@code static final} is a constant to the JIT and an access
 * compiles to one load or store. Immutable; safe for use by multiple threads.
 *
 * @param name   the member's path, for messages
 * @param offset the member's offset in the struct
 * @param layout the member's layout (its width, signedness and alignment)
 */
public record StructField(String name, long offset, ValueLayout layout) {

    /** How jextract names an anonymous struct or union member: {@code $anon$} and where it is declared. */
    private static final String ANONYMOUS = "$anon$";
    // Loops over the members, instanceof chains and String.join rather than layout paths, pattern
    // switches, lambdas and string concatenation here: the JDK makes classes at run time for each of
    // those, and members are found and used while a process makes its first calls.

    /**
     * Finds a member, through nested structs and unions when the path has more than one name
     * ({@code "data", "fd"} for {@code epoll_event.data.fd}). As in C, the members of an anonymous struct
     * or union are found by their own names: FreeBSD's {@code xucred.cr_pid} is in one.
     *
     * @throws IllegalArgumentException if the struct has no such member, or it is not a scalar
     */
    public static StructField of(GroupLayout struct, String... path) {
        String name = String.join(".", struct.name().orElse("struct"), String.join(".", path));
        MemoryLayout current = struct;
        long offset = 0;
        for (String member : path) {
            Member found = current instanceof GroupLayout group ? find(group, member) : null;
            if (found == null) {
                throw new IllegalArgumentException(name + ": no member " + member);
            }
            offset += found.offset;
            current = found.layout;
        }
        if (!(current instanceof ValueLayout member)) {
            throw new IllegalArgumentException(name + " is not a scalar member");
        }
        return new StructField(name, offset, member);
    }

    /**
     * Returns the offset of a direct member of {@code struct}, as {@link MemoryLayout#byteOffset} would.
     *
     * @throws IllegalArgumentException if the struct has no member of that name
     */
    public static long offsetOf(GroupLayout struct, String member) {
        Member found = direct(struct, member);
        if (found == null) {
            throw new IllegalArgumentException(struct.name().orElse("struct") + ": no member " + member);
        }
        return found.offset;
    }

    /** A member found in a group: where it starts, from the group's start, and its layout. */
    private static final class Member {
        final long offset;
        final MemoryLayout layout;

        Member(long offset, MemoryLayout layout) {
            this.offset = offset;
            this.layout = layout;
        }
    }

    /** Finds {@code member} of {@code group}, through anonymous members; null if none. */
    private static Member find(GroupLayout group, String member) {
        Member found = direct(group, member);
        if (found != null) {
            return found;
        }
        long offset = 0;
        for (MemoryLayout candidate : group.memberLayouts()) {
            if (candidate.name().orElse("").startsWith(ANONYMOUS) && candidate instanceof GroupLayout nested) {
                Member inside = find(nested, member);
                if (inside != null) {
                    return new Member(offset + inside.offset, inside.layout);
                }
            }
            offset = next(group, offset, candidate);
        }
        return null;
    }

    /** Finds a member of {@code group} by its own name, not through anonymous members; null if none. */
    private static Member direct(GroupLayout group, String member) {
        long offset = 0;
        for (MemoryLayout candidate : group.memberLayouts()) {
            if (member.equals(candidate.name().orElse(null))) {
                return new Member(offset, candidate);
            }
            offset = next(group, offset, candidate);
        }
        return null;
    }

    /**
     * The offset of the member after {@code member}, which starts at {@code offset}: a struct's layout
     * holds its padding as members of their own, so members follow one another; a union's all start at 0.
     */
    private static long next(GroupLayout group, long offset, MemoryLayout member) {
        return group instanceof StructLayout ? offset + member.byteSize() : 0;
    }

    /**
     * Finds the first element of an array member ({@code cr_groups[0]} of {@code struct xucred}).
     *
     * @throws IllegalArgumentException if the struct has no such member, or it is not an array of scalars
     */
    public static StructField firstElement(GroupLayout struct, String array) {
        String name = String.join("", struct.name().orElse("struct"), ".", array, "[0]");
        Member member = direct(struct, array);
        if (!(member != null && member.layout instanceof SequenceLayout sequence
                && sequence.elementLayout() instanceof ValueLayout element)) {
            throw new IllegalArgumentException(name + " is not an element of an array of scalars");
        }
        return new StructField(name, member.offset, element);
    }

    /** Reads the member of the struct at the start of {@code struct}, widened to a {@code long}. */
    public long get(MemorySegment struct) {
        return get(struct, 0);
    }

    /** Reads the member of the struct at {@code base} in {@code memory} (an element of an array). */
    public long get(MemorySegment memory, long base) {
        long at = base + offset;
        if (layout instanceof ValueLayout.OfInt i) {
            return memory.get(i, at);
        } else if (layout instanceof ValueLayout.OfLong l) {
            return memory.get(l, at);
        } else if (layout instanceof ValueLayout.OfShort s) {
            return memory.get(s, at);
        } else if (layout instanceof ValueLayout.OfByte b) {
            return memory.get(b, at);
        } else if (layout instanceof AddressLayout a) {
            return memory.get(a, at).address();
        }
        throw new IllegalStateException(name + " has layout " + layout);
    }

    /** Reads a pointer member of the struct at the start of {@code struct}, as a zero-length segment. */
    public MemorySegment getAddress(MemorySegment struct) {
        return struct.get((AddressLayout) layout, offset);
    }

    /** Reads the member as an {@code int}: for members that hold an {@code int} on every system. */
    public int getInt(MemorySegment struct) {
        return (int) get(struct, 0);
    }

    /** Reads the member of the struct at {@code base} in {@code memory} as an {@code int}. */
    public int getInt(MemorySegment memory, long base) {
        return (int) get(memory, base);
    }

    /**
     * Writes the member of the struct at the start of {@code struct}, narrowed to its width here.
     *
     * @throws IllegalArgumentException if the value does not fit the member
     */
    public void set(MemorySegment struct, long value) {
        set(struct, 0, value);
    }

    /**
     * Writes the member of the struct at {@code base} in {@code memory}, narrowed to its width here.
     *
     * @throws IllegalArgumentException if the value does not fit the member
     */
    public void set(MemorySegment memory, long base, long value) {
        long at = base + offset;
        if (layout instanceof ValueLayout.OfInt i) {
            memory.set(i, at, narrow(value, Integer.MIN_VALUE, 0xFFFF_FFFFL));
        } else if (layout instanceof ValueLayout.OfLong l) {
            memory.set(l, at, value);
        } else if (layout instanceof ValueLayout.OfShort s) {
            memory.set(s, at, (short) narrow(value, Short.MIN_VALUE, 0xFFFF));
        } else if (layout instanceof ValueLayout.OfByte b) {
            memory.set(b, at, (byte) narrow(value, Byte.MIN_VALUE, 0xFF));
        } else if (layout instanceof AddressLayout a) {
            setBareAddress(memory, at, a, value);
        } else {
            throw new IllegalStateException(name + " has layout " + layout);
        }
    }

    /**
     * Writes an address as the integer of a pointer's width: a segment made of it to write, which
     * {@code memory.set(a, at, MemorySegment.ofAddress(value))} would need, is an allocation wherever the
     * JIT does not see through it, and iovec arrays are written in loops.
     */
    private static void setBareAddress(MemorySegment memory, long at, AddressLayout a, long value) {
        if (a.byteSize() == Long.BYTES) {
            memory.set(ValueLayout.JAVA_LONG_UNALIGNED, at, value);
        } else {
            memory.set(ValueLayout.JAVA_INT_UNALIGNED, at, Math.toIntExact(value));
        }
    }

    /** Writes a pointer member of the struct at {@code base} in {@code memory}. */
    public void setAddress(MemorySegment memory, long base, MemorySegment value) {
        memory.set((AddressLayout) layout, base + offset, value);
    }

    private int narrow(long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(value + " does not fit " + name + " (" + layout + ")");
        }
        return (int) value;
    }
}
