package dev.socketpair.internal.platform;

import java.lang.foreign.AddressLayout;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One ABI's generated bindings, read by the names jextract gave them (the C names): the only code that
 * reaches into a generated package. Everything above names a constant, a struct or a function once, for
 * every system, and gets the running system's number, layout or descriptor.
 *
 * <p>Names are resolved through the generated classes' public static methods ({@code Libc.SOL_SOCKET()},
 * {@code msghdr.layout()}); resolving initialises no class, calling does. Callers keep what they read in
 * {@code static final} fields, so reading costs nothing after class initialisation. A name the ABI does
 * not bind is an {@link IllegalStateException} naming both: the code above asks for a facility only
 * where {@link Platform} says the system has it.
 *
 * <p>A function's descriptor is read from the signature of the method jextract wraps it in
 * ({@code Libc.sendmsg(int, MemorySegment, int)}), each Java type standing for the generated layout
 * jextract gives it, never from {@code Libc.sendmsg$descriptor()}: that initialises a holder class which
 * links a downcall handle of its own, without errno capture, that nothing here would call.
 *
 * <p>Functions are looked up in the C library by its name on that system (its soname on Linux and the
 * BSDs), never through the JDK's default lookup, which loads a library of its own when first used and,
 * if that fails for want of a descriptor, stays empty for the life of the process.
 *
 * <p>Immutable apart from the lazily opened library; safe for use by multiple threads.
 */
@SuppressWarnings("restricted")
public final class CLibrary {

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final String DESCRIPTOR_SUFFIX = "$descriptor";

    private final Abi abi;
    private final Class<?> header;
    private final Class<?> errnoValues;
    // The library, once looked up; a lookup of a library the process has loaded opens no file.
    private volatile SymbolLookup library;
    private volatile Map<Integer, String> errnoNames;
    // The generated function wrappers by name, read once: the class has a few hundred public methods.
    private volatile Map<String, Method> functions;

    private CLibrary(Abi abi) {
        this.abi = abi;
        this.header = generatedClass(abi, "Libc");
        this.errnoValues = generatedClass(abi, "ErrnoValues");
    }

    /** Returns the bindings of an ABI without initialising any generated class. */
    static CLibrary of(Abi abi) {
        return new CLibrary(abi);
    }

    /** {@return the ABI these bindings are for} */
    public Abi abi() {
        return abi;
    }

    /** {@return whether the ABI binds the named constant} */
    public boolean hasConstant(String name) {
        return constantGetter(name) != null;
    }

    /**
     * Returns the named constant ({@code #define} or enum value) of the ABI.
     *
     * @throws IllegalStateException if the ABI binds no such constant
     */
    public int constant(String name) {
        MethodHandle getter = constantGetter(name);
        if (getter == null) {
            throw absent("constant", name);
        }
        try {
            return getter.type().returnType() == long.class ? Math.toIntExact((long) getter.invoke()) : (int) getter.invoke();
        } catch (Throwable t) {
            throw new IllegalStateException("generated constant " + name + " of " + abi.description() + " is not readable", t);
        }
    }

    /**
     * Returns the layout of the named struct or union.
     *
     * @throws IllegalStateException if the ABI binds no such type
     */
    public GroupLayout struct(String name) {
        if (type(name) instanceof GroupLayout group) {
            return group;
        }
        throw new IllegalStateException(name + " is not a struct on " + abi.description());
    }

    /**
     * Returns the layout of the named type: a struct or union, or a typedef, which may be a struct on
     * one system ({@code sigset_t} on Linux) and a number or a pointer on another (macOS).
     *
     * @throws IllegalStateException if the ABI binds no such type
     */
    public MemoryLayout type(String name) {
        Class<?> generated = generatedClassOrNull(name);
        if (generated == null) {
            return headerLayout(name);
        }
        try {
            return (GroupLayout) LOOKUP.findStatic(generated, "layout", MethodType.methodType(GroupLayout.class)).invoke();
        } catch (Throwable t) {
            throw unreadableLayout(name, t);
        }
    }

    /** A layout the header class holds in a field of its own: a typedef or a C type ({@code C_INT}). */
    private MemoryLayout headerLayout(String name) {
        try {
            return (MemoryLayout) header.getField(name).get(null);
        } catch (NoSuchFieldException e) {
            throw absent("type", name);
        } catch (Throwable t) {
            throw unreadableLayout(name, t);
        }
    }

