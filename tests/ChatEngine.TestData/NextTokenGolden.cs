using System.Text.Json;

namespace ChatEngine.TestData;

/// <summary>One golden/nexttok-*.json file: llama.cpp's greedy runs with top-10 distributions per step.</summary>
public sealed record NextTokenGolden(string Model, IReadOnlyList<NextTokenRun> Runs)
{
    public static NextTokenGolden Load(string goldenFileName)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.Golden(goldenFileName)));
        var root = doc.RootElement;
        var runs = root.GetProperty("runs").EnumerateArray().Select(run => new NextTokenRun(
            run.GetProperty("prompt").GetString()!,
            Ints(run.GetProperty("prompt_ids")),
            Ints(run.GetProperty("generated_ids")),
            run.GetProperty("generated_text").GetString()!,
            run.GetProperty("steps").EnumerateArray().Select(step => new NextTokenStep(
                step.GetProperty("id").GetInt32(),
                step.GetProperty("top1_top2_margin").GetDouble(),
                step.GetProperty("top").EnumerateArray()
                    .Select(t => (t.GetProperty("id").GetInt32(), t.GetProperty("prob").GetDouble())).ToArray(),
                step.GetProperty("top_logits_float32").EnumerateArray()
                    .Select(t => (t.GetProperty("id").GetInt32(), t.GetProperty("logit").GetDouble())).ToArray())).ToArray()))
            .ToArray();
        return new NextTokenGolden(root.GetProperty("model").GetString()!, runs);
    }

    private static int[] Ints(JsonElement array) => array.EnumerateArray().Select(e => e.GetInt32()).ToArray();
}

public sealed record NextTokenRun(string Prompt, int[] PromptIds, int[] GeneratedIds, string GeneratedText, NextTokenStep[] Steps);

public sealed record NextTokenStep(int Id, double Top1Top2Margin, (int Id, double Prob)[] Top, (int Id, double Logit)[] TopLogits);
