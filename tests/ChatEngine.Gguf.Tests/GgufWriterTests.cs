using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Gguf.Tests;

public sealed class GgufWriterTests
{
    public static TheoryData<string> SharedGgufFiles() =>
        new(TestPaths.HasShared
            ? Directory.GetFiles(TestPaths.Shared("models"), "*.gguf").Concat(Directory.GetFiles(TestPaths.Shared("vocab"), "*.gguf"))
                .Select(p => Path.GetRelativePath(TestPaths.SharedDir!, p)).Order()
            : ["none"]);

    [SharedTheory]
    [MemberData(nameof(SharedGgufFiles))]
    public void Rewriting_a_llama_cpp_file_reproduces_it_byte_for_byte(string relativePath)
    {
        var path = Path.Combine(TestPaths.SharedDir!, relativePath);
        AssertRoundTrips(path);
    }

    [Fact]
    public void Rewriting_the_bundled_default_model_reproduces_it_byte_for_byte() =>
        AssertRoundTrips(TestPaths.Model("stories260K.gguf"));

    [Fact]
    public void Every_metadata_value_type_including_nested_arrays_round_trips()
    {
        var metadata = new GgufMetadata();
        metadata.Set("u8", new(GgufValueType.UInt8, (byte)200));
        metadata.Set("i8", new(GgufValueType.Int8, (sbyte)-5));
        metadata.Set("u16", new(GgufValueType.UInt16, (ushort)60000));
        metadata.Set("i16", new(GgufValueType.Int16, (short)-30000));
        metadata.Set("u32", new(GgufValueType.UInt32, 4_000_000_000u));
        metadata.Set("i32", new(GgufValueType.Int32, -2_000_000_000));
        metadata.Set("u64", new(GgufValueType.UInt64, ulong.MaxValue));
        metadata.Set("i64", new(GgufValueType.Int64, long.MinValue));
        metadata.Set("f32", new(GgufValueType.Float32, 1.5f));
        metadata.Set("f64", new(GgufValueType.Float64, Math.PI));
        metadata.Set("bool", new(GgufValueType.Bool, true));
        metadata.Set("str", new(GgufValueType.String, "héllo ▁ world"));
        metadata.Set("arr", new(GgufValueType.Array, new GgufArray(GgufValueType.Int32, new[] { 1, -2, 3 })));
        metadata.Set("nested", new(GgufValueType.Array, new GgufArray(GgufValueType.Array, new[]
        {
            new GgufArray(GgufValueType.String, new[] { "a", "b" }),
            new GgufArray(GgufValueType.Float32, new[] { 0.5f }),
        })));
        var tensor = new GgufTensorDescriptor("t", GgmlType.F32, [4, 2]);
        var data = new byte[32];
        Random.Shared.NextBytes(data);

        var path = Path.GetTempFileName();
        try
        {
            GgufWriter.Write(path, metadata, [(tensor, data)]);
            using var file = GgufFile.Open(path);

            Assert.Equal(metadata.Keys, file.Metadata.Keys);
            foreach (var (key, value) in metadata)
            {
                Assert.Equal(value.Type, file.Metadata[key].Type);
                Assert.Equal(Flatten(value.Value), Flatten(file.Metadata[key].Value));
            }
            Assert.Equal(data, file.TensorBytes(file.GetTensor("t")).ToArray());
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static string Flatten(object value) => value switch
    {
        GgufArray array => $"{array.ElementType}[{string.Join(",", array.Items.Cast<object>().Select(Flatten))}]",
        _ => $"{value.GetType().Name}:{value}",
    };

    private static void AssertRoundTrips(string path)
    {
        var original = File.ReadAllBytes(path);
        using var file = GgufFile.Load(original);
        using var output = new MemoryStream();
        using (var writer = new GgufWriter(output, leaveOpen: true))
        {
            writer.WriteHeader(file.Metadata, file.Tensors.Select(GgufTensorDescriptor.From).ToList(), file.Version);
            foreach (var tensor in file.Tensors) writer.WriteTensorData(file.TensorBytes(tensor));
            writer.Finish();
        }
        var rewritten = output.ToArray();

        Assert.Equal(original.Length, rewritten.Length);
        var firstDifference = original.AsSpan().CommonPrefixLength(rewritten);
        Assert.True(firstDifference == original.Length, $"first differing byte at offset {firstDifference}");
    }
}
