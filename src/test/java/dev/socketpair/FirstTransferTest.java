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
        List<String> loaded = loadedUntil(FirstTransferProbe.TRANSFERRED);
        assertThat(loaded).as("the first open was logged").contains("dev.socketpair.internal.SocketControl");
        // Each function of the generated bindings has a holder class that links a handle of its own,
        // without errno capture, when its descriptor is read.
        assertThat(loaded).filteredOn(name -> name.matches("dev\\.socketpair\\.internal\\.libc\\.\\w+\\.Libc\\$.*"))
                .as("holders of generated function handles").isEmpty();
        // The generated sockaddr_un makes a handle for its path's elements when initialised.
        assertThat(loaded).filteredOn(name -> name.endsWith(".sockaddr_un")).as("sockaddr_un").isEmpty();
        // A handle is linked when its holder class is initialised: only those of the calls made, calloc(3)
        // for the bounce buffer of the first read from a heap buffer.
        assertThat(loaded).filteredOn(name -> name.startsWith("dev.socketpair.internal.Downcalls$")
                        && !name.contains("$$Lambda"))
                .as("holders of the library's downcall handles")
                .containsExactlyInAnyOrder("dev.socketpair.internal.Downcalls$Socketpair",
                        "dev.socketpair.internal.Downcalls$Calloc", "dev.socketpair.internal.Downcalls$Critical",
                        "dev.socketpair.internal.Downcalls$Recv");
    }

    /**
     * A pair's open and close, the first of a process included, make no allocator call: a channel's
     * fixed native memory comes from a pool, so free(3) is not linked. Nor does the library make a
     * class at run time for a lambda, nor load the struct layouts it does not use: only
     * {@code struct cmsghdr} and, where the system sends credentials, {@code struct ucred}, from which
     * the most descriptors a message carries is computed.
     */
    @Test
    @Timeout(60)
    void theFirstPairsWholeLifeLinksNoFreeMakesNoLambdaAndLoadsOnlyTheStructsItUses() throws Exception {
        List<String> loaded = loadedUntil(FirstTransferProbe.CLOSED);
        assertThat(loaded).as("the close was logged").contains("dev.socketpair.internal.Downcalls$Close");
        assertThat(loaded).doesNotContain("dev.socketpair.internal.Downcalls$Free");
        assertThat(loaded).filteredOn(name -> name.startsWith("dev.socketpair.") && name.contains("$$Lambda"))
                .as("lambdas of the library").isEmpty();
        assertThat(loaded).filteredOn(name -> name.matches("dev\\.socketpair\\.internal\\.libc\\.\\w+\\.[a-z_]+"))
                .as("generated struct classes")
                .extracting(name -> name.substring(name.lastIndexOf('.') + 1))
                .contains("cmsghdr").isSubsetOf("cmsghdr", "ucred");
    }

    /**
     * Runs {@link FirstTransferProbe} in a JVM that logs each class it loads: the names of the classes
     * loaded until it printed {@code line}.
     */
    private static List<String> loadedUntil(String line) throws Exception {
        String output = ProbeJvm.run(FirstTransferProbe.class, List.of("-Xlog:class+load=info:stdout"), List.of(), 60);
        List<String> lines = output.lines().toList();
        assertThat(lines).contains(line);
        return lines.subList(0, lines.indexOf(line)).stream()
                .filter(logged -> logged.contains("[class,load]"))
                .map(logged -> logged.substring(logged.indexOf("[class,load]") + "[class,load]".length()).trim().split(" ")[0])
                .toList();
    }
}
