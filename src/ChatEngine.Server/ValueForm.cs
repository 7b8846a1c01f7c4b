namespace ChatEngine.Server;

/// <summary>How a value of a setting's or option's type is written, in the words an error message uses.</summary>
public static class ValueForm
{
    /// <summary>"a whole number", "a number" or "true or false" for a scalar type (nullable or not); null for text and
    /// lists, where any value parses.</summary>
    public static string? Describe(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) || t == typeof(long) => "a whole number",
        var t when t == typeof(double) || t == typeof(float) => "a number",
        var t when t == typeof(bool) => "true or false",
        _ => null,
    };
}
