/**
 * socketpair(2) for Java: connected pairs of UNIX-domain sockets as {@link java.nio.channels.SocketChannel}s,
 * through the Foreign Function and Memory API.
 *
 * <p>Only {@code dev.socketpair} is exported. The module calls native code, so an application must grant
 * it access: {@code --enable-native-access=dev.socketpair} on the module path, or
 * {@code --enable-native-access=ALL-UNNAMED} on the class path. Passing {@link java.io.FileDescriptor}s
 * needs {@code java.base/java.io} opened to it as well: {@code --add-opens java.base/java.io=dev.socketpair},
 * or {@code --add-opens java.base/java.io=ALL-UNNAMED} on the class path.
 */
module dev.socketpair {
    // jdk.net.ExtendedSocketOptions.SO_PEERCRED and its UnixDomainPrincipal, which getOption supports
    requires jdk.net;

    exports dev.socketpair;
}
