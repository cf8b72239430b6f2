package dev.socketpair.bench;

import dev.socketpair.SocketPair;
import org.newsclub.net.unix.AFUNIXSocketPair;

/**
 * A whole process whose only job is to open its first socket pair: started by {@link BenchmarkTable},
 * which times it from launch to the line this prints.
 */
public final class StartupProbe {

    private StartupProbe() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "ours" -> {
                try (SocketPair pair = SocketPair.open()) {
                    System.out.println("opened " + pair.first().fd());
                }
            }
            case "junixsocket" -> {
                var pair = AFUNIXSocketPair.open();
                System.out.println("opened " + pair.getSocket1().isOpen());
                pair.close();
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
