using ChatEngine.Gguf;
using ChatEngine.Runtime.Model;
namespace ChatEngine.Server;

/// <summary>
/// Settings of <c>chatengine serve</c>, bound by <see cref="ServerConfiguration"/> from <c>appsettings.json</c>,
/// <c>CHATENGINE_*</c> environment variables and command-line flags; <see cref="Validate"/> names the first value
/// that makes no sense.
/// </summary>
public sealed record ServerOptions
{
    /// <summary>The model the README's first command serves: shipped in <c>models/</c> (and beside the built CLI).</summary>
    public const string DefaultModelPath = "models/stories260K.gguf";

    /// <summary>A GGUF file path (the CLI also accepts a model-store name here).</summary>
    public string ModelPath { get; init; } = DefaultModelPath;

    /// <summary>LoRA adapters loaded with the model (ids 0, 1, ... in this order), applied at these scales by default.</summary>
    public IReadOnlyList<Runtime.Lora.LoraAdapterSpec> LoraAdapters { get; init; } = [];

    /// <summary>A Jinja chat template file used instead of the GGUF's <c>tokenizer.chat_template</c> (llama-server's
    /// <c>--chat-template-file</c>), for chat completions and the hub; null: the model's own, else ChatML.</summary>
    public string? ChatTemplateFile { get; init; }
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>TCP port; 0 lets the OS pick one (read it back from <see cref="ChatEngineServer.BaseAddress"/>).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Sequences generated at the same time (slots), each with its own KV cache of <see cref="ContextSize"/>.</summary>
    public int Parallel { get; init; } = 4;

    /// <summary>Tokens per slot: prompt plus completion.</summary>
    public int ContextSize { get; init; } = 2048;
    public int Threads { get; init; } = Environment.ProcessorCount;

    /// <summary>llama-server's <c>--context-shift</c>: a sequence that fills its slot's context drops the older half of
    /// what follows its system prompt (or BOS) and goes on, instead of the request needing prompt + max_tokens to fit.
    /// Off by default: the 400 <c>context_length_exceeded</c> stays the default.</summary>
    public bool ContextShift { get; init; }

    /// <summary>Folder where <c>POST /slots/{id}?action=save|restore</c> write and read saved slots (llama-server's
    /// <c>--slot-save-path</c>); null: saving and restoring are off.</summary>
    public string? SlotSavePath { get; init; }

    /// <summary>How the slots' KV caches store keys and values: f16, q8_0 or q4_0 (llama-server's --cache-type-k / -v).</summary>
    public string CacheTypeK { get; init; } = "f16";

    public string CacheTypeV { get; init; } = "f16";

    /// <summary>The cache format <see cref="CacheTypeK"/> and <see cref="CacheTypeV"/> name.</summary>
    public KvCacheFormat CacheFormat => new(ParseCacheType(CacheTypeK, nameof(CacheTypeK)), ParseCacheType(CacheTypeV, nameof(CacheTypeV)));

    private static GgmlType ParseCacheType(string name, string setting)
    {
        try
        {
            return KvCacheFormat.Parse(name);
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(e.Message, setting);
        }
    }

    /// <summary>When set, every endpoint but <c>/health</c> requires <c>Authorization: Bearer KEY</c>.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Folder of the users and keys database (<c>chatengine users</c>, <c>chatengine keys</c>): once it has a user,
    /// every endpoint but <c>/health</c> requires one of their keys (or <see cref="ApiKey"/>). Null: no accounts (the CLI
    /// passes its default data directory).</summary>
    public string? DataDir { get; init; }

    /// <summary>Folder of the ASP.NET Core data protection key ring, which signs and encrypts the web UI's antiforgery
    /// tokens and circuit state: replicas that share it accept each other's. Null: <c>dataprotection-keys</c> under
    /// <see cref="DataDir"/>, or keys held in memory (lost on restart) when that is null too.</summary>
    public string? DataProtectionKeysDir { get; init; }

    /// <summary>Where the data protection keys are kept: <see cref="DataProtectionKeysDir"/> or its default; null: in memory.</summary>
    public string? DataProtectionKeysFolder => DataProtectionKeysDir ?? (DataDir is null ? null : Path.Combine(DataDir, "dataprotection-keys"));

    /// <summary>Requests that may wait for a slot; beyond that the server answers 429 with Retry-After.</summary>
    public int QueueLimit { get; init; } = 64;

