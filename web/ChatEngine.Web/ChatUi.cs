using ChatEngine.Server;
using ChatEngine.Web.Components;
using ChatEngine.Web.Conversations;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.DependencyInjection;

namespace ChatEngine.Web;

/// <summary>
/// The browser chat UI as a server extension: Razor components with interactive server rendering at <c>/</c>, their
/// static files (this library's <c>wwwroot</c> and the framework's <c>blazor.web.js</c>, embedded in the assembly so
/// that any host process serves them), the default system prompts (<c>prompts/*.txt</c>, copied next to the binaries)
/// and the sign-in page, whose attempt throttling reads <paramref name="clock"/>.
/// </summary>
public sealed class ChatUi(string? promptsDirectory = null, TimeProvider? clock = null) : IServerExtension
{
    public void ConfigureServices(WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();
        builder.Services.AddSingleton(new SystemPromptLibrary(promptsDirectory ?? Path.Combine(AppContext.BaseDirectory, "prompts")));
    }

    public void MapEndpoints(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        SignInPage.Map(app, app.Services.GetRequiredService<ApiKeyAccess>(), new SignInThrottle(clock ?? TimeProvider.System));
        app.UseStaticFiles(new StaticFileOptions { FileProvider = new EmbeddedFileProvider(typeof(ChatUi).Assembly, "ChatEngine.Web.wwwroot") });
        app.UseAntiforgery();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
    }
}