    private IllegalStateException unreadableLayout(String name, Throwable cause) {
        return new IllegalStateException("generated layout of " + name + " for " + abi.description() + " is not readable",
                cause);
    }

    /** {@return the layout of C's {@code int} on this ABI} */
    public ValueLayout.OfInt cInt() {
        return (ValueLayout.OfInt) cType("C_INT");
    }

    /** {@return the layout of C's pointers on this ABI} */
    public AddressLayout cPointer() {
        return (AddressLayout) cType("C_POINTER");
    }

    private ValueLayout cType(String name) {
        return (ValueLayout) headerLayout(name);
    }

    /**
     * Looks a function up in the C library and returns its address with its descriptor as the generated
     * bindings describe it, or nothing if the running C library lacks the symbol (an older glibc without
     * {@code posix_spawn_file_actions_addclosefrom_np}, say) or the ABI does not bind it. Every argument
     * passed as a {@code MemorySegment} is a pointer in the descriptor: the library passes no struct by
     * value, and glibc's {@code __SOCKADDR_ARG} (the address argument of getsockname and getpeername), a
     * {@code transparent_union} of pointers that jextract describes as a union, is passed by C as its
     * first member, a pointer.
     */
    public Optional<NativeFunction> function(String name) {
        Method wrapper = functions().get(name);
        Optional<MemorySegment> address = wrapper == null ? Optional.empty() : library().find(name);
        if (address.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new NativeFunction(name, address.get(),
                descriptor(name, wrapper.getReturnType(), wrapper.getParameterTypes())));
    }

    private Map<String, Method> functions() {
        Map<String, Method> wrappers = functions;
        if (wrappers == null) {
            wrappers = readFunctions();
            functions = wrappers;
        }
        return wrappers;
    }

    /**
     * The header's function wrappers: jextract gives each function it binds a method of the function's
     * name beside {@code name$descriptor()}; a variadic function has an invoker class instead.
     */
    private Map<String, Method> readFunctions() {
        Method[] methods = header.getMethods();
        Map<String, Method> byName = new HashMap<>();
        for (Method m : methods) {
            if (Modifier.isStatic(m.getModifiers()) && !m.isVarArgs() && m.getName().indexOf('$') < 0) {
                byName.put(m.getName(), m);
            }
        }
        Map<String, Method> wrappers = new HashMap<>();
        for (Method m : methods) {
            String name = m.getName();
            if (name.endsWith(DESCRIPTOR_SUFFIX) && m.getParameterCount() == 0) {
                String function = name.substring(0, name.length() - DESCRIPTOR_SUFFIX.length());
                Method wrapper = byName.get(function);
                if (wrapper != null) {
                    wrappers.put(function, wrapper);
                }
            }
        }
        return Map.copyOf(wrappers);
    }

    /**
     * Looks up a variadic function in the C library and returns its address with the descriptor of its
     * fixed arguments, or nothing if the running C library lacks the symbol or the ABI does not bind it
     * as a variadic function. jextract describes a variadic function by an invoker class rather than a descriptor; the fixed
     * arguments are read from the parameter types of that class's {@code apply} method, without
     * initialising it ({@code ioctl}'s request is an {@code unsigned long} in glibc and on the BSDs and
     * macOS, an {@code int} in musl). The caller appends the layouts of the variadic arguments it passes.
     */
    public Optional<NativeFunction> variadicFunction(String name) {
        return variadicDescriptor(name).flatMap(descriptor -> library().find(name)
                .map(address -> new NativeFunction(name, address, descriptor)));
    }

    /** The descriptor of a variadic function's fixed arguments, as {@link #variadicFunction} reads it. */
    Optional<FunctionDescriptor> variadicDescriptor(String name) {
        // Every function has a nested class of that name; only a variadic one's has apply(..., Object...).
        Class<?> invoker = generatedClassOrNull(abi, header.getSimpleName() + "$" + name);
        Method apply = invoker == null ? null : Arrays.stream(invoker.getMethods())
                .filter(m -> m.getName().equals("apply") && m.isVarArgs())
                .findFirst()
                .orElse(null);
        if (apply == null) {
            return Optional.empty();
        }
        Class<?>[] parameters = apply.getParameterTypes();
        return Optional.of(descriptor(name, apply.getReturnType(), Arrays.copyOf(parameters, parameters.length - 1)));
    }

