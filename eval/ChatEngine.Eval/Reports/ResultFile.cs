using System.Text.Json;

namespace ChatEngine.Eval.Reports;

/// <summary>Writes and reads result files; a file of another schema or version is a <see cref="ResultFormatException"/>.</summary>
public static class ResultFile
{
    public static void Save(EvalResult result, string path) =>
        File.WriteAllText(path, JsonSerializer.Serialize(result, ResultJson.Options) + "\n");

    public static EvalResult Load(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"result file '{path}' does not exist", path);
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(File.ReadAllText(path));
        }
        catch (JsonException e)
        {
            throw new ResultFormatException(path, $"not JSON: {e.Message}");
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("schema", out var schema) || schema.ValueKind != JsonValueKind.String
                || schema.GetString() != EvalResult.SchemaName)
                throw new ResultFormatException(path, $"not a result file (no \"schema\": \"{EvalResult.SchemaName}\")");
            if (!root.TryGetProperty("schema_version", out var version) || !version.TryGetInt32(out var v) || v != EvalResult.CurrentSchemaVersion)
                throw new ResultFormatException(path, $"schema_version {(root.TryGetProperty("schema_version", out var x) ? x.GetRawText() : "missing")} is not supported (this build reads {EvalResult.CurrentSchemaVersion})");
            try
            {
                return root.Deserialize<EvalResult>(ResultJson.Options) ?? throw new ResultFormatException(path, "empty");
            }
            catch (JsonException e)
            {
                throw new ResultFormatException(path, $"a field does not match the schema: {e.Message}");
            }
        }
    }
}

/// <summary>A result file that cannot be read; the message names the file.</summary>
public sealed class ResultFormatException(string path, string message) : FormatException($"{path}: {message}");
