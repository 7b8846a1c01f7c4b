using System.Text.Json;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Gguf.Tests;

public sealed class GgufReaderTests
{
    public static TheoryData<string> SharedModels() =>
        new(TestPaths.HasShared ? Directory.GetFiles(TestPaths.Shared("models"), "*.gguf").Select(Path.GetFileName).Order()! : ["none"]);

    [SharedTheory]
    [MemberData(nameof(SharedModels))]
    public void Every_shared_model_loads_with_the_tensor_types_llama_cpp_reports(string fileName)
    {
        using var file = GgufFile.Open(TestPaths.Model(fileName));
        // tensor-types-arch.json describes the architectures added in the Aug-2026 build, tensor-types.json the rest.
        using var golden = JsonDocument.Parse(File.ReadAllText(TestPaths.Golden("tensor-types.json")));
        using var archGolden = JsonDocument.Parse(File.ReadAllText(TestPaths.Golden("tensor-types-arch.json")));
        var expected = golden.RootElement.TryGetProperty(fileName, out var entry) ? entry : archGolden.RootElement.GetProperty(fileName);

        Assert.Equal(expected.GetProperty("bytes").GetInt64(), new FileInfo(file.Path).Length);
        var expectedTensors = expected.GetProperty("tensors").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        Assert.Equal(expectedTensors.Count, file.Tensors.Count);
        foreach (var tensor in file.Tensors) Assert.Equal(expectedTensors[tensor.Name], tensor.Type.ToString());
        if (expected.TryGetProperty("general.file_type", out var fileType) && fileType.ValueKind == JsonValueKind.Number)
            Assert.Equal(fileType.GetUInt32(), file.Metadata.GetUInt32("general.file_type"));
    }

    [Fact]
    public void Stories260K_metadata_and_tensor_directory_read_as_llama_cpp_describes_them()
    {
        using var file = GgufFile.Open(TestPaths.Model("stories260K.gguf"));

        Assert.Equal(3u, file.Version);
        Assert.Equal("llama", file.Metadata.GetString("general.architecture"));
        Assert.Equal(512, file.Metadata.GetStringArray("tokenizer.ggml.tokens").Length);
        Assert.Equal(512, file.Metadata.GetFloat32Array("tokenizer.ggml.scores").Length);
        Assert.Equal("llama", file.Metadata.GetString("tokenizer.ggml.model"));
        Assert.Equal(1u, file.Metadata.GetUInt32("tokenizer.ggml.bos_token_id"));
        var embedding = file.GetTensor("token_embd.weight");
        Assert.Equal(GgmlType.F32, embedding.Type);
        Assert.Equal(512, embedding.Dimensions[1]);
        Assert.Equal(embedding.ElementCount * 4, file.TensorBytes(embedding).Length);
        Assert.Equal(0, file.DataOffset % file.Alignment);
    }

    [Fact]
    public unsafe void A_tensor_reads_the_same_after_its_pages_leave_resident_memory()
    {
        using var file = GgufFile.Open(TestPaths.Model("stories260K.gguf"));
        var tensor = file.GetTensor("token_embd.weight");
        var before = file.TensorBytes(tensor).ToArray();
        file.ReleaseResidentPages((nint)file.TensorData(tensor), tensor.ByteSize);
        Assert.Equal(before, file.TensorBytes(tensor).ToArray());
    }

    [Fact]
    public unsafe void Releasing_pages_outside_the_mapping_is_refused()
    {
        using var file = GgufFile.Open(TestPaths.Model("stories260K.gguf"));
        var tensor = file.GetTensor("token_embd.weight");
        var start = (nint)file.TensorData(tensor);
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => file.ReleaseResidentPages(start, new FileInfo(file.Path).Length));
        Assert.Contains("not inside the mapping", error.Message);
    }

    [Fact]
    public void A_missing_tensor_or_key_is_a_format_error_naming_it()
    {
        using var file = GgufFile.Open(TestPaths.Model("stories260K.gguf"));

        Assert.Contains("no.such.tensor", Assert.Throws<GgufFormatException>(() => file.GetTensor("no.such.tensor")).Message);
        Assert.Contains("llama.nope", Assert.Throws<GgufFormatException>(() => file.Metadata.GetUInt32("llama.nope")).Message);
        var wrongType = Assert.Throws<GgufFormatException>(() => file.Metadata.GetUInt32("general.architecture"));
        Assert.Contains("String", wrongType.Message);
    }
}
