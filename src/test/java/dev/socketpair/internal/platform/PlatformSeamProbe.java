package dev.socketpair.internal.platform;

import java.lang.foreign.GroupLayout;
import java.util.stream.Collectors;

/**
 * Prints, for every ABI, what its {@link Platform} tells the library, read from that ABI's own bindings:
 * one line per ABI, {@code name=value} pairs separated by spaces; constants by the name that has the
 * value on that ABI, members as {@code offset+width}.
 */
public final class PlatformSeamProbe {

    private PlatformSeamProbe() {
    }

    public static void main(String[] args) {
        for (Abi abi : Abi.values()) {
            CLibrary c = abi.library();
            Platform platform = Platforms.platformOf(c);
            Platform.PeerCredentialsQuery peer = platform.peerCredentials();
            Platform.ChildStatusFields child = platform.childStatusFields();
            GroupLayout msghdr = c.struct("msghdr");
            GroupLayout cmsghdr = c.struct("cmsghdr");
            System.out.println(abi.name()
                    + " platform=" + platform.getClass().getSimpleName()
                    + " atomicFlags=" + platform.atomicSocketFlags()
                    + " cmsgCloexec=" + platform.receivesCloseOnExec()
                    + " epoll=" + platform.hasEpoll()
                    + " sendsCredentials=" + platform.sendsCredentials()
                    + " maxControl=" + (platform.maxControlBytes() == Long.MAX_VALUE ? "none" : platform.maxControlBytes())
                    + " peer=" + nameOf(c, peer.level(), "SOL_SOCKET", "SOL_LOCAL", "SOCKETPAIR_SOL_LOCAL")
                    + "/" + nameOf(c, peer.option(), "SO_PEERCRED", "LOCAL_PEERCRED")
                    + "/" + peer.layout().name().orElse("?")
                    + " peerUid=" + member(peer.uid()) + " peerGid=" + member(peer.gid())
                    + " peerPid=" + (peer.pid() != null ? member(peer.pid())
                            : peer.pidOption() != null ? nameOf(c, peer.pidOption(), "LOCAL_PEERPID") : "none")
                    + " childPid=" + member(child.pid()) + " childStatus=" + member(child.status())
                    + " childCode=" + member(child.code())
                    + " msg_iovlen=" + member(StructField.of(msghdr, "msg_iovlen"))
                    + " msg_controllen=" + member(StructField.of(msghdr, "msg_controllen"))
                    + " cmsg_len=" + member(StructField.of(cmsghdr, "cmsg_len"))
                    + " cmsgData=" + c.constant("SOCKETPAIR_CMSG_DATA_OFFSET")
                    + " descriptors=" + platform.openDescriptorsDirectory()
                    + " linger=" + nameOf(c, platform.lingerOption(), "SO_LINGER", "SO_LINGER_SEC")
                    + " l_onoff=" + member(StructField.of(c.struct("linger"), "l_onoff"))
                    + " l_linger=" + member(StructField.of(c.struct("linger"), "l_linger"))
                    + " ioctl=" + c.variadicDescriptor("ioctl").orElseThrow().argumentLayouts().stream()
                            .map(layout -> String.valueOf(layout.byteSize())).collect(Collectors.joining(","))
                    + " pw_name=" + member(StructField.of(c.struct("passwd"), "pw_name"))
                    + " gr_name=" + member(StructField.of(c.struct("group"), "gr_name"))
                    + " batches=" + platform.batchesMessages()
                    + (platform.batchesMessages() ? " mmsghdr=" + c.struct("mmsghdr").byteSize()
                            + " msg_len=" + member(StructField.of(c.struct("mmsghdr"), "msg_len")) : ""));
        }
    }

    private static String member(StructField field) {
        return field.offset() + "+" + field.layout().byteSize();
    }

    private static String nameOf(CLibrary c, int value, String... candidates) {
        for (String name : candidates) {
            if (c.hasConstant(name) && c.constant(name) == value) {
                return name;
            }
        }
        return String.valueOf(value);
    }
}
