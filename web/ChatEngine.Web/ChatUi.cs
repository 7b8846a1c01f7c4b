using ChatEngine.Server;
using ChatEngine.Web.Components;
using ChatEngine.Web.Conversations;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace ChatEngine.Web;

/// <summary>
/// The browser chat UI as a server extension: Razor components with interactive server rendering at <c>/</c>, their
/// static files (this library's <c>wwwroot</c> and the framework's <c>blazor.web.js</c>), and the default system prompts
/// (<c>prompts/*.txt</c>, copied next to the binaries).
/// </summary>
public sealed class ChatUi(string? promptsDirectory = null) : IServerExtension
{
    private const string ManifestPrefix = "ChatEngine.Web.staticwebassets";

    public void ConfigureServices(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // The host may be any process (the CLI, a test runner), so point the static-asset machinery at this library's
        // build manifest explicitly instead of the one named after the entry assembly.
        var runtimeManifest = Path.Combine(AppContext.BaseDirectory, ManifestPrefix + ".runtime.json");
        if (File.Exists(runtimeManifest))
        {
            builder.WebHost.UseSetting(WebHostDefaults.StaticWebAssetsKey, runtimeManifest);
            builder.WebHost.UseStaticWebAssets();
        }
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddSingleton(new SystemPromptLibrary(promptsDirectory ?? Path.Combine(AppContext.BaseDirectory, "prompts")));
    }

    public void MapEndpoints(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseAntiforgery();
        app.MapStaticAssets(Path.Combine(AppContext.BaseDirectory, ManifestPrefix + ".endpoints.json"));
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
