package dev.socketpair;

import org.junit.jupiter.api.Assumptions;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Makes the kernel fail chosen system calls of one thread with a chosen errno, for the failures no test
 * can bring about by honest means (the system's file table full, the kernel out of memory, a security
 * module's refusal): a seccomp filter on a platform thread of its own returns the errno for every call
 * whose first argument is a given value (or whose leading arguments are given values), before the kernel
 * acts on the call. The library's code under
 * test runs unchanged and sees exactly what it would see from the real failure: the call returns -1 and
 * errno is set.
 *
 * <p>The filter belongs to that thread alone and ends with it (no {@code SECCOMP_FILTER_FLAG_TSYNC});
 * {@code PR_SET_NO_NEW_PRIVS}, which installing a filter requires, is likewise that thread's. The value
 * matched should be one no other call of the task passes first: an out-of-range address family, or a
 * descriptor number, which only calls on that descriptor pass first.
 *
 * @see <a href="https://man7.org/linux/man-pages/man2/seccomp.2.html">seccomp(2)</a>
 */
final class InjectedErrno {

    // Linux's generic user-space API (<linux/prctl.h>, <linux/seccomp.h>, <linux/filter.h>, <linux/bpf_common.h>),
    // the same on every architecture. The library's generated bindings do not cover seccomp, which only
    // this test helper uses.
    private static final int PR_SET_SECCOMP = 22;
    private static final int PR_SET_NO_NEW_PRIVS = 38;
    private static final int SECCOMP_MODE_FILTER = 2;
    private static final int SECCOMP_RET_ERRNO = 0x0005_0000;
    private static final int SECCOMP_RET_ALLOW = 0x7fff_0000;
    private static final int SECCOMP_RET_DATA = 0x0000_ffff;
    private static final short BPF_LD_W_ABS = 0x20;
    private static final short BPF_JMP_JEQ_K = 0x15;
    private static final short BPF_RET_K = 0x06;
    /** {@code offsetof(struct seccomp_data, args)}: after {@code int nr, __u32 arch, __u64 instruction_pointer}. */
    private static final int SECCOMP_DATA_ARGS = 16;

    /** {@code struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; }} */
    private static final StructLayout SOCK_FILTER = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("code"), ValueLayout.JAVA_BYTE.withName("jt"),
            ValueLayout.JAVA_BYTE.withName("jf"), ValueLayout.JAVA_INT.withName("k"));
    /** {@code struct sock_fprog { unsigned short len; struct sock_filter *filter; }} */
    private static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
            ValueLayout.JAVA_SHORT.withName("len"),
            MemoryLayout.paddingLayout(ValueLayout.ADDRESS.byteAlignment() - ValueLayout.JAVA_SHORT.byteSize()),
            ValueLayout.ADDRESS.withName("filter"));
    private static final VarHandle CODE = SOCK_FILTER.varHandle(MemoryLayout.PathElement.groupElement("code"));
    private static final VarHandle JT = SOCK_FILTER.varHandle(MemoryLayout.PathElement.groupElement("jt"));
    private static final VarHandle JF = SOCK_FILTER.varHandle(MemoryLayout.PathElement.groupElement("jf"));
    private static final VarHandle K = SOCK_FILTER.varHandle(MemoryLayout.PathElement.groupElement("k"));
    private static final VarHandle FPROG_LEN = SOCK_FPROG.varHandle(MemoryLayout.PathElement.groupElement("len"));
    private static final VarHandle FPROG_FILTER = SOCK_FPROG.varHandle(MemoryLayout.PathElement.groupElement("filter"));

    private InjectedErrno() {
    }

    /**
     * Runs {@code task} on a new platform thread on which every system call whose first argument is
     * {@code firstArgument} fails with {@code errno}, and returns what the task returned or rethrows what
     * it threw. Aborts the calling test if the kernel does not take the filter (no seccomp filters), or
     * under an emulator, which takes none.
     */
    static <T> T failing(long firstArgument, int errno, Concurrently.Task<T> task) throws Exception {
        return failingCalls(errno, task, firstArgument);
    }

    /**
     * As {@link #failing}, for every system call whose leading arguments are {@code arguments}, where
     * null matches any value: {@code (null, F_SETFD, FD_CLOEXEC)} fails {@code fcntl(fd, F_SETFD,
     * FD_CLOEXEC)} on every descriptor and leaves {@code close(fd)}, whose other registers hold other
     * values, alone. The first argument is compared whole, the others as the C {@code int}s they are
     * (their low 32 bits: the upper half of an {@code int}'s register is unspecified).
     */
    static <T> T failingCalls(int errno, Concurrently.Task<T> task, Long... arguments) throws Exception {
        Emulation.assumeNative(Emulation.NO_SECCOMP);
        var outcome = Concurrently.start(false, () -> {
            String refused = install(arguments, errno);
            if (refused != null) {
                Assumptions.abort("the kernel refuses a seccomp filter (" + refused + "): errno cannot be injected");
            }
            return task.run();
        });
        try {
            return outcome.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            switch (e.getCause()) {
                case Exception cause -> throw cause;
                case Error cause -> throw cause;
                default -> throw e;
            }
        }
    }

    /**
     * Installs on the current thread the filter {@link #failingCalls} installs on a thread of its own;
     * the filter stays for the thread's life. On a virtual thread it is the carrier's, and fails the
     * calls of every virtual thread that carrier runs.
     *
     * @return null, or what refused the filter
     */
    static String install(Long[] arguments, int errno) {
        if ((errno & ~SECCOMP_RET_DATA) != 0) {
            throw new IllegalArgumentException("errno " + errno);
        }
        boolean little = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;
        List<int[]> checks = new ArrayList<>();
        for (int i = 0; i < arguments.length; i++) {
            if (arguments[i] == null) {
                continue;
            }
            int at = SECCOMP_DATA_ARGS + i * Long.BYTES;
            if (i == 0) {
                checks.add(new int[] {at + (little ? Integer.BYTES : 0), (int) (arguments[i] >>> 32)});
            }
            checks.add(new int[] {at + (little ? 0 : Integer.BYTES), (int) (long) arguments[i]});
        }
        // Each check loads one 32-bit word and jumps to ALLOW, the last instruction, if it differs.
        int[][] program = new int[checks.size() * 2 + 2][];
        for (int c = 0; c < checks.size(); c++) {
            int jump = program.length - 1 - (2 * c + 1) - 1;
            program[2 * c] = new int[] {BPF_LD_W_ABS, 0, 0, checks.get(c)[0]};
            program[2 * c + 1] = new int[] {BPF_JMP_JEQ_K, 0, jump, checks.get(c)[1]};
        }
        program[program.length - 2] = new int[] {BPF_RET_K, 0, 0, SECCOMP_RET_ERRNO | errno};
        program[program.length - 1] = new int[] {BPF_RET_K, 0, 0, SECCOMP_RET_ALLOW};
        MethodHandle prctl = NativeFunctions.downcall("prctl",
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_LONG,
                        ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
                Linker.Option.firstVariadicArg(1));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filter = arena.allocate(SOCK_FILTER, program.length);
            for (int i = 0; i < program.length; i++) {
                long at = i * SOCK_FILTER.byteSize();
                CODE.set(filter, at, (short) program[i][0]);
                JT.set(filter, at, (byte) program[i][1]);
                JF.set(filter, at, (byte) program[i][2]);
                K.set(filter, at, program[i][3]);
            }
            MemorySegment fprog = arena.allocate(SOCK_FPROG);
            FPROG_LEN.set(fprog, 0L, (short) program.length);
            FPROG_FILTER.set(fprog, 0L, filter);
            if ((int) prctl.invokeExact(PR_SET_NO_NEW_PRIVS, 1L, 0L, 0L, 0L) != 0) {
                return "PR_SET_NO_NEW_PRIVS";
            }
            if ((int) prctl.invokeExact(PR_SET_SECCOMP, (long) SECCOMP_MODE_FILTER, fprog.address(), 0L, 0L) != 0) {
                return "PR_SET_SECCOMP";
            }
        } catch (Throwable t) {
            throw new AssertionError("prctl", t);
        }
        return null;
    }
}
