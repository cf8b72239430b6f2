package dev.socketpair.internal;

import java.io.FileDescriptor;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * The descriptor number inside a {@link FileDescriptor}, read and set through its private field
 * {@code fd}: {@code java.base} gives the number to no code outside it, so this works only where the
 * command line opens {@code java.base/java.io} to this library's module.
 *
 * <p>Whether it does is found out once, at the first use, and cannot change afterwards: a module's
 * openings are fixed when the JVM starts. Without them every method here throws
 * {@link UnsupportedOperationException} naming the option to add, and touches nothing.
 *
 * <p>On Unix, a FileDescriptor's other private fields ({@code handle}, {@code append}) serve only
 * Windows, so a FileDescriptor made by the public constructor with its number set is what the JDK's own
 * streams would make, less the {@link java.lang.ref.Cleaner} registration the JDK adds for files it
 * opens itself: nothing closes the number when the object becomes unreachable.
 */
public final class FileDescriptorNumbers {

    private FileDescriptorNumbers() {
    }

    /**
     * The field's handle, or the reason there is none; the initialiser catches every way of not getting
     * the handle, so that it never fails for the caller.
     */
    private static final class Access {
        static final VarHandle FD;
        static final String REFUSAL;

        static {
            VarHandle fd = null;
            String refusal = null;
            try {
                fd = MethodHandles.privateLookupIn(FileDescriptor.class, MethodHandles.lookup())
                        .findVarHandle(FileDescriptor.class, "fd", int.class);
            } catch (IllegalAccessException e) {
                refusal = "the descriptor number of a java.io.FileDescriptor is private to java.base: add "
                        + openingOption() + " to the java command line";
            } catch (NoSuchFieldException e) {
                refusal = "this JDK's java.io.FileDescriptor has no int field 'fd' holding the descriptor number";
            }
            FD = fd;
            REFUSAL = refusal;
        }
    }

    /**
     * The option that opens {@code java.io} to this code: to the module by name on the module path (or in
     * an image), to every unnamed module on the class path.
     */
    private static String openingOption() {
        Module module = FileDescriptorNumbers.class.getModule();
        return "--add-opens java.base/java.io=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    /**
     * Throws unless this library may read and set the number of a FileDescriptor.
     *
     * @throws UnsupportedOperationException if {@code java.base/java.io} is not open to this module; the
     *                                       message names the option that opens it
     */
    public static void requireAccess() {
        if (Access.FD == null) {
            throw new UnsupportedOperationException(Access.REFUSAL);
        }
    }

    /**
     * Returns the number {@code fileDescriptor} holds: -1 if it holds none (never opened, or closed). The
     * JDK closes a FileDescriptor while holding its monitor; a caller that needs the number to stay open
     * while it uses it holds that monitor too.
     *
     * @throws UnsupportedOperationException as for {@link #requireAccess()}
     */
    public static int number(FileDescriptor fileDescriptor) {
        requireAccess();
        return (int) Access.FD.getVolatile(fileDescriptor);
    }

    /**
     * Returns a new FileDescriptor holding {@code fd}, for {@code new FileInputStream(fd)} and the like;
     * closing a stream made from it closes {@code fd}.
     *
     * @throws UnsupportedOperationException as for {@link #requireAccess()}
     */
    public static FileDescriptor fileDescriptor(int fd) {
        requireAccess();
        FileDescriptor fileDescriptor = new FileDescriptor();
        Access.FD.setVolatile(fileDescriptor, fd);
        return fileDescriptor;
    }
}
