namespace ChatEngine.Templates.Runtime;

/// <summary>The <c>loop</c> variable of a for loop.</summary>
internal sealed class LoopContext(IReadOnlyList<object?> items)
{
    public int Index0 { get; set; }

    public object? GetAttribute(string name)
    {
        var length = items.Count;
        return name switch
        {
            "index" => (long)Index0 + 1,
            "index0" => (long)Index0,
            "revindex" => (long)(length - Index0),
            "revindex0" => (long)(length - Index0 - 1),
            "first" => Index0 == 0,
            "last" => Index0 == length - 1,
            "length" => (long)length,
            "depth" => 1L,
            "depth0" => 0L,
            "previtem" => Index0 > 0 ? items[Index0 - 1] : Undefined.Custom("there is no previous item"),
            "nextitem" => Index0 < length - 1 ? items[Index0 + 1] : Undefined.Custom("there is no next item"),
            "cycle" => new NativeFunction("loop.cycle", (_, args) =>
                args.Positional.Count == 0
                    ? throw TemplateRuntimeError.TypeError("no items for cycling given")
                    : args.Positional[Index0 % args.Positional.Count]),
            _ => Undefined.NoAttribute(this, name),
        };
    }
}
