namespace ChatEngine.Runtime.Lora;

/// <summary>
/// A LoRA adapter file that cannot be used with the base model: not an adapter, corrupt, for another architecture,
/// or a tensor whose name or shape does not fit. <see cref="TensorName"/> names the offending tensor when there is one.
/// </summary>
public sealed class LoraAdapterException : Exception
{
    public LoraAdapterException(string path, string problem, string? tensorName = null, Exception? inner = null)
        : base($"LoRA adapter '{path}': {problem}", inner)
    {
        AdapterPath = path;
        TensorName = tensorName;
    }

    public string AdapterPath { get; }
    public string? TensorName { get; }
}
