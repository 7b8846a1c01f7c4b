using ChatEngine.Gguf;
using ChatEngine.TestData;

namespace ChatEngine.Runtime.Tests.Loading;

/// <summary>Copies of stories260K with changed metadata, written to a temporary folder that is deleted on dispose.</summary>
internal sealed class MutatedModels : IDisposable
{
    private static readonly byte[] Original = File.ReadAllBytes(TestPaths.Model("stories260K.gguf"));
    private readonly string _folder = Directory.CreateTempSubdirectory("chatengine-bounds-").FullName;
    private int _count;

    public static GgufMetadata OriginalMetadata()
    {
        using var file = GgufFile.Load(Original);
        return new GgufMetadata(file.Metadata);
    }

    /// <summary>Writes stories260K with <paramref name="change"/> applied to its metadata; the tensors are copied
    /// unchanged, followed by <paramref name="extraTensors"/> (F32 vectors) if given.</summary>
    public string Write(Action<GgufMetadata> change, params (string Name, float[] Values)[] extraTensors)
    {
        using var file = GgufFile.Load(Original);
        var metadata = new GgufMetadata(file.Metadata);
        change(metadata);
        var path = Path.Combine(_folder, $"model{_count++}.gguf");
        GgufWriter.Write(path, metadata, file.Tensors
            .Select(t => (new GgufTensorDescriptor(t.Name, t.Type, t.Dimensions), (ReadOnlyMemory<byte>)file.TensorBytes(t).ToArray()))
            .Concat(extraTensors.Select(e => (new GgufTensorDescriptor(e.Name, GgmlType.F32, [(long)e.Values.Length]),
                (ReadOnlyMemory<byte>)System.Runtime.InteropServices.MemoryMarshal.AsBytes(e.Values.AsSpan()).ToArray())))
            .ToList());
        return path;
    }

    public string WithUInt32(string key, uint value) => Write(m => m.Set(key, new GgufValue(GgufValueType.UInt32, value)));

    public void Dispose() => Directory.Delete(_folder, recursive: true);
}
