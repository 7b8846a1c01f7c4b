using Xunit;

namespace ChatEngine.TestData;

/// <summary>A fact that needs the full ../shared golden data; skipped with a visible message when it is absent.</summary>
public sealed class SharedFactAttribute : FactAttribute
{
    public SharedFactAttribute()
    {
        if (!TestPaths.HasShared) Skip = TestPaths.SkipMessage;
    }
}

/// <summary>A theory that needs the full ../shared golden data; skipped with a visible message when it is absent.</summary>
public sealed class SharedTheoryAttribute : TheoryAttribute
{
    public SharedTheoryAttribute()
    {
        if (!TestPaths.HasShared) Skip = TestPaths.SkipMessage;
    }
}
