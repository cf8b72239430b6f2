package dev.socketpair;

import dev.socketpair.internal.libc.ErrnoValues;
import dev.socketpair.internal.Errno;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * The errno to exception translation, for the errors of the seed pages that cannot be provoked from a
 * test: ENFILE needs the whole system out of file handles, ENOBUFS and ENOMEM need the kernel out of
 * memory, EACCES needs a security module policy denying socket creation, and EPROTOTYPE is only
 * returned by BSD kernels (protocol not of the requested type). Each still gets its exact name, its
 * number from the C library and a message from strerror.
 */
class ErrnoTranslationTest {

    @Test
    void seedErrorsThatCannotBeProvokedHereAreNamedAndDescribed() {
        Map<Integer, String> expected = Map.of(
                ErrnoValues.ENFILE(), "socketpair: ENFILE (Too many open files in system)",
                ErrnoValues.ENOBUFS(), "socketpair: ENOBUFS (No buffer space available)",
                ErrnoValues.ENOMEM(), "socketpair: ENOMEM (Cannot allocate memory)",
                ErrnoValues.EACCES(), "socketpair: EACCES (Permission denied)",
                ErrnoValues.EPROTOTYPE(), "socketpair: EPROTOTYPE (Protocol wrong type for socket)");
        expected.forEach((errno, message) -> {
            ErrnoException e = new ErrnoException("socketpair", errno);
            assertThat(e.errno()).isEqualTo(errno);
            assertThat(e.getMessage()).isEqualTo(message);
            assertThat(e.errnoName()).isEqualTo(message.substring("socketpair: ".length(), message.indexOf(' ', 12)));
        });
    }

    @Test
    void everySeedErrnoHasItsName() {
        assertThat(Errno.all()).contains(
                entry(ErrnoValues.EAFNOSUPPORT(), "EAFNOSUPPORT"),
                entry(ErrnoValues.EFAULT(), "EFAULT"),
                entry(ErrnoValues.EMFILE(), "EMFILE"),
                entry(ErrnoValues.ENFILE(), "ENFILE"),
                entry(ErrnoValues.EOPNOTSUPP(), "EOPNOTSUPP"),
                entry(ErrnoValues.EPROTONOSUPPORT(), "EPROTONOSUPPORT"),
                entry(ErrnoValues.ENOBUFS(), "ENOBUFS"),
                entry(ErrnoValues.ENOMEM(), "ENOMEM"),
                entry(ErrnoValues.EACCES(), "EACCES"),
                entry(ErrnoValues.EPROTOTYPE(), "EPROTOTYPE"),
                entry(ErrnoValues.ESOCKTNOSUPPORT(), "ESOCKTNOSUPPORT"),
                entry(ErrnoValues.EINVAL(), "EINVAL"),
                entry(ErrnoValues.EPIPE(), "EPIPE"));
    }

    @Test
    void namesAreThePosixSpellings() {
        assertThat(Errno.name(ErrnoValues.EAGAIN())).isEqualTo("EAGAIN");
        assertThat(Errno.name(ErrnoValues.EOPNOTSUPP())).isEqualTo("EOPNOTSUPP");
        assertThat(Errno.name(ErrnoValues.EDEADLK())).isEqualTo("EDEADLK");
    }

    @Test
    void everyNumberTheCLibraryDefinesHasAName() {
        int highest = Errno.all().keySet().stream().mapToInt(Integer::intValue).max().orElseThrow();
        assertThat(highest).isEqualTo(ErrnoValues.EHWPOISON());
        for (int errno = 1; errno <= highest; errno++) {
            String name = Errno.name(errno);
            if (Errno.all().containsKey(errno)) {
                assertThat(name).matches("E[A-Z0-9]+");
            } else {
                // Linux leaves 41 and 58 unused (EWOULDBLOCK and EDEADLOCK were there once).
                assertThat(name).isEqualTo("errno " + errno);
            }
        }
        assertThat(Errno.all()).hasSizeGreaterThan(125);
    }

    @Test
    void unknownNumberGetsAUsableName() {
        ErrnoException e = new ErrnoException("recv", 4242);
        assertThat(e.errnoName()).isEqualTo("errno 4242");
        assertThat(e.getMessage()).isEqualTo("recv: errno 4242 (Unknown error 4242)");
        assertThat(e.syscall()).isEqualTo("recv");
    }
}
