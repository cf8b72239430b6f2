package dev.socketpair;

import java.io.FileInputStream;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Run by {@link ChildProcessDescriptorLimitTest} in a child JVM whose descriptor limit is low: starts
 * children while no descriptor is free, which posix_spawn needs none for but the JDK's
 * {@link ProcessHandle#of} does (it reads /proc/[pid]/stat), then asks for their handles once
 * descriptors are free, before and after a child has exited.
 */
public final class ChildProcessDescriptorLimitProbe {

    private ChildProcessDescriptorLimitProbe() {
    }

    public static void main(String[] args) throws Exception {
        AtDescriptorLimit.preloadClasses(ChildProcessDescriptorLimitProbe.class);
        try (SocketPair stdin = SocketPair.open()) {
            Process child = new ChildProcessBuilder("cat").place(0, stdin.second()).start();
            System.out.println("warm-up handle alive " + child.toHandle().isAlive());
            stdin.first().shutdownOutput();
            System.out.println("warm-up exit " + child.waitFor() + " " + child.toHandle().onExit().get(10, TimeUnit.SECONDS).isAlive());
        }
        try {
            new ChildProcessBuilder("/nonexistent").start();
        } catch (ErrnoException expected) {
            System.out.println("warm-up error " + expected.errnoName());
        }
        new FileInputStream("/dev/null").close();

        SocketPair running = SocketPair.open();
        SocketPair exiting = SocketPair.open();
        List<FileInputStream> files = AtDescriptorLimit.fill();
        Process asked = new ChildProcessBuilder("cat").place(0, running.second()).start();
        Process exited = new ChildProcessBuilder("cat").place(0, exiting.second()).start();
        System.out.println("started at the limit: " + asked.isAlive() + " " + exited.isAlive());
        try {
            System.out.println("toHandle at the limit: " + asked.toHandle());
        } catch (UnsupportedOperationException e) {
            System.out.println("toHandle at the limit: UnsupportedOperationException " + e.getMessage());
        }

        AtDescriptorLimit.free(files);
        running.second().close();
        exiting.second().close();
        System.out.println("toHandle once descriptors are free: " + describe(asked));
        exiting.first().shutdownOutput();
        System.out.println("exit value " + exited.waitFor());
        System.out.println("toHandle after the exit: " + describe(exited));

        String handleExit;
        try {
            CompletableFuture<ProcessHandle> onExit = asked.toHandle().onExit();
            running.first().shutdownOutput();
            handleExit = (onExit.get(10, TimeUnit.SECONDS).pid() == asked.pid()) + ", exit value " + asked.waitFor()
                    + ", alive " + asked.toHandle().isAlive();
        } catch (UnsupportedOperationException e) {
            running.first().shutdownOutput();
            handleExit = "UnsupportedOperationException " + e.getMessage();
        }
        System.out.println("the handle's onExit completes: " + handleExit);
        running.close();
        exiting.close();
    }

    private static String describe(Process process) {
        try {
            ProcessHandle handle = process.toHandle();
            return "pid " + (handle.pid() == process.pid() ? "matches" : handle.pid()) + ", alive " + handle.isAlive();
        } catch (UnsupportedOperationException e) {
            return "UnsupportedOperationException " + e.getMessage();
        }
    }
}
