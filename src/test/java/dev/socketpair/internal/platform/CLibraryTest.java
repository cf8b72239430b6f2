package dev.socketpair.internal.platform;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Method;
import java.util.Optional;

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
     * A function's descriptor comes from the signature of its generated wrapper, not from the generated
     * descriptor, whose class links a handle of its own when initialised: for every function these
     * bindings describe and the C library has, the two agree, but for a union passed by value (glibc's
     * {@code __SOCKADDR_ARG}), which C passes as its first member, a pointer.
     */
    @Test
    void everyFunctionsDescriptorIsTheGeneratedOneWithUnionsPassedAsPointers() throws Exception {
        Class<?> header = Class.forName(c.abi().packageName() + ".Libc");
        int compared = 0;
        for (Method m : header.getMethods()) {
            if (!m.getName().endsWith("$descriptor")) {
                continue;
            }
            String name = m.getName().substring(0, m.getName().length() - "$descriptor".length());
            Optional<CLibrary.NativeFunction> function = c.function(name);
            if (function.isEmpty()) {
                assertThat(lookup(name)).as("%s is missing from the C library", name).isEmpty();
                continue;
            }
            FunctionDescriptor generated = (FunctionDescriptor) m.invoke(null);
            MemoryLayout[] arguments = generated.argumentLayouts().stream()
                    .map(layout -> layout instanceof GroupLayout ? c.cPointer() : layout)
                    .toArray(MemoryLayout[]::new);
            FunctionDescriptor expected = generated.returnLayout().map(r -> FunctionDescriptor.of(r, arguments))
                    .orElseGet(() -> FunctionDescriptor.ofVoid(arguments));
            assertThat(function.get().descriptor()).as(name).isEqualTo(expected);
            compared++;
        }
        assertThat(compared).as("functions compared").isGreaterThan(30);
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
    private MemorySegment symbol(String name) {
        return lookup(name).orElseThrow();
    }

    /** The C library's {@code name}, if it has one. */
    @SuppressWarnings("restricted")
    private Optional<MemorySegment> lookup(String name) {
        return SymbolLookup.libraryLookup(c.abi().libraryName(), Arena.global()).find(name);
    }

    @Test
    void errnoNamesAreTheGeneratedOnesWithOneNamePerNumber() {
        assertThat(c.errnoNames()).containsEntry(c.errno("EPIPE"), "EPIPE").containsEntry(c.errno("EAGAIN"), "EAGAIN");
        assertThat(c.errnoNames().values()).doesNotHaveDuplicates().doesNotContain("EWOULDBLOCK");
    }
}
