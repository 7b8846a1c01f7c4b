using System.IO.MemoryMappedFiles;
using System.Runtime.InteropServices;

namespace ChatEngine.Gguf;

/// <summary>
/// A GGUF file (version 2 or 3), memory-mapped read-only. Tensor data is used in place through
/// <see cref="TensorData"/>; nothing is copied to managed arrays. Dispose to unmap.
/// </summary>
public sealed unsafe class GgufFile : IDisposable
{
    public const uint Magic = 0x46554747; // "GGUF" little-endian
    public const uint DefaultAlignment = 32;
    private const int MaxDimensions = 4;

    private readonly MemoryMappedFile? _map;
    private readonly MemoryMappedViewAccessor? _view;
    private GCHandle _pinned;
    private readonly byte* _base;
    private readonly long _length;
    private readonly Dictionary<string, GgufTensorInfo> _tensorsByName;
    private bool _disposed;

    private GgufFile(MemoryMappedFile? map, MemoryMappedViewAccessor? view, GCHandle pinned, byte* start, long length, string path)
    {
        _map = map;
        _view = view;
        _pinned = pinned;
        _base = start;
        _length = length;
        Path = path;
        try
        {
            var reader = new GgufSpanReader(start, length);
            (Version, Metadata, Tensors, DataOffset) = Parse(ref reader);
            _tensorsByName = Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        }
        catch
        {
            Release();
            throw;
        }
    }

