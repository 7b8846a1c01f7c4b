using System.Numerics.Tensors;
using ChatEngine.Text;

namespace ChatEngine.Training;

/// <summary>Greedy completion through the training forward pass (base + adapter, unmerged), for before/after samples.</summary>
public static class GreedySampler
{
    /// <summary>
    /// Continues <paramref name="prompt"/> (a conversation's tokens from <see cref="Runtime.ChatPromptRenderer.RenderTokens"/>)
    /// by up to <paramref name="maxTokens"/> argmax tokens, stopping at an end-of-generation token or once the text
    /// contains <paramref name="stop"/> (which is cut off).
    /// </summary>
    public static string Complete(LoraTrainingModel model, Tokenizer tokenizer, int[] prompt, int maxTokens, string? stop)
    {
        var tokens = prompt.ToList();
        var generated = new List<int>();
        var limit = Math.Min(maxTokens, model.MaxTokens - tokens.Count);
        for (var i = 0; i < limit; i++)
        {
            var next = TensorPrimitives.IndexOfMax(model.NextTokenLogits(tokens));
            if (tokenizer.IsEndOfGeneration(next)) break;
            tokens.Add(next);
            generated.Add(next);
            var text = tokenizer.Decode(generated.ToArray());
            if (!string.IsNullOrEmpty(stop) && text.Contains(stop, StringComparison.Ordinal)) return text[..text.IndexOf(stop, StringComparison.Ordinal)];
        }
        return tokenizer.Decode(generated.ToArray());
    }
}
