package dev.ferry.worker.internal;

import dev.ferry.schemas.FunctionSpec;
import dev.ferry.worker.Function;
import dev.ferry.worker.builtin.BuiltInFunctions;
import java.lang.reflect.InvocationTargetException;
import java.util.Optional;

/** {@code JAVA}: the handler is a built-in short name ({@code echo}, {@code sleep}...) or a class name. */
public final class JavaRuntime implements FunctionRuntime {

    @Override
    public Function create(FunctionSpec spec) {
        String handler = spec.getHandler().trim();
        Optional<Function> builtIn = BuiltInFunctions.create(handler);
        if (builtIn.isPresent()) {
            return builtIn.get();
        }
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            Class<?> type = Class.forName(handler, true, loader == null ? getClass().getClassLoader() : loader);
            if (!Function.class.isAssignableFrom(type)) {
                throw new FunctionUnavailableException("Handler " + handler + " of " + spec.getTenant() + "/"
                        + spec.getName() + " does not implement " + Function.class.getName());
            }
            return (Function) type.getDeclaredConstructor().newInstance();
        } catch (ClassNotFoundException e) {
            throw new FunctionUnavailableException("No built-in function or class named '" + handler + "' for "
                    + spec.getTenant() + "/" + spec.getName() + " (built-ins: " + BuiltInFunctions.NAMES + ")", e);
        } catch (NoSuchMethodException | InstantiationException | IllegalAccessException e) {
            throw new FunctionUnavailableException("Cannot instantiate " + handler + ": it needs a public "
                    + "no-argument constructor", e);
        } catch (InvocationTargetException e) {
            throw new FunctionUnavailableException("The constructor of " + handler + " failed: "
                    + e.getCause(), e.getCause());
        }
    }
}