    /// <summary>
    /// Host names (the <c>Host</c> header without its port) the server answers, separated by <c>,</c> or <c>;</c>;
    /// <c>*</c> accepts any. Null: the loopback names (<c>localhost</c>, <c>127.0.0.1</c>, <c>::1</c>) and
    /// <see cref="Host"/> itself, or any name when <see cref="Host"/> listens on every address (<c>0.0.0.0</c>,
    /// <c>::</c>). A page on another site that resolves its own name to 127.0.0.1 (DNS rebinding) is refused.
    /// </summary>
    public string? AllowedHosts { get; init; }

    /// <summary>Web origins (<c>https://app.example</c>) allowed to call the API from a browser, separated by <c>,</c>
    /// or <c>;</c>; <c>*</c> allows any. Null: none, so only pages the server itself serves may (same origin).</summary>
    public string? CorsOrigins { get; init; }

    /// <summary>Base URL of an OpenTelemetry collector (<c>http://collector:4318</c>) to which metrics, traces and logs are
    /// exported over OTLP/HTTP (protobuf) at <c>/v1/metrics</c>, <c>/v1/traces</c> and <c>/v1/logs</c>. Null: no export;
    /// <c>/metrics</c> serves the metrics either way.</summary>
    public string? OtlpEndpoint { get; init; }

    /// <summary>Largest accepted request body; larger ones get 413.</summary>
    public long MaxRequestBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>
    /// Seconds a shutdown (SIGTERM, Ctrl+C) waits for running generations to finish while refusing new ones (503);
    /// sequences still running then end with <c>finish_reason: "shutdown"</c>.
    /// </summary>
    public double ShutdownTimeout { get; init; } = 30;

    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/>/<see cref="ArgumentException"/> naming the bad setting.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ModelPath)) throw new ArgumentException("a model path is required", nameof(ModelPath));
        if (string.IsNullOrWhiteSpace(Host)) throw new ArgumentException("a host is required", nameof(Host));
        if (Port is < 0 or > 65535) throw new ArgumentOutOfRangeException(nameof(Port), Port, "port must be in [0, 65535]");
        if (Parallel < 1) throw new ArgumentOutOfRangeException(nameof(Parallel), Parallel, "parallel slots must be at least 1");
        if (ContextSize < 2) throw new ArgumentOutOfRangeException(nameof(ContextSize), ContextSize, "context size must be at least 2");
        if (Threads < 1) throw new ArgumentOutOfRangeException(nameof(Threads), Threads, "threads must be at least 1");
        if (QueueLimit < 0) throw new ArgumentOutOfRangeException(nameof(QueueLimit), QueueLimit, "queue limit must be >= 0");
        if (AllowedHosts is not null && SplitList(AllowedHosts).Count == 0) throw new ArgumentException("allowed hosts must name at least one host (or *)", nameof(AllowedHosts));
        foreach (var origin in SplitList(CorsOrigins))
        {
            if (origin != "*" && !(Uri.TryCreate(origin, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https" && uri.AbsolutePath == "/" && !origin.EndsWith('/')))
                throw new ArgumentException($"'{origin}' is not a web origin (scheme://host[:port], e.g. https://app.example) or *", nameof(CorsOrigins));
        }
        if (OtlpEndpoint is not null && !(Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out var otlp) && otlp.Scheme is "http" or "https"))
            throw new ArgumentException($"'{OtlpEndpoint}' is not an http(s) URL of an OTLP collector", nameof(OtlpEndpoint));
        if (DataDir is not null && string.IsNullOrWhiteSpace(DataDir)) throw new ArgumentException("the data directory must not be empty", nameof(DataDir));
        if (DataProtectionKeysDir is not null && string.IsNullOrWhiteSpace(DataProtectionKeysDir))
            throw new ArgumentException("the data protection keys directory must not be empty", nameof(DataProtectionKeysDir));
        if (!double.IsFinite(ShutdownTimeout) || ShutdownTimeout < 0)
            throw new ArgumentOutOfRangeException(nameof(ShutdownTimeout), ShutdownTimeout, "shutdown timeout must be a number of seconds >= 0");
        _ = CacheFormat;
        if (MaxRequestBodyBytes < 1024) throw new ArgumentOutOfRangeException(nameof(MaxRequestBodyBytes), MaxRequestBodyBytes, "body limit must be at least 1024 bytes");
    }

    /// <summary>The entries of a <c>,</c>/<c>;</c>-separated setting (none for null).</summary>
    public static IReadOnlyList<string> SplitList(string? list) =>
        list is null ? [] : list.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
