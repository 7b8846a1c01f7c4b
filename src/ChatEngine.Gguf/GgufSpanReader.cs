using System.Buffers.Binary;
using System.Text;

namespace ChatEngine.Gguf;

/// <summary>
/// Bounds-checked little-endian reads over a block of memory. Every failure is a <see cref="GgufFormatException"/>
/// naming the field being read and its offset; lengths declared in the file are checked against the bytes that remain
/// before anything is allocated.
/// </summary>
internal unsafe struct GgufSpanReader(byte* start, long length)
{
    public long Position { get; private set; }
    public readonly long Length => length;
    public readonly long Remaining => length - Position;

    public void Seek(long position) => Position = position;

    private ReadOnlySpan<byte> Take(long count, string field)
    {
        if (count < 0 || count > Remaining)
            throw new GgufFormatException($"unexpected end of file: {count} bytes needed, {Remaining} left", field, Position);
        if (count > int.MaxValue)
            throw new GgufFormatException($"a value of {count} bytes exceeds the {int.MaxValue}-byte limit of one value", field, Position);
        var span = new ReadOnlySpan<byte>(start + Position, (int)count);
        Position += count;
        return span;
    }

    public byte ReadUInt8(string field) => Take(1, field)[0];
    public ushort ReadUInt16(string field) => BinaryPrimitives.ReadUInt16LittleEndian(Take(2, field));
    public uint ReadUInt32(string field) => BinaryPrimitives.ReadUInt32LittleEndian(Take(4, field));
    public ulong ReadUInt64(string field) => BinaryPrimitives.ReadUInt64LittleEndian(Take(8, field));
    public float ReadFloat32(string field) => BinaryPrimitives.ReadSingleLittleEndian(Take(4, field));
    public double ReadFloat64(string field) => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, field));

    /// <summary>Reads a count and checks that at least <paramref name="minBytesEach"/> bytes per item remain.</summary>
    public long ReadCount(string field, long minBytesEach)
    {
        var at = Position;
        var count = ReadUInt64(field);
        if (count > (ulong)Math.Max(0, Remaining) / (ulong)minBytesEach)
            throw new GgufFormatException($"declared count {count} exceeds what the remaining {Remaining} bytes can hold", field, at);
        return (long)count;
    }

    public string ReadString(string field)
    {
        var at = Position;
        var byteCount = ReadUInt64(field);
        if (byteCount > (ulong)Remaining)
            throw new GgufFormatException($"string length {byteCount} exceeds the remaining {Remaining} bytes", field, at);
        return Encoding.UTF8.GetString(Take((long)byteCount, field));
    }

    public GgufValue ReadValue(GgufValueType type, string field, int depth = 0)
    {
        var at = Position;
        object value = type switch
        {
            GgufValueType.UInt8 => ReadUInt8(field),
            GgufValueType.Int8 => (sbyte)ReadUInt8(field),
            GgufValueType.UInt16 => ReadUInt16(field),
            GgufValueType.Int16 => (short)ReadUInt16(field),
            GgufValueType.UInt32 => ReadUInt32(field),
            GgufValueType.Int32 => (int)ReadUInt32(field),
            GgufValueType.UInt64 => ReadUInt64(field),
            GgufValueType.Int64 => (long)ReadUInt64(field),
            GgufValueType.Float32 => ReadFloat32(field),
            GgufValueType.Float64 => ReadFloat64(field),
            GgufValueType.Bool => ReadBool(field),
            GgufValueType.String => ReadString(field),
            GgufValueType.Array => ReadArray(field, depth),
            _ => throw new GgufFormatException($"unknown metadata value type {(uint)type}", field, at),
        };
        return new GgufValue(type, value);
    }

    private bool ReadBool(string field)
    {
        var at = Position;
        return ReadUInt8(field) switch
        {
            0 => false,
            1 => true,
            var b => throw new GgufFormatException($"bool value {b} is neither 0 nor 1", field, at),
        };
    }

    private const int MaxArrayNesting = 8;

    private GgufArray ReadArray(string field, int depth)
    {
        var at = Position;
        if (depth >= MaxArrayNesting)
            throw new GgufFormatException($"arrays nested deeper than {MaxArrayNesting}", field, at);
        var elementType = (GgufValueType)ReadUInt32(field);
        var countAt = Position;
        var declared = ReadCount(field, MinimumEncodedSize(elementType, field, at));
        if (declared > Array.MaxLength)
            throw new GgufFormatException($"array length {declared} exceeds the {Array.MaxLength}-element limit of an array", field, countAt);
        var count = (int)declared;
        return elementType switch
        {
            GgufValueType.UInt8 => new(elementType, ReadPrimitives<byte>(count, 1, field)),
            GgufValueType.Int8 => new(elementType, ReadPrimitives<sbyte>(count, 1, field)),
            GgufValueType.UInt16 => new(elementType, ReadPrimitives<ushort>(count, 2, field)),
            GgufValueType.Int16 => new(elementType, ReadPrimitives<short>(count, 2, field)),
            GgufValueType.UInt32 => new(elementType, ReadPrimitives<uint>(count, 4, field)),
            GgufValueType.Int32 => new(elementType, ReadPrimitives<int>(count, 4, field)),
            GgufValueType.UInt64 => new(elementType, ReadPrimitives<ulong>(count, 8, field)),
            GgufValueType.Int64 => new(elementType, ReadPrimitives<long>(count, 8, field)),
            GgufValueType.Float32 => new(elementType, ReadPrimitives<float>(count, 4, field)),
            GgufValueType.Float64 => new(elementType, ReadPrimitives<double>(count, 8, field)),
            GgufValueType.Bool => new(elementType, ReadBools(count, field)),
            GgufValueType.String => new(elementType, ReadStrings(count, field)),
            _ => new(elementType, ReadNested(count, field, depth)),
        };
    }

    private static long MinimumEncodedSize(GgufValueType type, string field, long at) => type switch
    {
        GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
        GgufValueType.UInt16 or GgufValueType.Int16 => 2,
        GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
        GgufValueType.UInt64 or GgufValueType.Int64 or GgufValueType.Float64 or GgufValueType.String => 8,
        GgufValueType.Array => 12,
        _ => throw new GgufFormatException($"unknown array element type {(uint)type}", field, at),
    };

    private T[] ReadPrimitives<T>(int count, int size, string field) where T : unmanaged
    {
        var bytes = Take((long)count * size, field);
        var result = new T[count];
        bytes.CopyTo(System.Runtime.InteropServices.MemoryMarshal.AsBytes(result.AsSpan()));
        return result;
    }

    private bool[] ReadBools(int count, string field)
    {
        var result = new bool[count];
        for (var i = 0; i < count; i++) result[i] = ReadBool(field);
        return result;
    }

    private string[] ReadStrings(int count, string field)
    {
        var result = new string[count];
        for (var i = 0; i < count; i++) result[i] = ReadString(field);
        return result;
    }

    private GgufArray[] ReadNested(int count, string field, int depth)
    {
        var result = new GgufArray[count];
        for (var i = 0; i < count; i++) result[i] = ReadArray(field, depth + 1);
        return result;
    }
}
