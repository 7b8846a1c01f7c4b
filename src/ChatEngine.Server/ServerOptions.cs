namespace ChatEngine.Server;

/// <summary>Settings of <c>chatengine serve</c>, bound from CLI flags, appsettings.json and environment variables.</summary>
public sealed record ServerOptions
{
    public required string ModelPath { get; init; }
    public string Host { get; init; } = "127.0.0.1";
    public int Port { get; init; } = 8080;
    public int Parallel { get; init; } = 4;
    public int ContextSize { get; init; } = 2048;
    public int Threads { get; init; } = Environment.ProcessorCount;
    public string? ApiKey { get; init; }
}
