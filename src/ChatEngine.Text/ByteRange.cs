namespace ChatEngine.Text;

/// <summary>A range of a UTF-8 input: <see cref="Length"/> bytes from <see cref="Offset"/>.</summary>
public readonly record struct ByteRange(int Offset, int Length)
{
    public int End => Offset + Length;
}
