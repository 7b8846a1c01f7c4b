using System.Buffers.Binary;
using ChatEngine.TestData;
using Xunit;

namespace ChatEngine.Gguf.Tests;

public sealed class GgufMalformedInputTests
{
    private static readonly byte[] Model = File.ReadAllBytes(TestPaths.Model("stories260K.gguf"));

    [Fact]
    public void Thousands_of_mutated_and_truncated_files_give_only_format_errors_with_bounded_memory()
    {
        long headerEnd;
        using (var file = GgufFile.Load(Model)) headerEnd = file.DataOffset;
        var random = new Random(20251122);
        var parsed = 0;
        var rejected = 0;
        for (var iteration = 0; iteration < 3000; iteration++)
        {
            var bytes = Mutate(random, headerEnd, iteration % 4);
            var before = GC.GetAllocatedBytesForCurrentThread();
            try
            {
                using var file = GgufFile.Load(bytes);
                foreach (var tensor in file.Tensors) _ = file.TensorBytes(tensor).Length;
                parsed++;
            }
            catch (GgufFormatException)
            {
                rejected++;
            }
            catch (Exception e)
            {
                Assert.Fail($"iteration {iteration} (mutation kind {iteration % 4}) threw {e.GetType().Name}: {e.Message}");
            }
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 16 * Model.Length, $"iteration {iteration} allocated {allocated} bytes");
        }
        Assert.True(rejected > 1000, $"only {rejected} of 3000 mutations were rejected ({parsed} parsed)");
    }

    private static byte[] Mutate(Random random, long headerEnd, int kind)
    {
        switch (kind)
        {
            case 0: // truncate anywhere
                return Model[..random.Next(0, Model.Length)];
            case 1: // flip a few bytes in the header
            {
                var bytes = (byte[])Model.Clone();
                for (var i = random.Next(1, 8); i > 0; i--) bytes[random.Next(0, (int)headerEnd)] ^= (byte)random.Next(1, 256);
                return bytes;
            }
            case 2: // overwrite an aligned 8-byte word of the header with a huge or boundary value
            {
                var bytes = (byte[])Model.Clone();
                ulong[] values = [ulong.MaxValue, 1UL << 62, (ulong)int.MaxValue + 1, (ulong)Model.Length, 0];
                var at = random.Next(0, (int)headerEnd - 8);
                BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), values[random.Next(values.Length)]);
                return bytes;
            }
            default: // truncate inside the header after flipping one byte
            {
                var bytes = Model[..random.Next(0, (int)headerEnd)];
                if (bytes.Length > 0) bytes[random.Next(bytes.Length)] ^= 0x5A;
                return bytes;
            }
        }
    }

    [Fact]
    public void A_wrong_magic_is_reported_at_offset_zero()
    {
        var bytes = (byte[])Model.Clone();
        bytes[0] = (byte)'X';
        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Load(bytes));
        Assert.Equal("magic", error.Field);
        Assert.Equal(0, error.Offset);
    }

    [Fact]
    public void An_unsupported_version_names_the_version_field()
    {
        var bytes = (byte[])Model.Clone();
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 7);
        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Load(bytes));
        Assert.Equal("version", error.Field);
        Assert.Contains("7", error.Message);
    }

    [Fact]
    public void A_huge_declared_tensor_count_is_rejected_before_allocating()
    {
        var bytes = (byte[])Model.Clone();
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), 1UL << 60);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Load(bytes));
        Assert.Equal("tensor_count", error.Field);
        Assert.Equal(8, error.Offset);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 1 << 20);
    }

    [Fact]
    public void A_huge_declared_array_length_names_the_key()
    {
        var (bytes, at) = FindArrayLength("tokenizer.ggml.tokens");
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(at), ulong.MaxValue / 2);
        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Load(bytes));
        Assert.Equal("tokenizer.ggml.tokens", error.Field);
        Assert.Equal(at, error.Offset);
    }

    [Fact]
    public void A_tensor_whose_data_lies_past_the_end_of_the_file_is_named()
    {
        var bytes = Model[..(Model.Length - 1024)];
        string firstCutTensor;
        using (var file = GgufFile.Load(Model))
            firstCutTensor = file.Tensors.First(t => file.DataOffset + (long)t.Offset + t.ByteSize > bytes.Length).Name;
        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Load(bytes));
        Assert.Contains("outside", error.Message);
        Assert.Equal(firstCutTensor, error.Field);
    }

    [Fact]
    public void An_unknown_tensor_type_names_the_tensor()
    {
        var metadata = new GgufMetadata();
        using var stream = new MemoryStream();
        using (var writer = new GgufWriter(stream, leaveOpen: true))
        {
            writer.WriteHeader(metadata, [new GgufTensorDescriptor("weird", GgmlType.F32, [32])]);
            writer.WriteTensorData(new byte[128]);
            writer.Finish();
        }
        var bytes = stream.ToArray();
        var typeAt = bytes.AsSpan().IndexOf("weird"u8) + 5 + 4 + 8;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(typeAt), 99);
        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Load(bytes));
        Assert.Equal("weird", error.Field);
        Assert.Equal(typeAt, error.Offset);
        Assert.Contains("99", error.Message);
    }

    [Fact]
    public void A_tensor_whose_dimensions_multiply_past_64_bits_is_named()
    {
        var (bytes, nameEnd) = OneTensorFile("overflowing", [32, 1, 1, 1]);
        for (var d = 1; d < 4; d++) BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(nameEnd + 4 + 8 * d), int.MaxValue);

        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Load(bytes));

        Assert.Equal("overflowing", error.Field);
        Assert.Contains("overflows", error.Message);
    }

    [Fact]
    public void A_tensor_data_offset_beyond_the_file_is_named()
    {
        var (bytes, nameEnd) = OneTensorFile("displaced", [32]);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(nameEnd + 4 + 8 + 4), 1UL << 40);

        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Load(bytes));

        Assert.Equal("displaced", error.Field);
        Assert.Contains($"data [{1UL << 40}, +128) lies outside", error.Message);
    }

    [Fact]
    public void A_string_longer_than_2_GiB_is_a_format_error_not_a_crash()
    {
        using var file = new SparseFile(length: (1L << 31) + 4096);
        file.WriteHeader(keyCount: 1, (w, _) => w.Write((1UL << 31) + 16)); // the first key's length

        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Open(file.Path));

        Assert.Equal("metadata key #0", error.Field);
        Assert.Contains($"{(1UL << 31) + 16} bytes", error.Message);
    }

    [Fact]
    public void An_array_longer_than_any_dotnet_array_is_a_format_error_naming_the_key()
    {
        var count = (ulong)Array.MaxLength + 1;
        using var file = new SparseFile(length: (long)count * 8 + 4096);
        file.WriteHeader(keyCount: 1, (w, key) =>
        {
            key("huge");
            w.Write((uint)GgufValueType.Array);
            w.Write((uint)GgufValueType.String);
            w.Write(count);
        });

        var error = Assert.Throws<GgufFormatException>(() => GgufFile.Open(file.Path));

        Assert.Equal("huge", error.Field);
        Assert.Contains($"array length {count}", error.Message);
    }

    /// <summary>A GGUF holding one F32 tensor, and where its name ends (the dimension count follows).</summary>
    private static (byte[] Bytes, int NameEnd) OneTensorFile(string name, long[] dimensions)
    {
        using var stream = new MemoryStream();
        using (var writer = new GgufWriter(stream, leaveOpen: true))
        {
            var tensor = new GgufTensorDescriptor(name, GgmlType.F32, dimensions);
            writer.WriteHeader(new GgufMetadata(), [tensor]);
            writer.WriteTensorData(new byte[tensor.ByteSize]);
            writer.Finish();
        }
        var bytes = stream.ToArray();
        return (bytes, bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(name)) + name.Length);
    }

    /// <summary>A file of <c>length</c> bytes that takes no disk space beyond its header (the rest is a hole of zeros).</summary>
    private sealed class SparseFile(long length) : IDisposable
    {
        public string Path { get; } = System.IO.Path.GetTempFileName();

        /// <summary>Magic, version 3, no tensors, <paramref name="keyCount"/> keys, then what <paramref name="rest"/> writes (given a key writer).</summary>
        public void WriteHeader(ulong keyCount, Action<BinaryWriter, Action<string>> rest)
        {
            using var stream = new FileStream(Path, FileMode.Create, FileAccess.Write);
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
            {
                writer.Write(GgufFile.Magic);
                writer.Write(3u);
                writer.Write(0UL);
                writer.Write(keyCount);
                rest(writer, key =>
                {
                    writer.Write((ulong)key.Length);
                    writer.Write(System.Text.Encoding.UTF8.GetBytes(key));
                });
            }
            stream.SetLength(length);
        }

        public void Dispose() => File.Delete(Path);
    }

    private static (byte[] Bytes, int LengthOffset) FindArrayLength(string key)
    {
        var bytes = (byte[])Model.Clone();
        var keyAt = bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(key));
        Assert.True(keyAt > 0);
        return (bytes, keyAt + key.Length + 4 + 4); // value type, element type, then the count
    }
}
