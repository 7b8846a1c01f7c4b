namespace ChatEngine.Runtime.Constraints;

/// <summary>
/// The progress through a scalar value being written; its fields mean what its <see cref="Rule"/> says
/// (string: escape phase, characters so far, UTF-8 continuation bytes due; number: grammar phase, digits in the
/// current part; literal: bytes matched, candidate set).
/// </summary>
internal readonly record struct Leaf(ScalarRule? Rule, int Phase, int Count, ulong Mask)
{
    public bool IsActive => Rule is not null;
}
