package dev.socketpair;

import java.net.SocketException;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.nio.file.InvalidPathException;

/**
 * Turns the name the kernel reports for an AF_UNIX socket into the address a {@code SocketChannel}
 * returns, a {@link UnixDomainSocketAddress}, which holds a file system {@link java.nio.file.Path}.
 *
 * <p>A path is bytes. The JDK's own UNIX-domain channels decode it with the charset the JDK encodes
 * file names in ({@code sun.jnu.encoding}); so does this class, but strictly, so that the address's
 * path encodes back to exactly the bytes the socket is bound to. A name no path can stand for is an
 * I/O error ({@link SocketException}) that says why and shows the name's bytes, never a wrong address:
 * a path that is not valid in that charset, and a Linux abstract name (a leading NUL byte, then any
 * bytes), which names no file. (The JDK's channels read such a name up to its first NUL, and so report
 * an abstract name as the empty path of an unnamed socket.)
 */
final class SocketAddresses {

    private SocketAddresses() {
    }

    /**
     * Returns the address of a socket name as {@code SocketControl.name} reports it.
     *
     * @param syscall the call that reported it, for messages
     * @throws SocketException if the name is an abstract name, or a path that is not a file name in the
     *                         charset of file names
     */
    static UnixDomainSocketAddress of(String syscall, byte[] name) throws SocketException {
        if (name.length > 0 && name[0] == 0) {
            throw new SocketException(syscall + ": the socket's name is the abstract name \"" + escape(name)
                    + "\", which a UnixDomainSocketAddress (a file system path) cannot hold");
        }
        Charset fileNames = ChildProcessBuilder.fileNameCharset();
        try {
            String path = fileNames.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(name))
                    .toString();
            return UnixDomainSocketAddress.of(path);
        } catch (CharacterCodingException | InvalidPathException e) {
            SocketException failure = new SocketException(syscall + ": the socket's path \"" + escape(name)
                    + "\" is not a file name in " + fileNames + ", the charset of file names");
            failure.initCause(e);
            throw failure;
        }
    }

    /** The bytes as text: printable ASCII as it is, a backslash doubled, every other byte as \xNN. */
    static String escape(byte[] bytes) {
        StringBuilder text = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            if (b == '\\') {
                text.append("\\\\");
            } else if (b >= 0x20 && b < 0x7f) {
                text.append((char) b);
            } else {
                text.append(String.format("\\x%02x", b & 0xff));
            }
        }
        return text.toString();
    }
}
