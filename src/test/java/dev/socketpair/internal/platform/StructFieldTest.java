package dev.socketpair.internal.platform;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class StructFieldTest {

    /** musl's {@code struct msghdr} on a little-endian 64-bit system: 4-byte lengths beside padding. */
    private static final GroupLayout MUSL_MSGHDR = MemoryLayout.structLayout(
            ValueLayout.ADDRESS.withName("msg_name"), ValueLayout.JAVA_INT.withName("msg_namelen"),
            MemoryLayout.paddingLayout(4), ValueLayout.ADDRESS.withName("msg_iov"),
            ValueLayout.JAVA_INT.withName("msg_iovlen"), ValueLayout.JAVA_INT.withName("__pad1"),
            ValueLayout.ADDRESS.withName("msg_control"), ValueLayout.JAVA_INT.withName("msg_controllen"),
            ValueLayout.JAVA_INT.withName("__pad2"), ValueLayout.JAVA_INT.withName("msg_flags"),
            MemoryLayout.paddingLayout(4)).withName("msghdr");

    /** FreeBSD's {@code struct xucred}, whose pid is in an anonymous union, as jextract names it. */
    private static final GroupLayout XUCRED = MemoryLayout.structLayout(
            ValueLayout.JAVA_INT.withName("cr_version"), ValueLayout.JAVA_INT.withName("cr_uid"),
            ValueLayout.JAVA_SHORT.withName("cr_ngroups"), MemoryLayout.paddingLayout(2),
            MemoryLayout.sequenceLayout(16, ValueLayout.JAVA_INT).withName("cr_groups"), MemoryLayout.paddingLayout(4),
            MemoryLayout.unionLayout(ValueLayout.ADDRESS.withName("_cr_unused1"), ValueLayout.JAVA_INT.withName("cr_pid"))
                    .withName("$anon$102:2")).withName("xucred");

    @Test
    void aFourByteLengthIsWrittenInItsOwnWidthLeavingThePaddingAlone() {
        StructField controllen = StructField.of(MUSL_MSGHDR, "msg_controllen");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(MUSL_MSGHDR).fill((byte) 0x55);
            controllen.set(header, 24);
            assertThat(controllen.get(header)).isEqualTo(24);
            assertThat(header.get(ValueLayout.JAVA_INT, 44)).as("__pad2").isEqualTo(0x55555555);
            assertThat(controllen.offset()).isEqualTo(40);
        }
    }

    @Test
    void aValueWiderThanTheMemberIsRefusedNotTruncated() {
        StructField iovlen = StructField.of(MUSL_MSGHDR, "msg_iovlen");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment header = arena.allocate(MUSL_MSGHDR);
            assertThatThrownBy(() -> iovlen.set(header, 1L << 32))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("msghdr.msg_iovlen");
        }
    }

    @Test
    void aMemberOfAnAnonymousUnionIsFoundByItsOwnName() {
        StructField pid = StructField.of(XUCRED, "cr_pid");
        StructField firstGroup = StructField.firstElement(XUCRED, "cr_groups");
        assertThat(pid.offset()).isEqualTo(80);
        assertThat(firstGroup.offset()).isEqualTo(12);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment credentials = arena.allocate(XUCRED);
            credentials.set(ValueLayout.JAVA_INT, 80, 4242);
            credentials.set(ValueLayout.JAVA_INT, 12, 20);
            assertThat(pid.getInt(credentials)).isEqualTo(4242);
            assertThat(firstGroup.getInt(credentials)).isEqualTo(20);
        }
    }

    @Test
    void anAbsentMemberIsNamedInTheError() {
        assertThatThrownBy(() -> StructField.of(MUSL_MSGHDR, "msg_iovcount"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("msghdr.msg_iovcount: no member msg_iovcount");
        assertThatThrownBy(() -> StructField.of(XUCRED, "cr_groups"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("xucred.cr_groups is not a scalar member");
    }

    @Test
    void anArrayElementOfTheStructAtAnOffsetIsReadThere() {
        StructField iovlen = StructField.of(MUSL_MSGHDR, "msg_iovlen");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment headers = arena.allocate(MUSL_MSGHDR, 3);
            iovlen.set(headers, 2 * MUSL_MSGHDR.byteSize(), 7);
            assertThat(iovlen.get(headers, 2 * MUSL_MSGHDR.byteSize())).isEqualTo(7);
            assertThat(iovlen.get(headers, MUSL_MSGHDR.byteSize())).isZero();
        }
    }

    @Test
    void aPointerMemberWrittenFromABareAddressReadsBackAsThatAddressLeavingItsNeighboursAlone() {
        StructField iov = StructField.of(MUSL_MSGHDR, "msg_iov");
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment headers = arena.allocate(MUSL_MSGHDR, 2).fill((byte) 0x55);
            long base = MUSL_MSGHDR.byteSize();
            iov.set(headers, base, 0x7f12_3456_789aL);
            assertThat(iov.get(headers, base)).isEqualTo(0x7f12_3456_789aL);
            assertThat(headers.get(ValueLayout.ADDRESS, base + 16).address()).isEqualTo(0x7f12_3456_789aL);
            assertThat(headers.get(ValueLayout.JAVA_INT, base + 12)).as("the padding before").isEqualTo(0x55555555);
            assertThat(headers.get(ValueLayout.JAVA_INT, base + 24)).as("msg_iovlen after").isEqualTo(0x55555555);
            assertThat(iov.get(headers, 0)).as("the struct before").isEqualTo(0x5555_5555_5555_5555L);
        }
    }

    /**
     * Offsets are summed over the members rather than asked of a layout path: for every scalar member,
     * named or inside an anonymous member, of this system's structs and of the ones above, they must be
     * what the layout path gives.
     */
    @Test
    void everyMembersOffsetIsTheOneItsLayoutPathGives() {
        CLibrary c = Platform.current().library();
        List<GroupLayout> structs = new ArrayList<>(List.of(MUSL_MSGHDR, XUCRED, Linker.Option.captureStateLayout()));
        for (String name : new String[] {"msghdr", "iovec", "pollfd", "cmsghdr", "linger", "passwd", "group",
                "epoll_event", "mmsghdr", "ucred"}) {
            try {
                structs.add(c.struct(name));
            } catch (IllegalStateException notOnThisSystem) {
                // epoll_event and mmsghdr are Linux's, ucred is not on every system.
            }
        }
        int checked = 0;
        for (GroupLayout struct : structs) {
            checked += checkMembers(struct, struct, new ArrayList<>(), new ArrayList<>());
        }
        assertThat(checked).as("scalar members checked").isGreaterThan(40);
    }

    /** Checks every scalar member under {@code group}, reached from {@code struct} by {@code names}. */
    private static int checkMembers(GroupLayout struct, GroupLayout group, List<String> names,
                                    List<MemoryLayout.PathElement> path) {
        int checked = 0;
        for (MemoryLayout member : group.memberLayouts()) {
            String name = member.name().orElse(null);
            if (name == null) {
                continue;
            }
            path.add(MemoryLayout.PathElement.groupElement(name));
            boolean anonymous = name.startsWith("$anon$");
            if (!anonymous) {
                names.add(name);
            }
            if (member instanceof ValueLayout) {
                StructField field = StructField.of(struct, names.toArray(new String[0]));
                assertThat(field.offset()).as(field.name())
                        .isEqualTo(struct.byteOffset(path.toArray(new MemoryLayout.PathElement[0])));
                assertThat(field.layout()).as(field.name()).isEqualTo(member);
                if (path.size() == 1) {
                    assertThat(StructField.offsetOf(struct, name)).as(field.name()).isEqualTo(field.offset());
                }
                checked++;
            } else if (member instanceof GroupLayout nested) {
                checked += checkMembers(struct, nested, names, path);
            }
            if (!anonymous) {
                names.removeLast();
            }
            path.removeLast();
        }
        return checked;
    }

    @Test
    void theOffsetOfAnAbsentMemberIsRefusedWithItsName() {
        assertThatThrownBy(() -> StructField.offsetOf(MUSL_MSGHDR, "msg_iovcount"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("msghdr: no member msg_iovcount");
        assertThat(StructField.offsetOf(XUCRED, "$anon$102:2")).isEqualTo(80);
    }
}
