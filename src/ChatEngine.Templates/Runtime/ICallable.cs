namespace ChatEngine.Templates.Runtime;

/// <summary>Something a template can call: a global function, a bound method, a macro, <c>caller</c>, <c>loop.cycle</c>.</summary>
internal interface ICallable
{
    object? Call(Renderer renderer, CallArguments arguments);
}

/// <summary>A native function (global or bound method).</summary>
internal sealed class NativeFunction(string name, Func<Renderer, CallArguments, object?> body) : ICallable
{
    public string Name { get; } = name;

    public object? Call(Renderer renderer, CallArguments arguments) => body(renderer, arguments);
}
