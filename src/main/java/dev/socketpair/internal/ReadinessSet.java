package dev.socketpair.internal;

import dev.socketpair.internal.platform.Features;

/**
 * The kernel side of a selector: descriptors, each watched for some operations, that one thread waits
 * on until one of them is ready, and a wake-up that other threads use to end that wait. One
 * implementation per readiness interface of the kernel: {@link EpollSet} on epoll(7) (Linux), and
 * {@link PollSet} on poll(2) (FreeBSD, DragonFly, macOS, and portable mode); {@link #open()} takes the
 * one {@link Features#epoll()} says.
 *
 * <p>Readiness is spoken in the kernel's event bits, which differ between the interfaces: each set names
 * the bits that mean readable, writable, and failed (an error or a hang-up). A descriptor given to
 * {@link #add}, {@link #modify} or {@link #delete} is held open by the caller for the call; a descriptor
 * the caller is about to close leaves the set through {@link #delete} first, which returns only once no
 * wait can report anything more about it, and no kernel call of the set holds its file.
 *
 * <p>Threads. The methods are not synchronised among themselves; each group belongs to one lock of the
 * caller's: {@link #waitNow}, {@link #waitInKernel}, {@link #parkUntilReady} and the event accessors to
 * the one selecting thread; {@link #add}, {@link #modify}, {@link #delete} and {@link #close} to a lock
 * the caller holds around each; {@link #wakeup} and {@link #clearWakeup} may come from any thread, even
 * during or after close. {@link #close} may run only once no thread waits or selects on the set.
 */
public interface ReadinessSet {

    /** The outcome of opening a set: the set, or the call that failed and its errno. */
    record Opened(ReadinessSet set, String syscall, int errno) {
    }

    /**
     * Opens a set on the system's readiness interface, with its wake-up pair, all close-on-exec. If a
     * call fails, whatever was made is closed again.
     */
    static Opened open() {
        return Features.epoll() ? EpollSet.open() : PollSet.open();
    }

    /** The event bits that make a descriptor ready for reading: data, end of stream. */
    int readableEvents();

    /** The event bits that make a descriptor ready for writing. */
    int writableEvents();

    /** The event bits the kernel reports whatever was asked: an error, or a hang-up of both directions. */
    int failedEvents();

    /**
     * Adds {@code fd} to the set, reporting {@code events} (of {@link #readableEvents()} and
     * {@link #writableEvents()}) level-triggered.
     *
     * @return 0, or {@code -errno} from {@link #controlCall()}
     */
    int add(int fd, int events);

    /** Changes the events of {@code fd}, as {@link #add}. @return 0, or {@code -errno} */
    int modify(int fd, int events);

    /** Removes {@code fd} from the set, as the class comment says. @return 0, or {@code -errno} */
    int delete(int fd);

    /** The system call whose errno {@link #add}, {@link #modify} and {@link #delete} return. */
    String controlCall();

    /** Collects the events ready now, without waiting. @return their number, or {@code -errno} */
    int waitNow();

    /**
     * Waits in the kernel for up to {@code timeoutMillis} (-1: no limit): for platform threads only,
     * since the call blocks its thread. {@link #wakeup()} ends the wait.
     *
     * @return the number of events; 0 once the timeout has passed; or {@code -errno}, {@code EINTR} if the
     *         wait ended with nothing to report (a signal came, or the set changed under the wait), and
     *         the caller waits again for what is left of its timeout
     */
    int waitInKernel(int timeoutMillis);

    /** The system call whose errno {@link #waitNow} and {@link #waitInKernel} return. */
    String waitCall();

    /**
     * Parks the current virtual thread until the set may have events, {@link #wakeup()} is called, the
     * thread is interrupted or unparked, or {@code nanos} have passed (0: no limit), never blocking its
     * carrier in the kernel; then {@link #waitNow()} collects what is ready. A platform thread ends the
     * park, so that a selecting thread pinned to its carrier (on JDK 22 and 23 it parks inside the
     * selector's monitor) is released too. The caller has made the pollers ({@link Poller#start()}).
     *
     * @return 0, or {@code -errno} from {@link #controlCall()} when registering with the poller
     */
    int parkUntilReady(long nanos);

    /** The descriptor of the {@code index}th event collected by the last wait. */
    int eventFd(int index);

    /** The event bits of the {@code index}th event collected by the last wait. */
    int eventBits(int index);

    /** Whether an event's descriptor is the wake-up pair's rather than a registered one. */
    boolean isWakeup(int fd);

    /**
     * Makes the current or the next wait return with the wake-up among its events, until
     * {@link #clearWakeup()}. Does nothing once closed.
     *
     * @return 0, or {@code -errno} from send(2)
     */
    int wakeup();

    /** Takes back a wake-up, so that the next wait waits again. @return 0, or {@code -errno} from recv(2) */
    int clearWakeup();

    /**
     * Closes the set, the wake-up pair and the memory, once. The caller holds its control lock and no
     * thread waits on the set; a later {@link #wakeup()} does nothing.
     *
     * @return 0, or the first {@code -errno} from close(2)
     */
    int close();
}
