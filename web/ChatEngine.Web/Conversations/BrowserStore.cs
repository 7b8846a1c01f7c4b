using System.Text.Json;
using Microsoft.JSInterop;

namespace ChatEngine.Web.Conversations;

/// <summary>Conversations, the selected one and the settings in the browser's <c>localStorage</c>, as JSON.</summary>
public sealed class BrowserStore(IJSRuntime js)
{
    private const string ConversationsKey = "chatengine.conversations";
    private const string SelectedKey = "chatengine.selected";
    private const string SettingsKey = "chatengine.settings";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<List<Conversation>> LoadConversationsAsync() => await ReadAsync<List<Conversation>>(ConversationsKey) ?? [];

    public Task SaveConversationsAsync(List<Conversation> conversations) => WriteAsync(ConversationsKey, conversations);

    public async Task<string?> LoadSelectedAsync() => await js.InvokeAsync<string?>("localStorage.getItem", SelectedKey);

    public async Task SaveSelectedAsync(string? id)
    {
        if (id is null) await js.InvokeVoidAsync("localStorage.removeItem", SelectedKey);
        else await js.InvokeVoidAsync("localStorage.setItem", SelectedKey, id);
    }

    public async Task<ChatSettings> LoadSettingsAsync() => await ReadAsync<ChatSettings>(SettingsKey) ?? new ChatSettings();

    public Task SaveSettingsAsync(ChatSettings settings) => WriteAsync(SettingsKey, settings);

    private async Task<T?> ReadAsync<T>(string key)
    {
        var json = await js.InvokeAsync<string?>("localStorage.getItem", key);
        if (string.IsNullOrEmpty(json)) return default;
        try
        {
            return JsonSerializer.Deserialize<T>(json, Json);
        }
        catch (JsonException)
        {
            return default; // written by an incompatible version: start afresh rather than break the page
        }
    }

    private async Task WriteAsync<T>(string key, T value) =>
        await js.InvokeVoidAsync("localStorage.setItem", key, JsonSerializer.Serialize(value, Json));
}
