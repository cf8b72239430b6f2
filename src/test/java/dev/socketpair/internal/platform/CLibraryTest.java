package dev.socketpair.internal.platform;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CLibraryTest {

    private final CLibrary c = Platform.current().library();

    @Test
    void aNameTheBindingsLackIsAnErrorNamingTheSystemAndTheName() {
        assertThat(c.hasConstant("LOCAL_PEERCRED")).isFalse();
        assertThatThrownBy(() -> c.constant("LOCAL_PEERCRED"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(c.abi().description() + " has no constant LOCAL_PEERCRED in its bindings");
        assertThatThrownBy(() -> c.struct("xucred"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(c.abi().description() + " has no type xucred in its bindings");
        assertThatThrownBy(() -> c.errno("EDOOFUS"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(c.abi().description() + " has no errno EDOOFUS in its bindings");
    }

    @Test
    void aFunctionIsItsCLibrarysSymbolWithTheGeneratedDescriptor() {
        CLibrary.NativeFunction socketpair = c.function("socketpair").orElseThrow();
        assertThat(socketpair.address()).isEqualTo(symbol("socketpair"));
        assertThat(socketpair.descriptor().argumentLayouts()).hasSize(4);
        assertThat(c.function("kqueue")).as("not bound on Linux").isEmpty();
    }

    /**
     * jextract gives a variadic function an invoker class, not a descriptor: its fixed arguments are
     * read from that class, with the types of this C library (glibc's {@code unsigned long} request).
     */
    @Test
    void aVariadicFunctionIsItsSymbolWithTheFixedArgumentsOfTheGeneratedInvoker() {
        assertThat(c.function("ioctl")).as("no descriptor of its own").isEmpty();
        CLibrary.NativeFunction ioctl = c.variadicFunction("ioctl").orElseThrow();
        assertThat(ioctl.address()).isEqualTo(symbol("ioctl"));
        assertThat(ioctl.descriptor()).isEqualTo(FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT,
                c.abi().name().contains("MUSL") ? ValueLayout.JAVA_INT : ValueLayout.JAVA_LONG));
        assertThat(c.variadicFunction("socketpair")).as("not variadic").isEmpty();
    }

    /** The C library's {@code name}, looked up by the library's name on this system. */
    @SuppressWarnings("restricted")
    private MemorySegment symbol(String name) {
        return SymbolLookup.libraryLookup(c.abi().libraryName(), Arena.global()).find(name).orElseThrow();
    }

    @Test
    void errnoNamesAreTheGeneratedOnesWithOneNamePerNumber() {
        assertThat(c.errnoNames()).containsEntry(c.errno("EPIPE"), "EPIPE").containsEntry(c.errno("EAGAIN"), "EAGAIN");
        assertThat(c.errnoNames().values()).doesNotHaveDuplicates().doesNotContain("EWOULDBLOCK");
    }
}
