using System.Runtime.InteropServices;
using ChatEngine.Gguf;
using ChatEngine.Training.Lora;
using ChatEngine.Training.Optimization;

namespace ChatEngine.Training;

/// <summary>
/// The complete state of a run after some optimizer step, as a GGUF file (general.type = chatengine-lora-checkpoint):
/// adapter factors and AdamW moments as F32 tensors, step count, loss history and a description of the settings and
/// data it belongs to. Written atomically, so a kill at any point leaves the previous or the new checkpoint whole.
/// </summary>
public static class TrainingCheckpoint
{
    private const string Type = "chatengine-lora-checkpoint";

    public static void Save(string path, string fingerprint, LoraAdapter adapter, AdamW optimizer, TrainingHistory history)
    {
        var metadata = new GgufMetadata();
        void Set(string key, GgufValueType type, object value) => metadata.Set(key, new GgufValue(type, value));
        Set("general.type", GgufValueType.String, Type);
        Set("training.fingerprint", GgufValueType.String, fingerprint);
        Set("training.steps", GgufValueType.UInt32, (uint)optimizer.StepCount);
        Set("training.tokens", GgufValueType.UInt64, (ulong)history.Tokens);
        Set("training.seconds", GgufValueType.Float64, history.Seconds);
        Set("training.step_losses", GgufValueType.Array, new GgufArray(GgufValueType.Float32, history.StepLosses.ToArray()));
        Set("training.validation.steps", GgufValueType.Array, new GgufArray(GgufValueType.Int32, history.Validation.Select(v => v.Step).ToArray()));
        Set("training.validation.epochs", GgufValueType.Array, new GgufArray(GgufValueType.Int32, history.Validation.Select(v => v.Epoch).ToArray()));
        Set("training.validation.losses", GgufValueType.Array, new GgufArray(GgufValueType.Float32, history.Validation.Select(v => v.Loss).ToArray()));
        LoraGgufExporter.WriteTensors(path, metadata, Tensors(adapter, optimizer).ToList());
    }

    /// <summary>Restores a checkpoint into a fresh adapter, optimizer and history of the same run.</summary>
    /// <exception cref="CheckpointMismatchException">The checkpoint belongs to other settings, data or model.</exception>
    public static void Load(string path, string fingerprint, LoraAdapter adapter, AdamW optimizer, TrainingHistory history)
    {
        using var file = GgufFile.Open(path);
        var m = file.Metadata;
        if (!m.TryGetString("general.type", out var type) || type != Type)
            throw new GgufFormatException($"'{path}' is not a ChatEngine training checkpoint (general.type is '{type}')");
        var saved = m.GetString("training.fingerprint");
        if (saved != fingerprint)
            throw new CheckpointMismatchException(
                $"checkpoint '{path}' belongs to a different run; delete it or use the same settings.\n  checkpoint: {saved}\n  this run:   {fingerprint}");
        foreach (var (tensor, values) in Tensors(adapter, optimizer))
        {
            var info = file.GetTensor(tensor.Name);
            if (info.Type != GgmlType.F32 || info.ElementCount != values.Length)
                throw new GgufFormatException($"checkpoint tensor '{tensor.Name}' is {info}, expected F32 with {values.Length} elements");
            MemoryMarshal.Cast<byte, float>(file.TensorBytes(info)).CopyTo(values);
        }
        optimizer.StepCount = (int)m.GetUInt32("training.steps");
        history.Tokens = (long)(ulong)m["training.tokens"].Value;
        history.Seconds = (double)m["training.seconds"].Value;
        history.StepLosses.Clear();
        history.StepLosses.AddRange(m.GetFloat32Array("training.step_losses"));
        history.Validation.Clear();
        var steps = m.GetInt32Array("training.validation.steps");
        var epochs = m.GetInt32Array("training.validation.epochs");
        var losses = m.GetFloat32Array("training.validation.losses");
        for (var i = 0; i < steps.Length; i++) history.Validation.Add(new ValidationPoint(steps[i], epochs[i], losses[i]));
    }

    private static IEnumerable<(GgufTensorDescriptor, float[])> Tensors(LoraAdapter adapter, AdamW optimizer)
    {
        var index = 0;
        foreach (var pair in adapter.Pairs)
        {
            foreach (var (suffix, values) in new[] { (".lora_a", pair.A), (".lora_b", pair.B) })
            {
                var name = pair.BaseTensorName + suffix;
                yield return (Descriptor(name, values), values);
                yield return (Descriptor(name + ".adam_m", values), optimizer.FirstMoments[index]);
                yield return (Descriptor(name + ".adam_v", values), optimizer.SecondMoments[index]);
                index++;
            }
        }
    }

    private static GgufTensorDescriptor Descriptor(string name, float[] values) => new(name, GgmlType.F32, [values.Length]);
}
