package dev.socketpair.internal.platform;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each system's {@link Platform}, built from that system's own bindings as on that system: what it
 * offers, where it keeps the peer's credentials and a child's status, and the widths the struct members
 * have there. The bindings of every ABI are read in one JVM ({@link ForeignAbiJvm}), so the facts of
 * systems this machine is not are checked here too.
 */
@Timeout(120)
class PlatformSeamTest {

    private static Map<String, String> lines;

    @BeforeAll
    static void probe() throws Exception {
        lines = ForeignAbiJvm.run(PlatformSeamProbe.class, List.of()).lines()
                .filter(line -> !line.startsWith("WARNING"))
                .collect(Collectors.toMap(line -> line.substring(0, line.indexOf(' ')), Function.identity()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "LINUX_X86_64|platform=LinuxPlatform atomicFlags=true cmsgCloexec=true epoll=true sendsCredentials=true "
                    + "maxControl=none peer=SOL_SOCKET/SO_PEERCRED/ucred peerUid=4+4 peerGid=8+4 peerPid=0+4 "
                    + "childPid=16+4 childStatus=24+4 childCode=8+4 msg_iovlen=24+8 msg_controllen=40+8 cmsg_len=0+8 "
                    + "cmsgData=16 descriptors=/proc/self/fd"
                    + " linger=SO_LINGER l_onoff=0+4 l_linger=4+4 ioctl=4,8 pw_name=0+8 gr_name=0+8"
                    + " batches=true mmsghdr=64 msg_len=56+4",
            "LINUX_AARCH64|platform=LinuxPlatform atomicFlags=true cmsgCloexec=true epoll=true sendsCredentials=true "
                    + "maxControl=none peer=SOL_SOCKET/SO_PEERCRED/ucred peerUid=4+4 peerGid=8+4 peerPid=0+4 "
                    + "childPid=16+4 childStatus=24+4 childCode=8+4 msg_iovlen=24+8 msg_controllen=40+8 cmsg_len=0+8 "
                    + "cmsgData=16 descriptors=/proc/self/fd"
                    + " linger=SO_LINGER l_onoff=0+4 l_linger=4+4 ioctl=4,8 pw_name=0+8 gr_name=0+8"
                    + " batches=true mmsghdr=64 msg_len=56+4",
            "LINUX_MUSL_X86_64|platform=LinuxPlatform atomicFlags=true cmsgCloexec=true epoll=true sendsCredentials=true "
                    + "maxControl=1024 peer=SOL_SOCKET/SO_PEERCRED/ucred peerUid=4+4 peerGid=8+4 peerPid=0+4 "
                    + "childPid=16+4 childStatus=24+4 childCode=8+4 msg_iovlen=24+4 msg_controllen=40+4 cmsg_len=0+4 "
                    + "cmsgData=16 descriptors=/proc/self/fd"
                    + " linger=SO_LINGER l_onoff=0+4 l_linger=4+4 ioctl=4,4 pw_name=0+8 gr_name=0+8"
                    + " batches=true mmsghdr=64 msg_len=56+4",
            "LINUX_MUSL_AARCH64|platform=LinuxPlatform atomicFlags=true cmsgCloexec=true epoll=true sendsCredentials=true "
                    + "maxControl=1024 peer=SOL_SOCKET/SO_PEERCRED/ucred peerUid=4+4 peerGid=8+4 peerPid=0+4 "
                    + "childPid=16+4 childStatus=24+4 childCode=8+4 msg_iovlen=24+4 msg_controllen=40+4 cmsg_len=0+4 "
                    + "cmsgData=16 descriptors=/proc/self/fd"
                    + " linger=SO_LINGER l_onoff=0+4 l_linger=4+4 ioctl=4,4 pw_name=0+8 gr_name=0+8"
                    + " batches=true mmsghdr=64 msg_len=56+4",
            "FREEBSD|platform=FreeBsdPlatform atomicFlags=true cmsgCloexec=true epoll=false sendsCredentials=false "
                    + "maxControl=none peer=SOL_LOCAL/LOCAL_PEERCRED/xucred peerUid=4+4 peerGid=12+4 peerPid=80+4 "
                    + "childPid=12+4 childStatus=20+4 childCode=8+4 msg_iovlen=24+4 msg_controllen=40+4 cmsg_len=0+4 "
                    + "cmsgData=16 descriptors=/dev/fd"
                    + " linger=SO_LINGER l_onoff=0+4 l_linger=4+4 ioctl=4,8 pw_name=0+8 gr_name=0+8"
                    + " batches=true mmsghdr=56 msg_len=48+8",
            "DRAGONFLY|platform=DragonFlyPlatform atomicFlags=true cmsgCloexec=true epoll=false sendsCredentials=false "
                    + "maxControl=none peer=SOCKETPAIR_SOL_LOCAL/LOCAL_PEERCRED/xucred peerUid=4+4 peerGid=12+4 "
                    + "peerPid=none childPid=12+4 childStatus=20+4 childCode=8+4 msg_iovlen=24+4 msg_controllen=40+4 "
                    + "cmsg_len=0+4 cmsgData=16 descriptors=/dev/fd"
                    + " linger=SO_LINGER l_onoff=0+4 l_linger=4+4 ioctl=4,8 pw_name=0+8 gr_name=0+8"
                    + " batches=false",
            "MACOS|platform=MacOsPlatform atomicFlags=false cmsgCloexec=false epoll=false sendsCredentials=false "
                    + "maxControl=none peer=SOL_LOCAL/LOCAL_PEERCRED/xucred peerUid=4+4 peerGid=12+4 "
                    + "peerPid=LOCAL_PEERPID childPid=12+4 childStatus=20+4 childCode=8+4 msg_iovlen=24+4 "
                    + "msg_controllen=40+4 cmsg_len=0+4 cmsgData=12 descriptors=/dev/fd"
                    + " linger=SO_LINGER_SEC l_onoff=0+4 l_linger=4+4 ioctl=4,8 pw_name=0+8 gr_name=0+8"
                    + " batches=false"})
    void eachSystemsPlatformReadsItsOwnBindings(String abi, String expected) {
        assertThat(Arrays.asList(lines.get(abi).substring(abi.length() + 1).split(" ")))
                .containsExactlyElementsOf(Arrays.asList(expected.split(" ")));
    }
}
