package dev.socketpair;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The first open and the first transfer of a process load only what they use: linking a downcall
 * handle and initialising a generated struct class cost start-up time that a process opening one pair
 * should not pay for calls it does not make.
 */
class FirstTransferTest {

    @Test
    @Timeout(60)
    void firstOpenAndTransferLinkOnlyTheHandlesOfTheCallsTheyMakeAndNoGeneratedOne() throws Exception {
        String output = ProbeJvm.run(FirstTransferProbe.class, List.of("-Xlog:class+load=info:stdout"), List.of(), 60);
        List<String> lines = output.lines().toList();
        assertThat(lines).contains(FirstTransferProbe.TRANSFERRED);
        List<String> loaded = lines.subList(0, lines.indexOf(FirstTransferProbe.TRANSFERRED)).stream()
                .filter(line -> line.contains("[class,load]"))
                .map(line -> line.substring(line.indexOf("[class,load]") + "[class,load]".length()).trim().split(" ")[0])
                .toList();
        assertThat(loaded).as("the first open was logged").contains("dev.socketpair.internal.SocketControl");
        // Each function of the generated bindings has a holder class that links a handle of its own,
        // without errno capture, when its descriptor is read.
        assertThat(loaded).filteredOn(name -> name.matches("dev\\.socketpair\\.internal\\.libc\\.\\w+\\.Libc\\$.*"))
                .as("holders of generated function handles").isEmpty();
        // The generated sockaddr_un makes a handle for its path's elements when initialised.
        assertThat(loaded).filteredOn(name -> name.endsWith(".sockaddr_un")).as("sockaddr_un").isEmpty();
        // A handle is linked when its holder class is initialised: only those of the calls made, free(3)
        // not among them until a channel first frees its memory.
        assertThat(loaded).filteredOn(name -> name.startsWith("dev.socketpair.internal.Downcalls$")
                        && !name.contains("$$Lambda"))
                .as("holders of the library's downcall handles")
                .containsExactlyInAnyOrder("dev.socketpair.internal.Downcalls$Socketpair",
                        "dev.socketpair.internal.Downcalls$Calloc", "dev.socketpair.internal.Downcalls$Critical",
                        "dev.socketpair.internal.Downcalls$Recv");
    }
}
