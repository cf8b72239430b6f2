/**
 * The demo of socketpair for Java: a module of its own, using only what {@code dev.socketpair} exports,
 * as an application would.
 */
module dev.socketpair.demo {
    requires dev.socketpair;
}
