package dev.socketpair;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Path;

/**
 * Whether the tests run in an emulated JVM, and where the emulator departs from the kernel. The aarch64
 * suite ({@code .ci/aarch64-tests}) runs the JVM of a linux-aarch64 JDK under qemu-user, whose launcher
 * ({@code .ci/aarch64/bin/java}) names the emulator in {@value #EMULATOR_PROPERTY} and its own directory
 * in {@value #COMMANDS_PROPERTY}. qemu-user translates each system call of the emulated program into
 * one of the host's, and in the few places listed here the translation is not what the kernel does; a
 * test that depends on one of them skips itself with {@link #assumeNative}, naming it. Each was seen
 * the same under qemu-x86_64 with the x86-64 JDK, so it belongs to qemu, not to the architecture.
 */
public final class Emulation {

    /** The system property naming the emulator the JVM runs under; absent on a native JVM. */
    public static final String EMULATOR_PROPERTY = "dev.socketpair.test.emulator";

    /** The system property naming the directory of the JDK's commands as this machine can run them. */
    public static final String COMMANDS_PROPERTY = "dev.socketpair.test.jdkCommands";

    /**
     * posix_spawn(3) creates the child with {@code clone(CLONE_VM | CLONE_VFORK)}, and the child writes the
     * errno of a failed exec, chdir or dup2 into the memory it shares with the parent; qemu-user runs
     * such a clone as a plain fork, so the parent never sees it.
     */
    public static final String SPAWN_ERRORS_LOST = "qemu-user runs posix_spawn's vfork as a fork: an exec, chdir or "
            + "dup2 that fails in the child is not reported, posix_spawn returns 0 and the child exits with 127";

    /** qemu-user's {@code target_to_host_sock_type}. */
    public static final String SOCKET_TYPE_REWRITTEN = "qemu-user passes socketpair(2) only the type's low four bits "
            + "and SOCK_CLOEXEC and SOCK_NONBLOCK, so type bits the kernel refuses with EINVAL never reach it";

    /** Changed in qemu 8.0, which calls the kernel for a sendmsg without iovec. */
    public static final String SENDMSG_WITHOUT_IOVEC = "qemu-user 7 returns 0 from a sendmsg(2) with no iovec "
            + "without calling the kernel: nothing is sent, an empty datagram neither";

    /** The same in every qemu version so far. */
    public static final String RECVMSG_WITHOUT_IOVEC = "qemu-user returns 0 from a recvmsg(2) with no iovec "
            + "without calling the kernel: nothing is received, and no length reported";

    /** qemu-user converts control messages between the emulated layout and the host's. */
    public static final String CONTROL_BUFFER_DOUBLED = "qemu-user gives recvmsg(2) a control buffer twice the size "
            + "asked for: the kernel installs descriptors that do not fit the caller's, which qemu leaves out of "
            + "the message without closing them";

    /** qemu-user copies the numbers out after the host's socketpair succeeded. */
    public static final String SOCKETPAIR_EFAULT_LEAKS = "qemu-user makes the pair before it finds the address "
            + "unwritable, and leaves both descriptors open when it returns EFAULT";

    /** qemu-user refuses {@code PR_SET_SECCOMP} outright. */
    public static final String NO_SECCOMP = "qemu-user refuses seccomp filters (prctl PR_SET_SECCOMP fails with "
            + "EINVAL): a filter of the emulated machine's system calls would apply to the host's";

    /** qemu-user refuses the socket options it does not know. */
    public static final String NO_SO_PASSPIDFD = "qemu-user does not know SO_PASSPIDFD and refuses it with ENOPROTOOPT";

    /** Without binfmt_misc the kernel runs only the host's programs. */
    public static final String NO_EMULATED_PROGRAMS = "the kernel cannot exec the emulated JDK's programs "
            + "(qemu-user is not registered with binfmt_misc)";

    /** What {@code ForeignAbiJvm} does to read other systems' bindings, which qemu's path prefix undoes. */
    public static final String HOST_C_LIBRARY_NAMES = "the other systems' C library names are pointed at this "
            + "machine's C library by symbolic links, which qemu-user's library root does not follow; the bindings "
            + "read are the same on every machine and are read natively";

    private Emulation() {
    }

    /**
     * Skips the calling test when the JVM is emulated, with {@code why}: what the emulator does in place
     * of the kernel that the test cannot do without (one of the constants of this class).
     */
    public static void assumeNative(String why) {
        String emulator = System.getProperty(EMULATOR_PROPERTY);
        Assumptions.assumeTrue(emulator == null, () -> "under " + emulator + ": " + why);
    }

    /**
     * The JDK command {@code name} ("java", "jfr") for a JVM like this one: the emulator's launcher of
     * it when emulated, since the kernel cannot exec the emulated JDK's own; otherwise java.home's.
     */
    static String jdkCommand(String name) {
        String commands = System.getProperty(COMMANDS_PROPERTY, Path.of(System.getProperty("java.home"), "bin").toString());
        return Path.of(commands, name).toString();
    }
}
