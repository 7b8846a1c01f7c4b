namespace ChatEngine.Server;

/// <summary>
/// Something served beside the API by the same host (the web UI): it adds its services before the application is
/// built and its endpoints after the API's (before the 404 fallback).
/// </summary>
public interface IServerExtension
{
    void ConfigureServices(WebApplicationBuilder builder);

    void MapEndpoints(WebApplication app);
}
