namespace ChatEngine.Kernels.Ops;

/// <summary>Which dimensions of a head RoPE rotates together.</summary>
public enum RopeMode
{
    /// <summary>Adjacent pairs (x[2i], x[2i+1]) — llama.cpp's LLAMA_ROPE_TYPE_NORM (llama, mistral ...).</summary>
    Normal = 0,

    /// <summary>Split halves (x[i], x[i + n_dims/2]) — LLAMA_ROPE_TYPE_NEOX (qwen2, gpt-neox, phi ...).</summary>
    NeoX = 2,
}
