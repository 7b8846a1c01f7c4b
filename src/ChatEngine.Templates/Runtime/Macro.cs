using ChatEngine.Templates.Syntax;

namespace ChatEngine.Templates.Runtime;

/// <summary>
/// A <c>{% macro %}</c> (or the body of a <c>{% call %}</c> block, exposed as <c>caller</c>): calling it renders the
/// body in a new frame over the scope where it was defined and returns the text.
/// </summary>
internal sealed class Macro(string name, IReadOnlyList<MacroParameter> parameters, IReadOnlyList<Stmt> body, Scope definingScope) : ICallable
{
    public string Name { get; } = name;

    public object? Call(Renderer renderer, CallArguments arguments)
    {
        if (arguments.Positional.Count > parameters.Count)
        {
            throw TemplateRuntimeError.TypeError($"macro '{Name}' takes not more than {parameters.Count} argument(s)");
        }
        var frame = new Scope(definingScope);
        foreach (var pair in arguments.Keyword)
        {
            if (pair.Key != "caller" && !parameters.Any(p => p.Name == pair.Key))
            {
                throw TemplateRuntimeError.TypeError($"macro '{Name}' takes no keyword argument '{pair.Key}'");
            }
            if (pair.Key == "caller") frame.Set("caller", pair.Value);
        }
        for (var i = 0; i < parameters.Count; i++)
        {
            var parameter = parameters[i];
            object? value;
            if (i < arguments.Positional.Count) value = arguments.Positional[i];
            else if (arguments.TryGet(-1, parameter.Name, out var keywordValue)) value = keywordValue;
            else if (parameter.Default is not null) value = renderer.Evaluate(parameter.Default, frame);
            else value = Undefined.Custom($"parameter '{parameter.Name}' was not provided");
            frame.Set(parameter.Name, value);
        }
        return renderer.CaptureCall(Name, body, frame);
    }
}
