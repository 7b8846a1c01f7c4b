using System.Runtime.InteropServices;
using ChatEngine.Gguf;
using Xunit;

namespace ChatEngine.Kernels.Tests.Quants;

/// <summary>Reads weight matrices out of GGUF model files for the quantization tests.</summary>
internal static class ModelTensors
{
    /// <summary>Tensors llama-quantize quantizes: 2-D weights. 1-D tensors (norms, biases) always stay F32.</summary>
    public static IEnumerable<GgufTensorInfo> Matrices(GgufFile file) =>
        file.Tensors.Where(t => t.Dimensions.Length >= 2 && t.Dimensions[1] > 1);

    public static float[] ReadF32(GgufFile file, GgufTensorInfo tensor)
    {
        Assert.Equal(GgmlType.F32, tensor.Type);
        return MemoryMarshal.Cast<byte, float>(file.TensorBytes(tensor)).ToArray();
    }
}
