using System.Buffers.Binary;
using System.Text;

namespace ChatEngine.Gguf;

/// <summary>
/// Streams a GGUF v3 file: <see cref="WriteHeader"/> once (metadata and the tensor directory, with offsets laid out
/// the way llama.cpp lays them out), then <see cref="WriteTensorData"/> once per tensor, in directory order.
/// </summary>
public sealed class GgufWriter : IDisposable
{
    private readonly Stream _output;
    private readonly bool _leaveOpen;
    private IReadOnlyList<GgufTensorDescriptor> _tensors = [];
    private int _nextTensor = -1;
    private long _writtenOfCurrent;
    private long _alignment = GgufFile.DefaultAlignment;

    public GgufWriter(Stream output, bool leaveOpen = false)
    {
        _output = output;
        _leaveOpen = leaveOpen;
    }

    /// <summary>Writes a whole file whose tensor bytes are already in memory.</summary>
    public static void Write(string path, GgufMetadata metadata, IReadOnlyList<(GgufTensorDescriptor Tensor, ReadOnlyMemory<byte> Data)> tensors)
    {
        using var stream = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var writer = new GgufWriter(stream);
        writer.WriteHeader(metadata, tensors.Select(t => t.Tensor).ToList());
        foreach (var (_, data) in tensors) writer.WriteTensorData(data.Span);
        writer.Finish();
    }

    public void WriteHeader(GgufMetadata metadata, IReadOnlyList<GgufTensorDescriptor> tensors, uint version = 3)
    {
        if (_nextTensor >= 0) throw new InvalidOperationException("the header was already written");
        if (metadata.TryGetUInt32("general.alignment", out var alignment)) _alignment = alignment;
        _tensors = tensors;
        WriteUInt32(GgufFile.Magic);
        WriteUInt32(version);
        WriteUInt64((ulong)tensors.Count);
        WriteUInt64((ulong)metadata.Count);
        foreach (var (key, value) in metadata)
        {
            WriteString(key);
            WriteUInt32((uint)value.Type);
            WriteValue(value.Type, value.Value);
        }
        long offset = 0;
        foreach (var tensor in tensors)
        {
            WriteString(tensor.Name);
            WriteUInt32((uint)tensor.Dimensions.Length);
            foreach (var dim in tensor.Dimensions) WriteUInt64((ulong)dim);
            WriteUInt32((uint)tensor.Type);
            WriteUInt64((ulong)offset);
            offset = GgufFile.AlignUp(offset + tensor.ByteSize, _alignment);
        }
        // llama.cpp writes vocab-only files (no tensors) without padding after the header.
        if (tensors.Count > 0) Pad();
        _nextTensor = 0;
    }

    /// <summary>Writes the next tensor's bytes whole.</summary>
    public void WriteTensorData(ReadOnlySpan<byte> data)
    {
        if (_writtenOfCurrent != 0) throw new InvalidOperationException("the current tensor was started with WriteTensorPart");
        WriteTensorPart(data);
        if (_writtenOfCurrent != 0)
            throw new ArgumentException($"tensor '{_tensors[_nextTensor].Name}' needs {_tensors[_nextTensor].ByteSize} bytes, got {data.Length}", nameof(data));
    }

    /// <summary>Writes part of the next tensor's bytes; the tensor is complete (and padded) once all its bytes are written.</summary>
    public void WriteTensorPart(ReadOnlySpan<byte> part)
    {
        if (_nextTensor < 0) throw new InvalidOperationException("write the header first");
        if (_nextTensor >= _tensors.Count) throw new InvalidOperationException("all tensors were already written");
        var tensor = _tensors[_nextTensor];
        if (_writtenOfCurrent + part.Length > tensor.ByteSize)
            throw new ArgumentException($"tensor '{tensor.Name}' needs {tensor.ByteSize} bytes, got {_writtenOfCurrent + part.Length}", nameof(part));
        _output.Write(part);
        _writtenOfCurrent += part.Length;
        if (_writtenOfCurrent < tensor.ByteSize) return;
        _writtenOfCurrent = 0;
        _nextTensor++;
        Pad();
    }

    private void Pad()
    {
        var padding = (int)(GgufFile.AlignUp(_output.Position, _alignment) - _output.Position);
        Span<byte> zeros = stackalloc byte[padding];
        zeros.Clear();
        _output.Write(zeros);
    }

    private void WriteValue(GgufValueType type, object value)
    {
        switch (value)
        {
            case byte v: _output.WriteByte(v); break;
            case sbyte v: _output.WriteByte((byte)v); break;
            case ushort v: WriteUInt16(v); break;
            case short v: WriteUInt16((ushort)v); break;
            case uint v: WriteUInt32(v); break;
            case int v: WriteUInt32((uint)v); break;
            case ulong v: WriteUInt64(v); break;
            case long v: WriteUInt64((ulong)v); break;
            case float v: WriteUInt32(BitConverter.SingleToUInt32Bits(v)); break;
            case double v: WriteUInt64(BitConverter.DoubleToUInt64Bits(v)); break;
            case bool v: _output.WriteByte(v ? (byte)1 : (byte)0); break;
            case string v: WriteString(v); break;
            case GgufArray array:
                WriteUInt32((uint)array.ElementType);
                WriteUInt64((ulong)array.Length);
                foreach (var item in array.Items)
                    WriteValue(array.ElementType, item ?? throw new ArgumentException("null array element", nameof(value)));
                break;
            default:
                throw new ArgumentException($"a {value.GetType().Name} cannot be written as GGUF {type}", nameof(value));
        }
    }

    private void WriteString(string value)
    {
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteUInt64((ulong)bytes.Length);
        _output.Write(bytes);
    }

    private void WriteUInt16(ushort value)
    {
        Span<byte> buffer = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(buffer, value);
        _output.Write(buffer);
    }

    private void WriteUInt32(uint value)
    {
        Span<byte> buffer = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(buffer, value);
        _output.Write(buffer);
    }

    private void WriteUInt64(ulong value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        _output.Write(buffer);
    }

    /// <summary>Checks that every tensor was written and flushes the stream.</summary>
    public void Finish()
    {
        if (_nextTensor < 0 || _nextTensor < _tensors.Count)
            throw new InvalidOperationException($"only {Math.Max(0, _nextTensor)} of {_tensors.Count} tensors were written");
        _output.Flush();
    }

    public void Dispose()
    {
        if (!_leaveOpen) _output.Dispose();
    }
}