    /** The descriptor of a function whose generated Java signature has these types. */
    private FunctionDescriptor descriptor(String function, Class<?> returnType, Class<?>[] parameters) {
        MemoryLayout[] arguments = new MemoryLayout[parameters.length];
        for (int i = 0; i < arguments.length; i++) {
            arguments[i] = carrierLayout(function, parameters[i]);
        }
        return returnType == void.class
                ? FunctionDescriptor.ofVoid(arguments)
                : FunctionDescriptor.of(carrierLayout(function, returnType), arguments);
    }

    /** The C layout of this ABI that jextract gives the Java type {@code carrier}. */
    private MemoryLayout carrierLayout(String function, Class<?> carrier) {
        String type = carrier == int.class ? "C_INT"
                : carrier == long.class ? "C_LONG"
                : carrier == short.class ? "C_SHORT"
                : carrier == byte.class ? "C_CHAR"
                : carrier == MemorySegment.class ? "C_POINTER"
                : null;
        if (type == null) {
            throw new IllegalStateException("the generated signature of " + function + " for " + abi.description()
                    + " has a " + carrier.getName());
        }
        return cType(type);
    }

    /**
     * Returns the symbolic name of every errno value of the ABI with a number of its own, read from the
     * generated {@code ErrnoValues} (every {@code E*} of {@code <errno.h>}, aliases left out).
     */
    public Map<Integer, String> errnoNames() {
        Map<Integer, String> names = errnoNames;
        if (names == null) {
            names = readErrnoNames();
            errnoNames = names;
        }
        return names;
    }

    private Map<Integer, String> readErrnoNames() {
        Pattern errnoName = Pattern.compile("E[A-Z0-9]+");
        Map<Integer, String> names = new HashMap<>();
        for (Method m : errnoValues.getMethods()) {
            if (Modifier.isStatic(m.getModifiers()) && m.getParameterCount() == 0
                    && m.getReturnType() == int.class && errnoName.matcher(m.getName()).matches()) {
                int value;
                try {
                    value = (int) m.invoke(null);
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException("generated errno " + m.getName() + " is not readable", e);
                }
                String previous = names.put(value, m.getName());
                if (previous != null) {
                    throw new IllegalStateException("two errno names for one number: " + previous + ", " + m.getName());
                }
            }
        }
        return Map.copyOf(names);
    }

    /** {@return the number of the named errno on this ABI} @throws IllegalStateException if it has none */
    public int errno(String name) {
        MethodHandle getter = findStatic(errnoValues, name, int.class);
        if (getter == null) {
            throw absent("errno", name);
        }
        try {
            return (int) getter.invoke();
        } catch (Throwable t) {
            throw new IllegalStateException("generated errno " + name + " is not readable", t);
        }
    }

    private SymbolLookup library() {
        SymbolLookup lookup = library;
        if (lookup == null) {
            lookup = SymbolLookup.libraryLookup(abi.libraryName(), Arena.global());
            library = lookup;
        }
        return lookup;
    }

    private MethodHandle constantGetter(String name) {
        MethodHandle getter = findStatic(header, name, int.class);
        return getter != null ? getter : findStatic(header, name, long.class);
    }

    private Class<?> generatedClassOrNull(String simpleName) {
        return generatedClassOrNull(abi, simpleName);
    }

    private static Class<?> generatedClassOrNull(Abi abi, String simpleName) {
        try {
            // Joined rather than concatenated: the first string concatenation of a shape makes the JVM
            // generate a class for it, and this runs before a process's first open.
            return Class.forName(String.join(".", abi.packageName(), simpleName), false, CLibrary.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    private static Class<?> generatedClass(Abi abi, String simpleName) {
        Class<?> generated = generatedClassOrNull(abi, simpleName);
        if (generated == null) {
            throw new IllegalStateException("the bindings of " + abi.description() + " are missing " + simpleName);
        }
        return generated;
    }

    private static MethodHandle findStatic(Class<?> owner, String name, Class<?> returnType) {
        try {
            return LOOKUP.findStatic(owner, name, MethodType.methodType(returnType));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    private IllegalStateException absent(String kind, String name) {
        return new IllegalStateException(abi.description() + " has no " + kind + " " + name + " in its bindings");
    }

    /** A function of the C library: its address and its C signature as jextract described it. */
    public record NativeFunction(String name, MemorySegment address, FunctionDescriptor descriptor) {
    }
}
