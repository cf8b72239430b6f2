package dev.socketpair;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDomainSocketChannel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Netty's NIO transport over the ends, as MIGRATION.md shows it: each end wrapped in a
 * {@link NioDomainSocketChannel} and registered with an event loop whose selector comes from the end's
 * own provider, the only selectors an end can register with.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NettyTransportTest {

    /** More than a socket's send buffer and many times a first Netty read (2 KiB): partial writes and reads. */
    private static final int LENGTH = 512 * 1024;

    @Test
    void bytesWrittenThroughOneEndsNettyChannelComeBackExactlyFromAnEchoOnTheOther() throws Exception {
        byte[] sent = Bytes.random(new Random(7), LENGTH);
        try (SocketPair pair = SocketPair.open()) {
            MultiThreadIoEventLoopGroup group = eventLoopGroup(pair);
            try {
                Outcome echoOutcome = new Outcome();
                Outcome clientOutcome = new Outcome();
                Collector collector = new Collector(LENGTH);
                register(group, pair.second(), new Echo(), echoOutcome);
                Channel client = register(group, pair.first(), collector, clientOutcome);

                client.writeAndFlush(Unpooled.wrappedBuffer(sent)).sync();

                byte[] received = collector.received.get();
                assertThat(Arrays.mismatch(received, sent)).as("first byte that differs").isEqualTo(-1);
                assertThat(collector.reads.get()).as("reads that delivered the bytes").isGreaterThan(1);
                assertThat(echoOutcome.failure).as("echo side").isNotDone();
                assertThat(clientOutcome.failure).as("writing side").isNotDone();
            } finally {
                group.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
            }
        }
    }

    @Test
    void closingOneEndsNettyChannelClosesTheEndAndTheOtherChannelSeesEndOfStreamAndClosesItsEnd()
            throws Exception {
        try (SocketPair pair = SocketPair.open()) {
            int closedFd = pair.first().fd();
            int peerFd = pair.second().fd();
            MultiThreadIoEventLoopGroup group = eventLoopGroup(pair);
            try {
                Outcome closing = new Outcome();
                Outcome peer = new Outcome();
                Channel closed = register(group, pair.first(), closing);
                Channel peerChannel = register(group, pair.second(), peer);
                assertThat(ProcFd.isOpenSocket(peerFd)).as("peer's descriptor before the close").isTrue();

                closed.close().sync();

                assertThat(pair.first().isOpen()).isFalse();
                assertThat(ProcFd.target(closedFd)).as("closed end's descriptor").isNull();
                peer.inactive.get();
                assertThat(peerChannel.isOpen()).isFalse();
                assertThat(pair.second().isOpen()).isFalse();
                assertThat(ProcFd.target(peerFd)).as("peer's descriptor").isNull();
                assertThat(peer.failure).as("peer's read of end of stream").isNotDone();
                assertThat(closing.failure).as("closing side").isNotDone();
            } finally {
                group.shutdownGracefully(0, 10, TimeUnit.SECONDS).sync();
            }
        }
    }

    /** One event-loop thread whose selector is opened by the ends' own provider. */
    private static MultiThreadIoEventLoopGroup eventLoopGroup(SocketPair pair) {
        return new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory(pair.first().provider()));
    }

    /** Wraps {@code end} in a Netty channel whose pipeline holds {@code handlers}, and registers it. */
    private static Channel register(MultiThreadIoEventLoopGroup group, UnixSocketChannel end,
                                    ChannelHandler... handlers) throws InterruptedException {
        Channel channel = new NioDomainSocketChannel(null, end);
        channel.pipeline().addLast(handlers);
        group.register(channel).sync();
        return channel;
    }

    /** Writes back every buffer it reads, flushing once per batch of reads. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.write(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            ctx.flush();
        }
    }

    /** Gathers a known number of bytes, counting the reads that brought them. */
    private static final class Collector extends ChannelInboundHandlerAdapter {
        final CompletableFuture<byte[]> received = new CompletableFuture<>();
        final AtomicInteger reads = new AtomicInteger();
        private final byte[] bytes;
        private int length;

        Collector(int expected) {
            bytes = new byte[expected];
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buffer = (ByteBuf) msg;
            try {
                reads.incrementAndGet();
                int n = Math.min(buffer.readableBytes(), bytes.length - length);
                buffer.readBytes(bytes, length, n);
                length += n;
                if (buffer.isReadable()) {
                    received.completeExceptionally(new AssertionError("more than " + bytes.length + " bytes"));
                } else if (length == bytes.length) {
                    received.complete(bytes);
                }
            } finally {
                buffer.release();
            }
        }
    }

    /** The last handler of a pipeline: what reached it of the channel's end and of its exceptions. */
    private static final class Outcome extends ChannelInboundHandlerAdapter {
        final CompletableFuture<Void> inactive = new CompletableFuture<>();
        final CompletableFuture<Throwable> failure = new CompletableFuture<>();

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inactive.complete(null);
            ctx.fireChannelInactive();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            failure.complete(cause);
        }
    }
}