    /// <summary>Maps and parses <paramref name="path"/>. Malformed content gives a <see cref="GgufFormatException"/>.</summary>
    public static GgufFile Open(string path)
    {
        var length = new FileInfo(path).Length;
        if (length < 24) throw new GgufFormatException($"'{path}' is {length} bytes, too short to be a GGUF file", "magic", 0);
        var map = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = map.CreateViewAccessor(0, length, MemoryMappedFileAccess.Read);
            byte* start = null;
            view.SafeMemoryMappedViewHandle.AcquirePointer(ref start);
            return new GgufFile(map, view, default, start + view.PointerOffset, length, path);
        }
        catch
        {
            view?.Dispose();
            map.Dispose();
            throw;
        }
    }

    /// <summary>Parses a GGUF image held in memory (the array is pinned until disposal).</summary>
    public static GgufFile Load(byte[] bytes)
    {
        var handle = GCHandle.Alloc(bytes, GCHandleType.Pinned);
        return new GgufFile(null, null, handle, (byte*)handle.AddrOfPinnedObject(), bytes.Length, "<memory>");
    }

    public string Path { get; }
    public uint Version { get; }
    public GgufMetadata Metadata { get; }
    public IReadOnlyList<GgufTensorInfo> Tensors { get; }

    /// <summary>File offset where the (aligned) tensor data section starts.</summary>
    public long DataOffset { get; }

    public uint Alignment => Metadata.TryGetUInt32("general.alignment", out var a) ? a : DefaultAlignment;

    public GgufTensorInfo GetTensor(string name) =>
        _tensorsByName.TryGetValue(name, out var t) ? t : throw new GgufFormatException($"tensor '{name}' is not in {Path}");

    public bool TryGetTensor(string name, [System.Diagnostics.CodeAnalysis.MaybeNullWhen(false)] out GgufTensorInfo tensor) =>
        _tensorsByName.TryGetValue(name, out tensor);

    /// <summary>Pointer to the tensor's bytes inside the mapping; valid until this file is disposed.</summary>
    public byte* TensorData(GgufTensorInfo tensor)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        return _base + DataOffset + (long)tensor.Offset;
    }

    public ReadOnlySpan<byte> TensorBytes(GgufTensorInfo tensor) =>
        new(TensorData(tensor), checked((int)tensor.ByteSize));

    /// <summary>
    /// Drops <paramref name="length"/> bytes of the mapping from <paramref name="start"/> from this process's resident
    /// memory (on Linux; elsewhere it does nothing), for tensor data that was copied elsewhere and is rarely read in
    /// place. The data stays valid: a later read maps the pages again from the operating system's file cache.
    /// </summary>
    public void ReleaseResidentPages(nint start, long length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if ((byte*)start < _base || length < 0 || (byte*)start + length > _base + _length)
            throw new ArgumentOutOfRangeException(nameof(start), $"{length} bytes at 0x{start:x} are not inside the mapping of {Path}");
        if (_map is null || !OperatingSystem.IsLinux() || length == 0) return;
        var first = start & ~(nint)(Environment.SystemPageSize - 1);
        _ = Madvise((void*)first, (nuint)(start + (nint)length - first), MadviseDontNeed);
    }

    private const int MadviseDontNeed = 4;

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(void* address, nuint length, int advice);

    private static (uint, GgufMetadata, IReadOnlyList<GgufTensorInfo>, long) Parse(ref GgufSpanReader reader)
    {
        var magic = reader.ReadUInt32("magic");
        if (magic != Magic) throw new GgufFormatException($"bad magic 0x{magic:X8}: not a GGUF file", "magic", 0);
        var version = reader.ReadUInt32("version");
        if (version is not (2 or 3))
        {
            var hint = version > 0xFFFF ? " (a big-endian file?)" : version == 1 ? " (GGUF v1 is obsolete)" : "";
            throw new GgufFormatException($"unsupported GGUF version {version}{hint}", "version", 4);
        }
        const int minTensorInfoBytes = 8 + 4 + 4 + 8;
        const int minKeyValueBytes = 8 + 4 + 1;
        var tensorCount = reader.ReadCount("tensor_count", minTensorInfoBytes);
        var kvCount = reader.ReadCount("metadata_kv_count", minKeyValueBytes);

        var metadata = new GgufMetadata();
        for (long i = 0; i < kvCount; i++)
        {
            var at = reader.Position;
            var key = reader.ReadString($"metadata key #{i}");
            if (metadata.ContainsKey(key)) throw new GgufFormatException($"duplicate metadata key '{key}'", key, at);
            var type = (GgufValueType)reader.ReadUInt32(key);
            metadata.Set(key, reader.ReadValue(type, key));
        }

        var alignment = DefaultAlignment;
        if (metadata.TryGetValue("general.alignment", out var alignValue))
        {
            if (alignValue.Value is not uint a || a == 0 || (a & (a - 1)) != 0)
                throw new GgufFormatException($"general.alignment must be a power-of-two uint32, found {alignValue.Type} {alignValue}");
            alignment = a;
        }

        var infos = new (string Name, GgmlType Type, long[] Dims, ulong Offset, long At)[tensorCount];
        for (long i = 0; i < tensorCount; i++)
        {
            var at = reader.Position;
            var name = reader.ReadString($"tensor #{i} name");
            var nDims = reader.ReadUInt32(name);
            if (nDims is 0 or > MaxDimensions)
                throw new GgufFormatException($"tensor has {nDims} dimensions (1..{MaxDimensions} allowed)", name, at);
            var dims = new long[nDims];
            for (var d = 0; d < nDims; d++)
            {
                var dimAt = reader.Position;
                var dim = reader.ReadUInt64(name);
                if (dim > int.MaxValue) throw new GgufFormatException($"dimension {d} is {dim}", name, dimAt);
                dims[d] = (long)dim;
            }
            var typeAt = reader.Position;
            var type = (GgmlType)reader.ReadUInt32(name);
            if (!GgmlTypeInfo.IsSupported(type))
                throw new GgufFormatException($"tensor type {(uint)type} is unknown or unsupported", name, typeAt);
            if (dims[0] % GgmlTypeInfo.BlockSize(type) != 0)
                throw new GgufFormatException($"row length {dims[0]} is not a multiple of the {type} block size", name, at);
            infos[i] = (name, type, dims, reader.ReadUInt64(name), at);
        }

        var dataOffset = AlignUp(reader.Position, alignment);
        var dataLength = reader.Length - dataOffset;
        var tensors = new List<GgufTensorInfo>((int)tensorCount);
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, type, dims, offset, at) in infos)
        {
            if (!names.Add(name)) throw new GgufFormatException("duplicate tensor name", name, at);
            GgufTensorInfo tensor;
            try
            {
                tensor = new GgufTensorInfo(name, type, dims, offset);
            }
            catch (OverflowException)
            {
                throw new GgufFormatException($"element count of [{string.Join(", ", dims)}] overflows", name, at);
            }
            if (offset % alignment != 0)
                throw new GgufFormatException($"data offset {offset} is not aligned to {alignment}", name, at);
            if (offset > (ulong)Math.Max(0, dataLength) || tensor.ByteSize > dataLength - (long)offset)
                throw new GgufFormatException(
                    $"data [{offset}, +{tensor.ByteSize}) lies outside the {Math.Max(0, dataLength)}-byte data section", name, at);
            tensors.Add(tensor);
        }
        return (version, metadata, tensors, dataOffset);
    }

    internal static long AlignUp(long value, long alignment) => (value + alignment - 1) / alignment * alignment;

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        Release();
    }

    private void Release()
    {
        if (_view is not null)
        {
            _view.SafeMemoryMappedViewHandle.ReleasePointer();
            _view.Dispose();
        }
        _map?.Dispose();
        if (_pinned.IsAllocated) _pinned.Free();
    }
}
